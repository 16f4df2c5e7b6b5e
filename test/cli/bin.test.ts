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
  // The shell's PATH without the project's node_modules/.bin, whose `node` npx would put first.
  const env = { ...process.env, PATH: (process.env.PATH ?? "").split(":").filter((p) => !p.includes("node_modules")).join(":") };
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

  it("ends quietly when its output is piped into a reader that stops early", function () {
    const r = spawnSync("sh", ["-c", `"${BIN}" --help | head -1`], { cwd: tmpdir(), env, encoding: "utf8" });
    expect([r.status, r.stdout, r.stderr]).to.deep.equal([0, "Usage: tradeproof [options] [command]\n", ""]);
  });

  it("--help and hash load neither ethers, nor the contracts, nor SQLite; a ledger command does", function () {
    // A module hook that names every module loaded from node_modules/ethers, the contracts' types or node:sqlite.
    const hook = join(mkdtempSync(join(tmpdir(), "tradeproof-loads-")), "hook.mjs");
    writeFileSync(hook, [
      'import { register } from "node:module";',
      `register("data:text/javascript," + encodeURIComponent(${JSON.stringify(
        "export async function resolve(specifier, context, next) {\n" +
          "  const r = await next(specifier, context);\n" +
          '  if (/node_modules\\/ethers\\/|ethers-contracts|^node:sqlite$/.test(r.url)) process.stderr.write("loaded " + r.url + "\\n");\n' +
          "  return r;\n}",
      )}));`,
    ].join("\n"));
    const loads = (args: string[]) => {
      const r = spawnSync(process.execPath, ["--import", hook, join(ROOT, "dist", "tradeproof.mjs"), ...args], { cwd: tmpdir(), encoding: "utf8" });
      return r.stderr.split("\n").filter((l) => l.startsWith("loaded "));
    };
    expect(existsSync(join(ROOT, "dist", "tradeproof.mjs")), "npm run build").to.equal(true);
    expect(loads(["--help"])).to.deep.equal([]);
    expect(loads(["hash", SAMPLE])).to.deep.equal([]);
    expect(loads(["attest", "--help"])).to.deep.equal([]);
    // a command that reads the ledger loads ethers (it fails here, with no node to ask, after loading it)
    expect(loads(["members", "--rpc", "http://127.0.0.1:9", "--deployment", SAMPLE]).join()).to.contain("node_modules/ethers/");
  });
});
