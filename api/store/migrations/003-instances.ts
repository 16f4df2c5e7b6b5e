import type { Migration } from "./index.js";

/**
 * Several API instances on one database (issue 11): `leases` names the one instance that relays and writes the index
 * (api/leadership.ts), `rate_limits` counts each client's requests of the current window across instances
 * (api/rate-limit-store.ts). Both hold only a few short-lived rows.
 *
 * And a partial index of the organisations' admissions: every audit page names the organisations it shows from
 * them, which was a scan of the whole events table (a quarter of a second at a million events).
 */
export const instances: Migration = {
  version: 3,
  name: "instances",
  sqlite: `
CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rate_limits (key TEXT PRIMARY KEY, window_start INTEGER NOT NULL, hits INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rate_limits_window ON rate_limits (window_start);
CREATE INDEX IF NOT EXISTS events_organisation_added ON events (block, log_index) WHERE name = 'OrganisationAdded';
`,
  postgres: `
CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE rate_limits (key TEXT PRIMARY KEY, window_start BIGINT NOT NULL, hits INTEGER NOT NULL);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
CREATE INDEX events_organisation_added ON events (block, log_index) WHERE name = 'OrganisationAdded';
`,
};
