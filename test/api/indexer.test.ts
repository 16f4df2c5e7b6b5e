import { expect } from "chai";
import { join } from "node:path";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { ethers } from "ethers";
import { auditCsv, queryAudit } from "../../api/audit/audit.js";
import { Indexer } from "../../api/indexer/indexer.js";
import { verifyIndex } from "../../api/indexer/verify.js";
import { SqliteStore } from "../../api/store/sqlite.js";
import { Anvil, deployConsortium, DocType, tempDir, type Consortium } from "./helpers.js";

const hash = (label: string) => ethers.keccak256(ethers.toUtf8Bytes(label)).toLowerCase();

/** Hashes in the standard tree's leaf order, as registerPublicBatch wants them. */
function leafOrder(hashes: string[]) {
  const t = StandardMerkleTree.of(hashes.map((h) => [h]), ["bytes32"]);
  return { root: t.root, ordered: [...hashes].sort((a, b) => (t.leafHash([a]) < t.leafHash([b]) ? -1 : 1)) };
}

describe("audit index", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let c: Consortium;
  let dir: string;
  const docs = { invoice: hash("invoice"), amended: hash("amended"), coo: hash("coo"), leaves: [hash("a"), hash("b"), hash("c")] };
  let batch: ReturnType<typeof leafOrder>;

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    dir = tempDir();
    const r = c.registry;
    batch = leafOrder(docs.leaves);
    await (await r.connect(c.trader).register(docs.invoice, DocType.INVOICE)).wait();
    await (await r.connect(c.trader).register(docs.amended, DocType.INVOICE)).wait();
    await (await r.connect(c.trader).supersede(docs.invoice, docs.amended)).wait();
    await (await r.connect(c.officer1).register(docs.coo, DocType.CERTIFICATE_OF_ORIGIN)).wait();
    await (await r.connect(c.officer2).approve(docs.coo)).wait();
    await (await r.connect(c.trader2).registerPublicBatch(batch.ordered, DocType.INVOICE)).wait();
    await (await r.connect(c.customs).attest(docs.coo, 1, 0)).wait();
    await (await r.connect(c.trader).revoke(docs.amended, "issued in error")).wait();
  });

  after(async function () {
    c?.provider.destroy();
    await anvil?.stop();
  });

  it("stores every registry and council event once, with the anchor's document type on later events", async function () {
    const store = new SqliteStore(join(dir, "a.sqlite"));
    const indexer = new Indexer({ provider: c.provider, contracts: c.deployment, store });
    const stored = await indexer.syncOnce();
    const rows = store.db.prepare("SELECT name, action, anchor, doc_type, organisation FROM events ORDER BY block, log_index").all() as Record<string, unknown>[];
    expect(stored).to.equal(rows.length);
    const names = rows.map((r) => r.name);
    expect(names.filter((n) => n === "OrganisationAdded")).to.have.length(6);
    expect(names).to.include.members(["ProposalCreated", "ProposalApproved", "ProposalExecuted", "DocumentPolicySet", "DocumentRegistered", "DocumentSuperseded", "DocumentApproved", "BatchRegistered", "BatchLeaves", "DocumentAttested", "DocumentRevoked"]);
    const approved = rows.find((r) => r.name === "DocumentApproved")!;
    expect(approved).to.deep.include({ action: "APPROVED", anchor: docs.coo, doc_type: DocType.CERTIFICATE_OF_ORIGIN, organisation: 2 });
    const revoked = rows.find((r) => r.name === "DocumentRevoked")!;
    expect(revoked).to.deep.include({ action: "REVOKED", anchor: docs.amended, doc_type: DocType.INVOICE, organisation: 1 });
    const leaves = store.db.prepare("SELECT doc_hash FROM leaves WHERE root = ? ORDER BY position").all(batch.root) as { doc_hash: string }[];
    expect(leaves.map((l) => l.doc_hash)).to.deep.equal(batch.ordered);
    expect(await indexer.cursor()).to.equal(await c.provider.getBlockNumber());
    expect(await indexer.lag()).to.equal(0);
    await store.close();
  });

  it("indexing the same blocks again stores nothing new", async function () {
    const store = new SqliteStore(join(dir, "a.sqlite"));
    const indexer = new Indexer({ provider: c.provider, contracts: c.deployment, store });
    const before = (store.db.prepare("SELECT COUNT(*) AS n FROM events").get() as { n: number }).n;
    expect(await indexer.indexRange(c.deployment.startBlock, await indexer.cursor())).to.equal(0);
    expect((store.db.prepare("SELECT COUNT(*) AS n FROM events").get() as { n: number }).n).to.equal(before);
    await store.close();
  });

  it("a restarted indexer resumes from its cursor and picks up only the new blocks", async function () {
    const store = new SqliteStore(join(dir, "a.sqlite"));
    const indexer = new Indexer({ provider: c.provider, contracts: c.deployment, store });
    const cursor = await indexer.cursor();
    await (await c.registry.connect(c.agency).attest(docs.invoice, 3, 7)).wait();
    expect(await indexer.syncOnce()).to.equal(1);
    expect(await indexer.cursor()).to.equal(cursor + 1);
    const row = store.db.prepare("SELECT action, doc_hash, details FROM events WHERE block = ?").get(cursor + 1) as Record<string, string>;
    expect(row.action).to.equal("ATTESTED");
    expect(row.doc_hash).to.equal(docs.invoice);
    expect(JSON.parse(row.details)).to.deep.equal({ outcome: "INSPECTED", reasonCode: 7 });
    await store.close();
  });

  it("leaves the last blocks alone until they have the configured confirmations", async function () {
    const store = new SqliteStore(join(dir, "b.sqlite"));
    const indexer = new Indexer({ provider: c.provider, contracts: c.deployment, store, confirmations: 3 });
    await indexer.syncOnce();
    expect(await indexer.cursor()).to.equal((await c.provider.getBlockNumber()) - 3);
    expect(await indexer.lag()).to.equal(3);
    await store.close();
  });

  it("refuses to extend an index built for another registry", async function () {
    const store = new SqliteStore(join(dir, "a.sqlite"));
    const other = new Indexer({ provider: c.provider, contracts: { ...c.deployment, registry: "0x000000000000000000000000000000000000dead" }, store });
    const err = await other.syncOnce().then(() => undefined, (e: Error) => e);
    expect(err?.message).to.equal(`The index in this data dir belongs to registry ${c.deployment.registry}, not 0x000000000000000000000000000000000000dead; use another data dir.`);
    await store.close();
  });

  it("index verify finds no difference in a faithful index", async function () {
    const store = new SqliteStore(join(dir, "a.sqlite"));
    const report = await verifyIndex({ provider: c.provider, contracts: c.deployment, store });
    expect(report.ok).to.equal(true);
    expect(report.differences).to.deep.equal([]);
    expect(report.chainEvents).to.equal(report.indexedEvents);
    await store.close();
  });

  it("catching up to a mined block does not stop at a sync under way that read the head before that block", async function () {
    let head = 5;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let heads = 0;
    // A node whose first answer of the head is slow: the sync that asked it is still under way when block 6 is mined.
    const provider = {
      send: async (method: string) => {
        if (method === "eth_getLogs") return [];
        if (method !== "eth_blockNumber") throw new Error(`unexpected ${method}`);
        const h = head;
        if (heads++ === 0) await held;
        return ethers.toQuantity(h);
      },
    } as unknown as ethers.JsonRpcApiProvider;
    const store = new SqliteStore(join(dir, "catch-up.sqlite"));
    const indexer = new Indexer({ provider, contracts: { registry: ethers.ZeroAddress, council: ethers.ZeroAddress, startBlock: 1 }, store });
    const underway = indexer.syncOnce();
    head = 6;
    const caught = indexer.catchUp(6);
    release();
    await Promise.all([underway, caught]);
    expect(indexer.head).to.equal(6);
    expect(await indexer.cursor()).to.equal(6);
    await store.close();
  });

  it("index verify reports a missing, an extra and a changed event and tampered leaves", async function () {
    const store = new SqliteStore(join(dir, "a.sqlite"));
    const db = store.db;
    const registered = db.prepare("SELECT block, log_index FROM events WHERE name = 'DocumentRegistered' ORDER BY block LIMIT 1").get() as { block: number; log_index: number };
    db.prepare("DELETE FROM events WHERE block = ? AND log_index = ?").run(registered.block, registered.log_index);
    const revoked = db.prepare("SELECT block, log_index FROM events WHERE name = 'DocumentRevoked'").get() as { block: number; log_index: number };
    db.prepare("UPDATE events SET details = ? WHERE block = ? AND log_index = ?").run(JSON.stringify({ reason: "forged" }), revoked.block, revoked.log_index);
    db.prepare("INSERT INTO events (block, log_index, tx_hash, at, contract, name, action, details) VALUES (?, 99, '0x00', 0, 'registry', 'DocumentRegistered', 'REGISTERED', '{}')").run(registered.block);
    db.prepare("UPDATE leaves SET doc_hash = ? WHERE root = ? AND position = 0").run(hash("forged"), batch.root);
    const report = await verifyIndex({ provider: c.provider, contracts: c.deployment, store });
    expect(report.ok).to.equal(false);
    expect(report.differences.map((d) => [d.kind, d.name, d.field])).to.have.deep.members([
      ["missing", "DocumentRegistered", undefined],
      ["different", "DocumentRevoked", "details"],
      ["extra", "DocumentRegistered", undefined],
      ["different", "BatchLeaves", "leaves"],
    ]);
    const changed = report.differences.find((d) => d.field === "details")!;
    expect(changed.chain).to.equal(JSON.stringify({ reason: "issued in error" }));
    expect(changed.index).to.equal(JSON.stringify({ reason: "forged" }));
    await store.close();
  });

  it("CSV export quotes fields with commas, quotes and line breaks (RFC 4180)", async function () {
    const store = new SqliteStore(join(dir, "csv.sqlite"));
    store.db
      .prepare("INSERT INTO events (block, log_index, tx_hash, at, contract, name, action, anchor, doc_hash, organisation, account, doc_type, details) VALUES (1, 0, '0xaa', 0, 'registry', 'DocumentRevoked', 'REVOKED', '0xbb', NULL, 2, '0xcc', 861, ?)")
      .run(JSON.stringify({ reason: 'wrong "origin", see\nletter' }));
    const lines: string[] = [];
    for await (const line of auditCsv(store, {})) lines.push(line);
    expect(lines).to.have.length(2);
    // Organisation 2 was never seen admitted by this index: its name, country and kind are empty.
    expect(lines[1]).to.equal(`1,0,0xaa,1970-01-01T00:00:00Z,registry,DocumentRevoked,REVOKED,0xbb,,,2,,,,0xcc,861,"{""reason"":""wrong \\""origin\\"", see\\nletter""}"\r\n`);
    await store.close();
  });

  it("audit pages walk every event once, in order, with filters", async function () {
    const store = new SqliteStore(join(dir, "b.sqlite"));
    await new Indexer({ provider: c.provider, contracts: c.deployment, store }).syncOnce();
    const all = (store.db.prepare("SELECT COUNT(*) AS n FROM events").get() as { n: number }).n;
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await queryAudit(store, { limit: 4, cursor });
      seen.push(...page.events.map((e) => `${e.blockNumber}:${e.logIndex}`));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).to.have.length(all);
    expect(new Set(seen).size).to.equal(all);
    const byType = await queryAudit(store, { limit: 100, docType: DocType.CERTIFICATE_OF_ORIGIN });
    expect(byType.events.map((e) => e.action)).to.deep.equal(["DOCUMENT_POLICY_SET", "REGISTERED", "APPROVED", "ATTESTED"]);
    const byOrg = await queryAudit(store, { limit: 100, organisation: 3, action: "ATTESTED" });
    expect(byOrg.events).to.have.length(1);
    expect(byOrg.events[0]).to.deep.include({ docHash: docs.coo, account: c.customs.address.toLowerCase(), docType: "861", details: { outcome: "ACCEPTED", reasonCode: 0 } });
    expect((await queryAudit(store, { limit: 100, from: 4_000_000_000 })).events).to.deep.equal([]);
    await store.close();
  });
});
