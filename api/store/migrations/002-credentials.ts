import type { Migration } from "./index.js";

/**
 * Anchor credentials (issue 13): each credentialed document's index in its status list, and the lists' bits with
 * the index block they reflect. SQLite files the credentials code created before migrations have them already.
 */
export const credentials: Migration = {
  version: 2,
  name: "credentials",
  sqlite: `
CREATE TABLE IF NOT EXISTS credential_status (
  doc_hash TEXT PRIMARY KEY, idx INTEGER NOT NULL UNIQUE, anchor TEXT NOT NULL, receipt TEXT, assigned_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS credential_status_anchor ON credential_status (anchor);
CREATE TABLE IF NOT EXISTS status_bits (purpose TEXT NOT NULL, list INTEGER NOT NULL, bits BLOB NOT NULL, PRIMARY KEY (purpose, list)) WITHOUT ROWID;
`,
  postgres: `
CREATE TABLE credential_status (
  doc_hash TEXT PRIMARY KEY, idx BIGINT NOT NULL UNIQUE, anchor TEXT NOT NULL, receipt TEXT, assigned_at BIGINT NOT NULL
);
CREATE INDEX credential_status_anchor ON credential_status (anchor);
CREATE TABLE status_bits (purpose TEXT NOT NULL, list INTEGER NOT NULL, bits BYTEA NOT NULL, PRIMARY KEY (purpose, list));
`,
};
