import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Wallet, keccak256 } from "ethers";
import { SqliteStore } from "../../api/store/sqlite.js";

/** The relay queue's table as files written before the migration have it. */
const OLD_REQUESTS = `
CREATE TABLE requests (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  from_addr TEXT NOT NULL, to_addr TEXT NOT NULL, value TEXT NOT NULL, gas TEXT NOT NULL,
  nonce TEXT NOT NULL, deadline INTEGER NOT NULL, data TEXT NOT NULL, signature TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'submitted', 'mined', 'failed')),
  tx_hash TEXT, raw_tx TEXT, block_number INTEGER, reason TEXT, reason_code TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  UNIQUE (from_addr, nonce)
);
CREATE INDEX requests_status ON requests (status, seq);`;

const insert = (db: DatabaseSync, id: string, seq: number, nonce: string, status: string) =>
  db
    .prepare(
      `INSERT INTO requests (id, seq, from_addr, to_addr, value, gas, nonce, deadline, data, signature, status, created_at, updated_at)
       VALUES (?, ?, '0xabc', '0xdef', '0', '100000', ?, 0, '0x', '0x', ?, 0, 0)`,
    )
    .run(id, seq, nonce, status);

describe("SQLite store: the relay queue's table, and files written before versioned migrations", function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tradeproof-store-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("takes a failed request's nonce again, but never a live one twice", async function () {
    const store = new SqliteStore(join(dir, "api.sqlite"));
    try {
      insert(store.db, "a", 1, "7", "failed");
      insert(store.db, "b", 2, "7", "queued");
      expect(() => insert(store.db, "c", 3, "7", "queued")).to.throw(/UNIQUE/);
      expect(() => insert(store.db, "d", 4, "7", "mined")).to.throw(/UNIQUE/);
    } finally {
      await store.close();
    }
  });

  it("rebuilds a file of the earlier schema without losing a row, with its indexes", async function () {
    const file = join(dir, "api.sqlite");
    const old = new DatabaseSync(file);
    old.exec(OLD_REQUESTS);
    insert(old, "a", 1, "7", "failed");
    insert(old, "b", 2, "8", "mined");
    expect(() => insert(old, "c", 3, "7", "queued")).to.throw(/UNIQUE/);
    old.close();

    const store = new SqliteStore(file);
    try {
      const rows = store.db.prepare("SELECT id, nonce, status FROM requests ORDER BY seq").all();
      expect(rows).to.deep.equal([
        { id: "a", nonce: "7", status: "failed" },
        { id: "b", nonce: "8", status: "mined" },
      ]);
      insert(store.db, "c", 3, "7", "queued");
      expect(() => insert(store.db, "d", 4, "8", "queued")).to.throw(/UNIQUE/);
      const indexes = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests' AND sql IS NOT NULL").all() as { name: string }[]).map((r) => r.name);
      expect(indexes.sort()).to.deep.equal(["requests_live_nonce", "requests_status", "requests_tx"]);
      expect(store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'requests_before_migration'").get()).to.equal(undefined);
    } finally {
      await store.close();
    }
    // Opening it again changes nothing.
    const again = new SqliteStore(file);
    expect((again.db.prepare("SELECT COUNT(*) AS n FROM requests").get() as { n: number }).n).to.equal(3);
    await again.close();
  });

  it("a file from before relayer transactions keeps a transaction in flight, now as the relayer's, and its request linked to it", async function () {
    const file = join(dir, "api.sqlite");
    const old = new DatabaseSync(file);
    old.exec(OLD_REQUESTS.replace(",\n  UNIQUE (from_addr, nonce)", "") + "\nCREATE UNIQUE INDEX requests_live_nonce ON requests (from_addr, nonce) WHERE status <> 'failed';");
    const relayer = Wallet.createRandom();
    const raw = await relayer.signTransaction({ to: relayer.address, nonce: 5, gasLimit: 21_000n, gasPrice: 0n, chainId: 31337n });
    const hash = keccak256(raw);
    insert(old, "sent", 1, "3", "submitted");
    old.prepare("UPDATE requests SET tx_hash = ?, raw_tx = ?, updated_at = 1234 WHERE id = 'sent'").run(hash, raw);
    insert(old, "waiting", 2, "4", "queued");
    old.close();

    const store = new SqliteStore(file);
    try {
      expect(store.db.prepare("SELECT hash, nonce, raw, status, sent_at FROM relay_txs").all()).to.deep.equal([{ hash, nonce: 5, raw, status: "pending", sent_at: 1234 }]);
      expect(store.db.prepare("SELECT id, status, tx_hash, raw_tx, solo FROM requests ORDER BY seq").all()).to.deep.equal([
        { id: "sent", status: "submitted", tx_hash: hash, raw_tx: null, solo: 0 },
        { id: "waiting", status: "queued", tx_hash: null, raw_tx: null, solo: 0 },
      ]);
    } finally {
      await store.close();
    }
    const again = new SqliteStore(file);
    expect((again.db.prepare("SELECT COUNT(*) AS n FROM relay_txs").get() as { n: number }).n).to.equal(1);
    await again.close();
  });
});
