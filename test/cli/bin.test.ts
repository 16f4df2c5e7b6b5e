// The installed command (node_modules/.bin/tradeproof → scripts/tradeproof.mjs) as a user runs it: from any
// folder, with whichever `node` the shell finds first, the built JavaScript or else the TypeScript.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { hashFile } from "../../sdk/index.js";
import { ROOT } from "./harness.js";

const BIN = join(ROOT, "node_modules", ".bin", "tradeproof");
const SAMPLE = "/work/shared/samples/commercial-invoice.json";

describe("the installed tradeproof command", function () {
  this.timeout(60_000);
  // The shell's PATH without the project's node_modules/.bin, whose `node` npx would put first; no colour (CI may
  // force it) and none of the caller's TRADEPROOF_ settings.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TRADEPROOF_") && k !== "FORCE_COLOR" && k !== "DEBUG"));
  const env = { ...base, NO_COLOR: "1", PATH: (process.env.PATH ?? "").split(":").filter((p) => !p.includes("node_modules")).join(":") };
  const run = (args: string[]) => spawnSync(BIN, args, { cwd: tmpdir(), env, encoding: "utf8" });

  before(function () {
    const found = spawnSync("sh", ["-c", "command -v node"], { env, encoding: "utf8" });
    // `#!/usr/bin/env node` needs some node on PATH; the command then moves to the project's Node 22 itself.
    if (found.status !== 0) throw new Error(`no node on PATH (${env.PATH}) to start ${BIN}`);
  });

  it("is linked by npm install and runs from another folder, quietly", function () {
    expect(existsSync(BIN)).to.equal(true);
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = run(["--version"]);
    expect([r.status, r.stdout, r.stderr]).to.deep.equal([0, `${version}\n`, ""]);
  });

  it("hashes a file like the SDK, with nothing on stderr", async function () {
    const r = run(["hash", SAMPLE]);
    expect([r.status, r.stderr]).to.deep.equal([0, ""]);
    expect(r.stdout).to.equal(`${await hashFile(SAMPLE)}  ${SAMPLE}\n`);
  });

  it("hashes 2,000 files or more on worker threads, like the SDK", async function () {
    // piscina was bundled into the built command without the worker file it starts its threads from.
    const dir = mkdtempSync(join(tmpdir(), "tradeproof-hash-many-"));
    const files = Array.from({ length: 2_100 }, (_, i) => join(dir, `doc-${i}.json`));
    files.forEach((f, i) => writeFileSync(f, JSON.stringify({ invoice: i })));
    const r = run(["hash", ...files]);
    expect([r.status, r.stderr]).to.deep.equal([0, ""]);
    const lines = r.stdout.trim().split("\n");
    expect(lines.length).to.equal(files.length);
    for (const i of [0, 1_234, 2_099]) expect(lines[i]).to.equal(`${await hashFile(files[i]!)}  ${files[i]}`);
  });

  it("ends quietly when its output is piped into a reader that stops early", function () {
    const r = spawnSync("sh", ["-c", `"${BIN}" --help | head -1`], { cwd: tmpdir(), env, encoding: "utf8" });
    expect([r.status, r.stdout, r.stderr]).to.deep.equal([0, "Usage: tradeproof [options] [command]\n", ""]);
  });

  it("--help and hash load neither ethers, nor the contracts, nor SQLite; a ledger command does", function () {
    // The packages are bundled into dist/: which sources a start loaded is read from the chunks it imported
    // (a module hook names them) and the build's metafile (the sources in each chunk, and Node modules it imports).
    expect(existsSync(join(ROOT, "dist", "meta.json")), "npm run build").to.equal(true);
    const meta = JSON.parse(readFileSync(join(ROOT, "dist", "meta.json"), "utf8")) as {
      outputs: Record<string, { inputs: Record<string, unknown>; imports: { path: string; external?: boolean }[] }>;
    };
    const hook = join(mkdtempSync(join(tmpdir(), "tradeproof-loads-")), "hook.mjs");
    writeFileSync(hook, [
      'import { register } from "node:module";',
      `register("data:text/javascript," + encodeURIComponent(${JSON.stringify(
        "export async function resolve(specifier, context, next) {\n" +
          "  const r = await next(specifier, context);\n" +
          '  process.stderr.write("loaded " + r.url + "\\n");\n' +
          "  return r;\n}",
      )}));`,
    ].join("\n"));
    const heavy = /node_modules\/ethers\/|ethers-contracts|^node:sqlite$/;
    const loads = (args: string[]) => {
      const r = spawnSync(process.execPath, ["--import", hook, join(ROOT, "dist", "tradeproof.mjs"), ...args], { cwd: tmpdir(), encoding: "utf8" });
      const urls = r.stderr.split("\n").filter((l) => l.startsWith("loaded ")).map((l) => l.slice("loaded ".length));
      const chunks = urls.filter((u) => u.startsWith("file:") && u.includes("/dist/")).map((u) => `dist/${u.slice(u.lastIndexOf("/") + 1)}`);
      expect(chunks, `chunks loaded by ${args[0]}`).to.not.be.empty;
      const sources = chunks.flatMap((c) => Object.keys(meta.outputs[c]?.inputs ?? {}));
      return [...new Set([...sources, ...urls].filter((s) => heavy.test(s)).map((s) => (s.includes("node_modules/ethers/") ? "ethers" : s)))];
    };
    expect(loads(["--help"])).to.deep.equal([]);
    expect(loads(["hash", SAMPLE])).to.deep.equal([]);
    expect(loads(["attest", "--help"])).to.deep.equal([]);
    // a command that reads the ledger loads ethers (it fails here, with no node to ask, after loading it)
    expect(loads(["members", "--rpc", "http://127.0.0.1:9", "--deployment", SAMPLE])).to.include("ethers");
  });

  it("finds the deployment file from any folder: the current folder's data/, TRADEPROOF_DATA_DIR, then the project's data/", async function () {
    const { deploymentCandidates } = await import("../../scripts/cli/context.js");
    const here = process.cwd();
    const candidates = deploymentCandidates({ TRADEPROOF_DATA_DIR: "/srv/tradeproof" });
    expect(candidates.map((c) => c.path)).to.deep.equal([join(here, "data", "deployment.json"), "/srv/tradeproof/deployment.json", join(ROOT, "data", "deployment.json")].filter((p, i, all) => all.indexOf(p) === i));
    expect(candidates.map((c) => c.why)).to.include("TRADEPROOF_DATA_DIR");

    // From another folder, the API's data folder names the deployment (of a chain nobody serves here: the command
    // gets as far as asking its node, exit 3, which it could not without the file).
    const data = mkdtempSync(join(tmpdir(), "tradeproof-data-"));
    const address = (n: number) => `0x${String(n).padStart(40, "0")}`;
    writeFileSync(join(data, "deployment.json"), JSON.stringify({ chainId: 31337, registry: address(1), council: address(2), forwarder: address(3), startBlock: 0 }));
    const found = spawnSync(BIN, ["members", "--rpc", "http://127.0.0.1:9"], { cwd: tmpdir(), env: { ...env, TRADEPROOF_DATA_DIR: data }, encoding: "utf8" });
    expect([found.status, found.stderr]).to.deep.equal([3, "error: The blockchain node at http://127.0.0.1:9 did not answer; no verdict was reached.\n"]);
    const missing = spawnSync(BIN, ["members", "--deployment", join(data, "nothing.json")], { cwd: tmpdir(), env, encoding: "utf8" });
    expect([missing.status, missing.stderr]).to.deep.equal([2, `error: no deployment file at ${join(data, "nothing.json")} (from --deployment or TRADEPROOF_DEPLOYMENT)\n`]);
  });
});
