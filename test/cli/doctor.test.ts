// `tradeproof doctor` against real nodes: the embedded chain's anvil (free gas), the in-process Hardhat chain served over
// HTTP, and nodes that are unfit in one way each (another chain, no contract, other code, a gas price, an old EVM).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import { network } from "hardhat";
import { deployLedger, type Deployment } from "../../sdk/index.js";
import { DEFAULT_TRANSACTION_LIMITS } from "../../sdk/limits.js";
import { FREE_GAS_FLAGS } from "../../scripts/embedded/anvil.js";
import { opcodesOf, probeCode, runDoctor, type DoctorReport } from "../../scripts/network/doctor.js";
import { runCli, startAnvil, type Anvil } from "./harness.js";

const statusOf = (report: DoctorReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
const check = (report: DoctorReport, id: string) => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${JSON.stringify(report.checks)}`);
  return found;
};
const limits = DEFAULT_TRANSACTION_LIMITS;

/** Deploys the ledger with the node's first funded account (anvil's and Hardhat's test key) as its one governor. */
async function deployOn(url: string): Promise<Deployment> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const signer = new Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", provider);
    return await deployLedger(signer, { governors: [signer.address as `0x${string}`], threshold: 1 });
  } finally {
    provider.destroy();
  }
}

describe("tradeproof doctor", function () {
  this.timeout(120_000);

  describe("on the embedded chain's node (anvil, free gas)", function () {
    let anvil: Anvil;
    let deployment: Deployment;
    let dir: string;

    before(async function () {
      anvil = await startAnvil(FREE_GAS_FLAGS);
      deployment = await deployOn(anvil.url);
      dir = await mkdtemp(join(tmpdir(), "tradeproof-doctor-"));
    });
    after(async function () {
      await anvil?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("passes every check but the client's, which says anvil is not Besu", async function () {
      const report = await runDoctor({ rpc: anvil.url, deployment, limits });
      expect(report.ok).to.equal(true);
      expect(statusOf(report)).to.deep.equal({
        node: "pass",
        "chain-id": "pass",
        client: "warn",
        evm: "pass",
        gas: "pass",
        "block-period": "pass",
        registry: "pass",
        council: "pass",
        forwarder: "pass",
        references: "pass",
        relayer: "pass",
        limits: "pass",
      });
      expect(check(report, "client").message).to.match(/^anvil\/v1\.7\.1: not Besu/);
      // The contracts are compiled for Prague: PUSH0 (Shanghai) and MCOPY (Cancun) are among what they use.
      expect(check(report, "evm").message).to.include("PUSH0 (Shanghai)").and.to.include("MCOPY (Cancun)");
      expect(check(report, "limits").message).to.include("4,085 documents a public batch transaction");
    });

    it("prints a line a check and exits 0 from the CLI; --json gives the same checks", async function () {
      const file = join(dir, "deployment.json");
      await writeFile(file, JSON.stringify(deployment));
      const run = await runCli(["doctor", "--rpc", anvil.url, "--deployment", file]);
      expect(run.code).to.equal(0);
      expect(run.stderr).to.equal("");
      const lines = run.stdout.trim().split("\n");
      expect(lines[0]).to.equal(`✓ node         ${anvil.url} answers`);
      expect(lines).to.include(`✓ registry     DocumentRegistry of this build at ${deployment.registry}`);
      expect(lines.find((l) => l.startsWith("! client"))).to.match(/not Besu/);
      expect(lines.at(-1)).to.equal("node fit for the ledger (1 warning(s))");

      const json = await runCli(["doctor", "--rpc", anvil.url, "--deployment", file, "--json"]);
      expect(json.code).to.equal(0);
      const report = JSON.parse(json.stdout) as DoctorReport;
      expect(report.ok).to.equal(true);
      expect(report.checks.map((c) => c.id)).to.deep.equal(["node", "chain-id", "client", "evm", "gas", "block-period", "registry", "council", "forwarder", "references", "relayer", "limits"]);

      // Before a deployment: the node alone, and no deployment file read (this one does not exist yet).
      const before = await runCli(["doctor", "--no-contracts", "--json"], { TRADEPROOF_RPC: anvil.url, TRADEPROOF_DEPLOYMENT: join(dir, "not-yet.json") });
      expect(before.code).to.equal(0);
      const alone = JSON.parse(before.stdout) as DoctorReport;
      expect(alone.checks.filter((c) => c.status === "warn").map((c) => c.id)).to.deep.equal(["chain-id", "client", "contracts"]);
    });

    it("fails the chain id against a deployment of another chain", async function () {
      const report = await runDoctor({ rpc: anvil.url, deployment: { ...deployment, chainId: 2026 }, limits });
      expect(report.ok).to.equal(false);
      expect(check(report, "chain-id")).to.include({ status: "fail", message: "the node serves chain 31337, the deployment is for chain 2026" });
    });

    it("fails a contract that is missing, and code that is another contract's", async function () {
      const nowhere = Wallet.createRandom().address;
      const report = await runDoctor({ rpc: anvil.url, deployment: { ...deployment, registry: nowhere as `0x${string}`, forwarder: deployment.council }, limits });
      expect(report.ok).to.equal(false);
      expect(check(report, "registry")).to.include({ status: "fail", message: `no contract at ${nowhere} (the registry of the deployment)` });
      expect(check(report, "forwarder")).to.include({ status: "fail", message: `the code at ${deployment.council} is not this build's Forwarder` });
      expect(check(report, "council").status).to.equal("pass");
      // A deployment of before the references contract: a warning, not a failure.
      const { references: _none, ...older } = deployment;
      expect(check(await runDoctor({ rpc: anvil.url, deployment: older, limits }), "references")).to.include({ status: "warn" });
    });

    it("fails batch limits above the node's block gas limit, and a block period other than the one expected", async function () {
      const report = await runDoctor({ rpc: anvil.url, deployment, limits: { ...limits, maxTxGas: 40_000_000 }, blockPeriod: 5 });
      expect(check(report, "limits")).to.include({ status: "fail" });
      expect(check(report, "limits").message).to.include("exceed the block gas limit 30,000,000");
      expect(check(report, "block-period").status).to.equal("fail");
      expect(check(report, "block-period").message).to.match(/, not 5 s$/);
    });

    it("warns, and checks no contract, without a deployment file", async function () {
      const report = await runDoctor({ rpc: anvil.url, limits });
      expect(report.ok).to.equal(true);
      expect(check(report, "chain-id").status).to.equal("warn");
      expect(check(report, "contracts").status).to.equal("warn");
      expect(report.checks.some((c) => c.id === "registry")).to.equal(false);
    });
  });

  describe("on a node that charges gas (anvil's defaults, on a chain id of a network's own)", function () {
    let anvil: Anvil;
    let deployment: Deployment;
    let dir: string;

    before(async function () {
      anvil = await startAnvil(["--chain-id", "2026"]);
      deployment = await deployOn(anvil.url);
      dir = await mkdtemp(join(tmpdir(), "tradeproof-doctor-"));
    });
    after(async function () {
      await anvil?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("fails the gas check with what to set, and exits 1", async function () {
      const file = join(dir, "deployment.json");
      await writeFile(file, JSON.stringify(deployment));
      const run = await runCli(["doctor", "--rpc", anvil.url, "--deployment", file]);
      expect(run.code).to.equal(1);
      const lines = run.stdout.trim().split("\n");
      const gas = lines.findIndex((l) => l.startsWith("✗ gas"));
      expect(lines[gas]).to.match(/^✗ gas {10}gas is not free: gas price [\d,]+ wei, base fee [\d,]+ wei$/);
      expect(lines[gas + 1]).to.include('min-gas-price=0 in each node\'s config.toml and "zeroBaseFee": true in the genesis');
      expect(lines.at(-1)).to.equal("1 check(s) failed");
    });

    it("checks the relayer's balance where gas is not free", async function () {
      const poor = Wallet.createRandom().address;
      const report = await runDoctor({ rpc: anvil.url, deployment, limits, relayer: poor });
      expect(check(report, "relayer")).to.include({ status: "fail" });
      expect(check(report, "relayer").message).to.include(`the relayer ${poor} holds 0.0 ether, less than one full transaction costs`);
      const funded = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"; // anvil's first account, 10,000 ether
      expect(check(await runDoctor({ rpc: anvil.url, deployment, limits, relayer: funded }), "relayer").status).to.equal("pass");
      expect(check(await runDoctor({ rpc: anvil.url, deployment, limits }), "relayer").status).to.equal("warn");
    });
  });

  it("follows the README's path on a stand-in for a QBFT network (anvil: free gas, chain 2026, 2 s blocks)", async function () {
    const anvil = await startAnvil([...FREE_GAS_FLAGS, "--chain-id", "2026", "--block-time", "2"]);
    const dir = await mkdtemp(join(tmpdir(), "tradeproof-doctor-"));
    try {
      const env = { TRADEPROOF_RPC: anvil.url, TRADEPROOF_DEPLOYMENT: join(dir, "deployment.json") };
      const node = await runCli(["doctor", "--no-contracts"], env);
      expect(node.code, node.stdout).to.equal(0);
      // Deployed by an account that holds no ether: gas is free.
      const deployer = Wallet.createRandom();
      const governors = [Wallet.createRandom().address, Wallet.createRandom().address];
      const deploy = await runCli(["deploy", "--governor", governors[0]!, "--governor", governors[1]!, "--threshold", "2"], { ...env, TRADEPROOF_PRIVATE_KEY: deployer.privateKey });
      expect(deploy.stderr).to.equal("");
      expect(deploy.code).to.equal(0);
      const run = await runCli(["doctor", "--block-period", "2", "--json"], env);
      expect(run.code).to.equal(0);
      const report = JSON.parse(run.stdout) as DoctorReport;
      expect(report.checks.filter((c) => c.status !== "pass").map((c) => c.id)).to.deep.equal(["client"]);
      expect(check(report, "block-period").message).to.match(/^a block every 2 s/);
    } finally {
      await anvil.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fails the EVM check on a node whose EVM predates what the contracts use (anvil as London)", async function () {
    const anvil = await startAnvil([...FREE_GAS_FLAGS, "--hardfork", "london"]);
    try {
      const report = await runDoctor({ rpc: anvil.url, limits });
      expect(check(report, "evm")).to.include({
        status: "fail",
        message: "the node's EVM lacks PUSH0 (Shanghai), MCOPY (Cancun), which the contracts use",
      });
      expect(check(report, "evm").fix).to.include("shanghaiTime, cancunTime: 0");
    } finally {
      await anvil.stop();
    }
  });

  it("passes on the in-process Hardhat chain served over HTTP, warning that it quotes a gas price", async function () {
    const server = await network.createServer({ override: { initialBaseFeePerGas: 0n, minGasPrice: 0n } }, "127.0.0.1", 0);
    const { port } = await server.listen();
    try {
      const rpc = `http://127.0.0.1:${port}`;
      const deployment = await deployOn(rpc);
      const relayer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"; // Hardhat's first account, funded
      const report = await runDoctor({ rpc, deployment, limits, relayer });
      expect(report.ok).to.equal(true);
      expect(report.checks.filter((c) => c.status !== "pass").map((c) => c.id)).to.deep.equal(["client", "gas"]);
      expect(check(report, "client").message).to.match(/^HardhatNetwork\/3\.\d+\.\d+\/@nomicfoundation\/edr\/[\d.]+: not Besu/);
      // EDR quotes its 1 gwei priority fee whatever the base fee; its accounts are funded, so on chain 31337 that is a warning.
      expect(check(report, "gas").message).to.match(/^gas is not free \(gas price [\d,]+ wei, base fee 0 wei\) on development chain 31337/);
      for (const id of ["chain-id", "evm", "block-period", "registry", "council", "forwarder", "references", "relayer", "limits"]) expect(check(report, id).status, id).to.equal("pass");
    } finally {
      await server.close();
    }
  });

  it("reports an unreachable node as one failed check and exits 1", async function () {
    const report = await runDoctor({ rpc: "http://127.0.0.1:9", limits });
    expect(report.ok).to.equal(false);
    expect(report.checks.map((c) => [c.id, c.status])).to.deep.equal([["node", "fail"]]);
    const dir = await mkdtemp(join(tmpdir(), "tradeproof-doctor-"));
    try {
      const file = join(dir, "deployment.json");
      await writeFile(file, JSON.stringify({ chainId: 31337, registry: Wallet.createRandom().address, council: Wallet.createRandom().address, forwarder: Wallet.createRandom().address }));
      const run = await runCli(["doctor", "--rpc", "http://127.0.0.1:9", "--deployment", file]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.match(/^✗ node {9}no answer from http:\/\/127\.0\.0\.1:9 /);
      // A deployment file named but missing is a usage error, before any check.
      const missing = await runCli(["doctor", "--rpc", "http://127.0.0.1:9", "--deployment", join(dir, "nothing.json")]);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.include("no deployment file at");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("probes an opcode with creation code that runs it once, without relying on PUSH0", function () {
    expect(probeCode({ opcode: 0x5e, inputs: 3, outputs: 0 })).to.equal("0x6000600060005e60006000f3");
    expect(probeCode({ opcode: 0x5c, inputs: 1, outputs: 1 })).to.equal("0x60005c5060006000f3");
    // PUSH data and the CBOR metadata are not read as opcodes: 0x5f inside PUSH2's data is not PUSH0.
    expect([...opcodesOf("0x615f5f00aabb0002")].sort()).to.deep.equal([0x00, 0x61]);
  });
});
