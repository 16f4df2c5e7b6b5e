import { expect } from "chai";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ethers } from "ethers";
import { Indexer } from "../../api/indexer/indexer.js";
import { SqliteStore } from "../../api/store/sqlite.js";
import { Anvil, deployConsortium, DocType, tempDir, type Consortium } from "../api/helpers.js";
import { runCli } from "./harness.js";

describe("tradeproof index verify", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let c: Consortium;
  let env: Record<string, string>;

  /** A data folder of its own for each test, with an index synced to the chain: no test sees another's changes. */
  async function freshIndex(): Promise<string> {
    const dataDir = tempDir();
    const store = new SqliteStore(join(dataDir, "api.sqlite"));
    await new Indexer({ provider: c.provider, contracts: c.deployment, store }).syncOnce();
    await store.close();
    return dataDir;
  }

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    const doc = ethers.keccak256(ethers.toUtf8Bytes("index verify invoice"));
    await (await c.registry.connect(c.trader).register(doc, DocType.INVOICE)).wait();
    await (await c.registry.connect(c.trader).revoke(doc, "issued in error")).wait();
    const deploymentFile = join(tempDir(), "deployment.json");
    writeFileSync(deploymentFile, JSON.stringify(c.deployment));
    env = { TRADEPROOF_RPC: anvil.url, TRADEPROOF_DEPLOYMENT: deploymentFile };
  });

  after(async function () {
    c?.provider.destroy();
    await anvil?.stop();
  });

  it("says the index matches the chain and exits 0 when it does", async function () {
    const run = await runCli(["index", "verify"], { ...env, TRADEPROOF_DATA_DIR: await freshIndex() });
    expect(run.stderr).to.not.match(/Error/);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.contain("index matches the chain");
  });

  it("lists a changed event field by field and exits 1", async function () {
    const dataDir = await freshIndex();
    const store = new SqliteStore(join(dataDir, "api.sqlite"));
    store.db.prepare("UPDATE events SET details = ? WHERE name = 'DocumentRevoked'").run(JSON.stringify({ reason: "forged" }));
    await store.close();
    const run = await runCli(["index", "verify", "--json"], { ...env, TRADEPROOF_DATA_DIR: dataDir });
    expect(run.code).to.equal(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; differences: { kind: string; name: string; field?: string }[] };
    expect(report.ok).to.equal(false);
    expect(report.differences.map((d) => [d.kind, d.name, d.field])).to.deep.equal([["different", "DocumentRevoked", "details"]]);
  });

  it("names the missing index instead of failing obscurely", async function () {
    const run = await runCli(["index", "verify", "--data-dir", tempDir()], env);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain("no audit index");
  });
});
