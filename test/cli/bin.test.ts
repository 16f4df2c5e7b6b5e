// The installed command (node_modules/.bin/tradeproof → scripts/tradeproof.mjs) as a user runs it: from any
// folder, with whichever `node` the shell finds first, the built JavaScript or else the TypeScript.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
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
});
