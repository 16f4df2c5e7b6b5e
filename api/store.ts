import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { Transaction } from "ethers";

/**
 * Schema of the API's one SQLite file: the audit index (events, public batch leaves, anchors),
 * the relay queue (requests, and the relayer's transactions that carry them), SIWE nonces, small key/value
 * state (index cursor), the status-list index of each document a credential was issued for, and the status lists' bits.
 * Events are keyed by (block, logIndex), so indexing the same log twice is a no-op. Every audit
 * filter combination has an index that starts with its equality columns and ends in
 * (block, log_index), so a page is one range scan in key order (keyset pagination); a time range is
 * turned into a block range first (block times only grow), so it narrows the same scans.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nonces (
  nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, used_at INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS requests (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  from_addr TEXT NOT NULL, to_addr TEXT NOT NULL, value TEXT NOT NULL, gas TEXT NOT NULL,
  nonce TEXT NOT NULL, deadline INTEGER NOT NULL, data TEXT NOT NULL, signature TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'submitted', 'mined', 'failed')),
  tx_hash TEXT, raw_tx TEXT, block_number INTEGER, reason TEXT, reason_code TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  solo INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS requests_tx ON requests (tx_hash) WHERE tx_hash IS NOT NULL;
CREATE TABLE IF NOT EXISTS relay_txs (
  hash TEXT PRIMARY KEY, nonce INTEGER NOT NULL, raw TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'dropped')),
  sent_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS relay_txs_pending ON relay_txs (status, nonce);
CREATE INDEX IF NOT EXISTS requests_status ON requests (status, seq);
CREATE UNIQUE INDEX IF NOT EXISTS requests_live_nonce ON requests (from_addr, nonce) WHERE status <> 'failed';
CREATE TABLE IF NOT EXISTS events (
  block INTEGER NOT NULL, log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL, at INTEGER NOT NULL,
  contract TEXT NOT NULL, name TEXT NOT NULL, action TEXT NOT NULL,
  anchor TEXT, doc_hash TEXT, related TEXT, organisation INTEGER, account TEXT, doc_type INTEGER,
  details TEXT NOT NULL,
  PRIMARY KEY (block, log_index)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_org ON events (organisation, block, log_index);
CREATE INDEX IF NOT EXISTS events_org_type ON events (organisation, doc_type, block, log_index);
CREATE INDEX IF NOT EXISTS events_org_action ON events (organisation, action, block, log_index);
CREATE INDEX IF NOT EXISTS events_type ON events (doc_type, block, log_index);
CREATE INDEX IF NOT EXISTS events_type_action ON events (doc_type, action, block, log_index);
CREATE INDEX IF NOT EXISTS events_action ON events (action, block, log_index);
CREATE INDEX IF NOT EXISTS events_at ON events (at, block);
CREATE INDEX IF NOT EXISTS events_anchor ON events (anchor, block, log_index);
CREATE INDEX IF NOT EXISTS events_doc ON events (doc_hash, block, log_index);
CREATE INDEX IF NOT EXISTS events_related ON events (related) WHERE related IS NOT NULL;
CREATE TABLE IF NOT EXISTS anchors (anchor TEXT PRIMARY KEY, kind TEXT NOT NULL, doc_type INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leaves (
  root TEXT NOT NULL, position INTEGER NOT NULL, doc_hash TEXT NOT NULL, PRIMARY KEY (root, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS leaves_doc ON leaves (doc_hash);
CREATE TABLE IF NOT EXISTS credential_status (
  doc_hash TEXT PRIMARY KEY, idx INTEGER NOT NULL UNIQUE, anchor TEXT NOT NULL, receipt TEXT, assigned_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS credential_status_anchor ON credential_status (anchor);
CREATE TABLE IF NOT EXISTS status_bits (purpose TEXT NOT NULL, list INTEGER NOT NULL, bits BLOB NOT NULL, PRIMARY KEY (purpose, list)) WITHOUT ROWID;
`;

/** The API's SQLite database (node:sqlite, WAL). One per process; the file survives restarts. */
export class Store {
  readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

  /**
   * The prepared statement of `sql`, prepared once per store: the relay paths run the same few statements for every
   * request, and preparing them anew each time was a tenth of what accepting a request cost.
   */
  prepare(sql: string): StatementSync {
    let stmt = this.statements.get(sql);
    if (!stmt) this.statements.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }

  constructor(readonly file: string) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.db = new DatabaseSync(file);
    // WAL: readers (API requests) never wait for the indexer's write transactions.
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    // 64 MiB of page cache: the audit indexes take inserts at scattered positions during catch-up.
    this.db.exec("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;");
    this.migrate();
    this.db.exec(SCHEMA);
    this.adoptLegacyTransactions();
  }

  /**
   * Files written before the relay queue let a failed request's nonce be signed again had UNIQUE (from_addr,
   * nonce) on the whole table: a request that failed on chain leaves the forwarder's nonce unused, so the
   * member's next request needs that nonce, and the old constraint refused it for ever. The table is rebuilt
   * without it, its rows kept; the schema's partial index then guards only live requests.
   */
  private migrate(): void {
    this.migrateUniqueNonce();
    this.migrateRelayTransactions();
  }

  /**
   * Files written before the relayer sent many requests per transaction keep a request's signed transaction on its
   * row and have no `solo` column: the column is added, and a transaction still in flight moves to relay_txs (once
   * the schema exists) so that the worker settles or re-sends it like its own.
   */
  private migrateRelayTransactions(): void {
    const columns = this.db.prepare("SELECT name FROM pragma_table_info('requests')").all() as { name: string }[];
    if (columns.length > 0 && !columns.some((c) => c.name === "solo")) this.db.exec("ALTER TABLE requests ADD COLUMN solo INTEGER NOT NULL DEFAULT 0");
  }

  private adoptLegacyTransactions(): void {
    const inFlight = this.db.prepare("SELECT id, tx_hash, raw_tx, updated_at FROM requests WHERE status = 'submitted' AND raw_tx IS NOT NULL").all() as { id: string; tx_hash: string; raw_tx: string; updated_at: number }[];
    if (inFlight.length === 0) return;
    this.tx(() => {
      for (const r of inFlight) {
        this.db
          .prepare("INSERT OR IGNORE INTO relay_txs (hash, nonce, raw, status, sent_at) VALUES (?, ?, ?, 'pending', ?)")
          .run(r.tx_hash, Transaction.from(r.raw_tx).nonce, r.raw_tx, r.updated_at);
        this.db.prepare("UPDATE requests SET raw_tx = NULL WHERE id = ?").run(r.id);
      }
    });
  }

  private migrateUniqueNonce(): void {
    const old = this.db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'requests'").get() as { sql: string } | undefined;
    if (!old || !/UNIQUE \(from_addr, nonce\)/.test(old.sql)) return;
    this.tx(() => {
      this.db.exec("ALTER TABLE requests RENAME TO requests_before_migration");
      // Its indexes went with it under their names: drop them so that the schema creates them on the new table.
      this.db.exec("DROP INDEX IF EXISTS requests_status");
      this.db.exec(SCHEMA);
      const columns = (this.db.prepare("SELECT name FROM pragma_table_info('requests_before_migration')").all() as { name: string }[]).map((c) => c.name).join(", ");
      this.db.exec(`INSERT INTO requests (${columns}) SELECT ${columns} FROM requests_before_migration`);
      this.db.exec("DROP TABLE requests_before_migration");
    });
  }

  /** Runs `fn` in one transaction (BEGIN IMMEDIATE), rolled back if it throws. */
  tx<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.db.exec("COMMIT");
      return result;
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(key, value);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/** Where the API keeps its SQLite file inside a data directory. */
export const storeFileIn = (dataDir: string) => `${dataDir.replace(/\/$/, "")}/api.sqlite`;
