// `tradeproof network init`: the QBFT genesis against Besu's own documented vectors, and the files it writes.
import { readdir, readFile, stat, mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { expect } from "chai";
import { SigningKey, computeAddress } from "ethers";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { decodeQbftExtraData, encodeQbftExtraData, MAX_TX_GAS } from "../../scripts/network/qbft-genesis.js";
import { runCli } from "./harness.js";

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

describe("QBFT genesis extraData", function () {
  // Besu's documentation, "Configure QBFT consensus" (besu-docs: docs/private-networks/how-to/configure/consensus/qbft.md),
  // genesis file examples: block header validator selection (four validators) and contract validator selection (none).
  const BESU_DOCS_VALIDATORS = [
    "0x64a702e6263b7297a96638cac6ae65e6541f4169",
    "0x3923390ad55e90c237593b3b0e401f3b08a03185",
    "0xaefdb9a738c9f433e5b6b212a6d62f6370c2f692",
    "0xc7eeb9a4e00ce683cf93039b212648e01c6c6b78",
  ];
  const BESU_DOCS_EXTRA_DATA =
    "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f8549464a702e6263b7297a96638cac6ae65e6541f4169943923390ad55e90c237593b3b0e401f3b08a0318594aefdb9a738c9f433e5b6b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0";
  const BESU_DOCS_EXTRA_DATA_NO_VALIDATORS = "0xe5a00000000000000000000000000000000000000000000000000000000000000000c0c080c0";

  it("reproduces Besu's documented QBFT extraData byte for byte", function () {
    expect(encodeQbftExtraData(BESU_DOCS_VALIDATORS)).to.equal(BESU_DOCS_EXTRA_DATA);
    expect(encodeQbftExtraData([])).to.equal(BESU_DOCS_EXTRA_DATA_NO_VALIDATORS);
  });

  it("decodes Besu's layout: 32-byte vanity, the validators in order, no vote, round 0, no seals", function () {
    const decoded = decodeQbftExtraData(BESU_DOCS_EXTRA_DATA);
    expect(decoded.vanity).to.equal(`0x${"00".repeat(32)}`);
    expect(decoded.validators.map((v) => v.toLowerCase())).to.deep.equal(BESU_DOCS_VALIDATORS);
    expect(decoded).to.include({ vote: undefined, round: 0 });
    expect(decoded.seals).to.deep.equal([]);
  });

  it("refuses extraData that is not QBFT's (IBFT 2.0's four-field layout, a short vanity)", function () {
    // IBFT 2.0's example from Besu's genesis-file documentation: [vanity, validators, vote, round as 4 bytes, seals].
    expect(() => decodeQbftExtraData("0xf83ea00000000000000000000000000000000000000000000000000000000000000000d5949811ebc35d7b06b3fa8dc5809a1f9c52751e1deb808400000000c0")).to.throw(/the vote is an empty list/);
    expect(() => decodeQbftExtraData("0xc5808080c0c0")).to.throw(/vanity is 32 bytes/);
  });
});

describe("tradeproof network init", function () {
  this.timeout(60_000);
  let dir: string;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), "tradeproof-network-"));
  });
  after(async function () {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe("four validators", function () {
    let out: string;
    let run: { code: number; stdout: string; stderr: string };
    const names = ["validator-1", "validator-2", "validator-3", "validator-4"];
    const read = (rel: string) => readFile(join(out, rel), "utf8");

    before(async function () {
      out = join(dir, "qbft");
      run = await runCli(["network", "init", "--validators", "4", "--chain-id", "2026", "--block-period", "3", "--out", out]);
    });

    it("writes the files and says what is secret and what comes next", async function () {
      expect(run.stderr).to.equal("");
      expect(run.code).to.equal(0);
      expect(run.stdout).to.include("4 validator(s), a block every 3 s");
      expect(run.stdout).to.include("secrets: validator-1/key, validator-2/key, validator-3/key, validator-4/key (mode 600)");
      const perNode = ["address", "config.toml", "key", "key.pub", "permissions_config.toml", "static-nodes.json"];
      expect(await filesUnder(out)).to.deep.equal(
        ["README.md", "compose.yaml", "genesis.json", ...names.flatMap((n) => perNode.map((f) => `${n}/${f}`))].sort(),
      );
      for (const n of names) expect((await stat(join(out, "data", n))).isDirectory()).to.equal(true);
    });

    it("lists exactly the generated validators, in order, in the genesis extraData", async function () {
      const genesis = JSON.parse(await read("genesis.json"));
      const addresses = await Promise.all(names.map(async (n) => (await read(`${n}/address`)).trim()));
      expect(decodeQbftExtraData(genesis.extraData).validators).to.deep.equal(addresses);
      // Each address is the one of its node key.
      for (const [i, n] of names.entries()) expect(computeAddress((await read(`${n}/key`)).trim())).to.equal(addresses[i]);
    });

    it("writes a QBFT genesis with the period, zero base fee, Prague and a block that holds the largest transaction", async function () {
      const genesis = JSON.parse(await read("genesis.json"));
      expect(genesis.config).to.include({ chainId: 2026, zeroBaseFee: true, londonBlock: 0, shanghaiTime: 0, cancunTime: 0, pragueTime: 0 });
      expect(genesis.config.qbft).to.deep.equal({ blockperiodseconds: 3, epochlength: 30_000, requesttimeoutseconds: 6 });
      expect(Number(BigInt(genesis.gasLimit))).to.be.at.least(MAX_TX_GAS);
      expect(genesis.mixHash).to.equal("0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365");
      expect(genesis.alloc).to.deep.equal({});
    });

    it("configures each node: RPC on its private address only, free gas, the project's APIs, static peers, a local allowlist", async function () {
      const enodes: string[] = [];
      for (const n of names) {
        const pub = (await read(`${n}/key.pub`)).trim();
        const key = (await read(`${n}/key`)).trim();
        expect(`0x04${pub.slice(2)}`).to.equal(new SigningKey(key).publicKey);
        const config = parseToml(await read(`${n}/config.toml`)) as Record<string, unknown>;
        enodes.push(`enode://${pub.slice(2)}@${config["p2p-host"]}:${config["p2p-port"]}`);
      }
      for (const [i, n] of names.entries()) {
        const config = parseToml(await read(`${n}/config.toml`)) as Record<string, unknown>;
        const host = config["p2p-host"] as string;
        expect(host).to.match(/^172\.16\.239\.\d+$/);
        expect(config).to.include({ "rpc-http-host": host, "metrics-host": host, "min-gas-price": 0, "rpc-http-enabled": true, "discovery-enabled": false });
        expect(config["rpc-http-api"]).to.deep.equal(["ETH", "NET", "WEB3", "QBFT"]);
        expect(config["host-allowlist"]).to.not.include("*");
        expect(config).to.include({ "permissions-nodes-config-file-enabled": true, "node-private-key-file": "/config/node/key" });
        expect(JSON.parse(await read(`${n}/static-nodes.json`))).to.deep.equal(enodes.filter((_, j) => j !== i));
        expect((parseToml(await read(`${n}/permissions_config.toml`)) as { "nodes-allowlist": string[] })["nodes-allowlist"]).to.deep.equal(enodes);
      }
    });

    it("writes a compose file that runs every validator from a pinned Besu image of 26.8.1 or later, RPC published on 127.0.0.1 only", async function () {
      const compose = parseYaml(await read("compose.yaml")) as { services: Record<string, { image: string; ports?: string[]; volumes: string[]; command: string[] }> };
      expect(Object.keys(compose.services)).to.deep.equal(names);
      for (const [n, service] of Object.entries(compose.services)) {
        const [, version] = service.image.split(":");
        const [major, minor, patch] = version!.split(".").map(Number);
        expect(major! * 10_000 + minor! * 100 + patch!, service.image).to.be.at.least(26_08_01);
        expect(service.volumes).to.include(`./${n}:/config/node:ro`);
        expect(service.command).to.deep.equal(["--config-file=/config/node/config.toml"]);
      }
      expect(compose.services["validator-1"]!.ports).to.deep.equal(["127.0.0.1:8545:8545"]);
      expect(Object.values(compose.services).filter((s) => s.ports).length).to.equal(1);
    });

    it("keeps each node key readable by its owner only, and no secret outside the key files", async function () {
      const keys: string[] = [];
      for (const n of names) {
        expect((await stat(join(out, n, "key"))).mode & 0o777).to.equal(0o600);
        expect((await stat(join(out, n))).mode & 0o777).to.equal(0o700);
        keys.push((await read(`${n}/key`)).trim().slice(2).toLowerCase());
      }
      for (const file of await filesUnder(out)) {
        if (file.endsWith("/key")) continue;
        const text = (await read(file)).toLowerCase();
        for (const key of keys) expect(text.includes(key), `${file} holds a node key`).to.equal(false);
      }
      expect(run.stdout.toLowerCase()).to.satisfy((s: string) => keys.every((k) => !s.includes(k)));
    });
  });

  it("refuses fewer than 4 validators without --dev, and says what --dev gives up", async function () {
    const refused = await runCli(["network", "init", "--validators", "3", "--chain-id", "2026", "--out", join(dir, "three")]);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.include("QBFT needs at least 4 validators to keep going with one of them faulty or down");
    expect(refused.stderr).to.include("--dev");

    const dev = await runCli(["network", "init", "--validators", "1", "--chain-id", "2026", "--out", join(dir, "one"), "--dev"]);
    expect(dev.code).to.equal(0);
    expect(dev.stderr).to.include("warning: 1 validator: no fault tolerance");
    const genesis = JSON.parse(await readFile(join(dir, "one", "genesis.json"), "utf8"));
    expect(decodeQbftExtraData(genesis.extraData).validators).to.have.length(1);
  });

  it("refuses a folder that is not empty, a public network's chain id, and a block gas limit under the transaction cap", async function () {
    const used = join(dir, "used");
    await mkdir(used);
    await writeFile(join(used, "keep.txt"), "x");
    const cases: [string[], string][] = [
      [["--out", used], "is not empty"],
      [["--out", join(dir, "a"), "--chain-id", "1"], "belongs to a public network"],
      [["--out", join(dir, "b"), "--gas-limit", "10000000"], "a block must hold the largest transaction"],
    ];
    for (const [args, message] of cases) {
      const base = ["network", "init", "--validators", "4", "--chain-id", "2026"];
      const result = await runCli([...base, ...args]);
      expect(result.code, args.join(" ")).to.equal(2);
      expect(result.stderr).to.include(message);
    }
    expect(await readdir(used)).to.deep.equal(["keep.txt"]);
  });
});
