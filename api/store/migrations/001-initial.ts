import type { Migration } from "./index.js";

/**
 * The store as it was when migrations began: the audit index, the relay queue, SIWE nonces, meta.
 * Events are keyed by (block, logIndex), so indexing the same log twice is a no-op. Every audit filter combination
 * has an index that starts with its equality columns and ends in (block, log_index), so a page is one range scan in
 * key order (keyset pagination); a time range is turned into a block range first (block times only grow), so it
 * narrows the same scans. SQLite files written before this version hold the same tables (IF NOT EXISTS); PostgreSQL
 * takes BIGINT wherever a value may pass 2^31 (milliseconds, blocks, sequence numbers).
 */
export const initial: Migration = {
  version: 1,
  name: "initial",
  sqlite: `
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
`,
  postgres: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE nonces (nonce TEXT PRIMARY KEY, expires_at BIGINT NOT NULL, used_at BIGINT);
CREATE TABLE requests (
  id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL UNIQUE,
  from_addr TEXT NOT NULL, to_addr TEXT NOT NULL, value TEXT NOT NULL, gas TEXT NOT NULL,
  nonce TEXT NOT NULL, deadline BIGINT NOT NULL, data TEXT NOT NULL, signature TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'submitted', 'mined', 'failed')),
  tx_hash TEXT, raw_tx TEXT, block_number BIGINT, reason TEXT, reason_code TEXT,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  solo INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX requests_tx ON requests (tx_hash) WHERE tx_hash IS NOT NULL;
CREATE TABLE relay_txs (
  hash TEXT PRIMARY KEY, nonce BIGINT NOT NULL, raw TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'dropped')),
  sent_at BIGINT NOT NULL
);
CREATE INDEX relay_txs_pending ON relay_txs (status, nonce);
CREATE INDEX requests_status ON requests (status, seq);
CREATE UNIQUE INDEX requests_live_nonce ON requests (from_addr, nonce) WHERE status <> 'failed';
CREATE TABLE events (
  block BIGINT NOT NULL, log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL, at BIGINT NOT NULL,
  contract TEXT NOT NULL, name TEXT NOT NULL, action TEXT NOT NULL,
  anchor TEXT, doc_hash TEXT, related TEXT, organisation INTEGER, account TEXT, doc_type INTEGER,
  details TEXT NOT NULL,
  PRIMARY KEY (block, log_index)
);
CREATE INDEX events_org ON events (organisation, block, log_index);
CREATE INDEX events_org_type ON events (organisation, doc_type, block, log_index);
CREATE INDEX events_org_action ON events (organisation, action, block, log_index);
CREATE INDEX events_type ON events (doc_type, block, log_index);
CREATE INDEX events_type_action ON events (doc_type, action, block, log_index);
CREATE INDEX events_action ON events (action, block, log_index);
CREATE INDEX events_at ON events (at, block);
CREATE INDEX events_anchor ON events (anchor, block, log_index);
CREATE INDEX events_doc ON events (doc_hash, block, log_index);
CREATE INDEX events_related ON events (related) WHERE related IS NOT NULL;
CREATE TABLE anchors (anchor TEXT PRIMARY KEY, kind TEXT NOT NULL, doc_type INTEGER NOT NULL);
CREATE TABLE leaves (root TEXT NOT NULL, position INTEGER NOT NULL, doc_hash TEXT NOT NULL, PRIMARY KEY (root, position));
CREATE INDEX leaves_doc ON leaves (doc_hash);
`,
};
