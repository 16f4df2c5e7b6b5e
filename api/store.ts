import { join } from "node:path";

/**
 * The API's store: the audit index (events, public batch leaves, anchors), the relay queue (requests, and the
 * relayer's transactions that carry them), SIWE nonces, small key/value state (index cursor), and the credentials'
 * status indexes and status list bits. Two backends
 * implement it: SQLite under the data dir (the embedded default, api/store/sqlite.ts) and PostgreSQL when
 * TRADEPROOF_DATABASE_URL names one (api/store/postgres.ts). Their schemas are the versioned migrations in
 * api/store/migrations/.
 *
 * SQL is written once, in the dialect both accept: `?` placeholders (PostgreSQL's backend numbers them), `ON
 * CONFLICT … DO NOTHING` rather than `INSERT OR IGNORE`, `CAST(… AS BIGINT)`, and camel-case aliases in double
 * quotes (PostgreSQL folds bare names to lower case). Integers come back as JavaScript numbers from both.
 */

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** What runs statements: the store itself, or one transaction of it. */
export interface Queryable {
  readonly dialect: "sqlite" | "postgres";
  /** Every row of a query. */
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row of a query, or undefined. */
  one<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement without rows; `changes` is how many rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

/** One transaction: statements inside it must go through it (the store itself is another connection, or waits). */
export interface Transaction extends Queryable {
  /**
   * Serialises this transaction with every other one that takes the same lock, until it ends, on every instance
   * sharing the database (PostgreSQL: an advisory transaction lock; SQLite: write transactions already run one at
   * a time). Take it before the reads that a check-then-write depends on.
   */
  lock(name: string): Promise<void>;
}

export interface Store extends Queryable {
  /** Runs `fn` in one transaction, committed when it resolves and rolled back when it throws. Keep it to the database: no network calls inside. */
  tx<T>(fn: (t: Transaction) => Promise<T>): Promise<T>;
  getMeta(key: string, q?: Queryable): Promise<string | undefined>;
  setMeta(key: string, value: string, q?: Queryable): Promise<void>;
  /**
   * Calls `onNotice` when any instance sharing the database {@link notify}s `channel` (PostgreSQL: LISTEN on a
   * connection of its own, taken again after it breaks; a notice may be lost meanwhile, so `onNotice` is also called
   * each time listening starts). SQLite serves one instance, whose own code already acts: nothing to listen to.
   * Returns how to stop listening.
   */
  listen(channel: string, onNotice: () => void): Promise<() => Promise<void>>;
  /** Tells the listeners of `channel`, when `q`'s transaction commits (at once outside a transaction). */
  notify(channel: string, q?: Queryable): Promise<void>;
  /** The schema version the database is at (the highest migration applied). */
  schemaVersion(): Promise<number>;
  /** Where the data lives, for logs: a file, or a PostgreSQL URL without its password. */
  readonly location: string;
  close(): Promise<void>;
}

/** The database holds a schema newer than this code knows: it was migrated by a newer Tradeproof. */
export class SchemaTooNewError extends Error {
  constructor(readonly location: string, readonly databaseVersion: number, readonly codeVersion: number) {
    super(
      `The database ${location} is at schema version ${databaseVersion}, but this Tradeproof knows versions up to ${codeVersion}: ` +
        "it was migrated by a newer release. Run that release (or newer), or point TRADEPROOF_DATABASE_URL / TRADEPROOF_DATA_DIR at another database.",
    );
    this.name = "SchemaTooNewError";
  }
}

/**
 * The database cannot be reached (PostgreSQL down, restarting, or the network to it cut): what needs the store answers
 * 503 DATABASE_UNAVAILABLE and is tried again by the client; the pool reconnects by itself once the server is back.
 */
export class StoreUnavailableError extends Error {
  constructor(readonly location: string, options?: { cause?: unknown }) {
    super(`The database ${location} cannot be reached.`, options);
    this.name = "StoreUnavailableError";
  }
}

/** Now in the database's clock, in milliseconds, as SQL: instances on several hosts compare leases by one clock. */
export const nowMs = (dialect: Queryable["dialect"]) =>
  dialect === "postgres" ? "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)" : "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

/** Whether `e` is a unique-constraint violation (SQLite's SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY, PostgreSQL's 23505). */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: unknown; errcode?: unknown; message?: unknown };
  if (err?.code === "23505") return true;
  // node:sqlite: code ERR_SQLITE_ERROR, errcode 2067 (UNIQUE) or 1555 (PRIMARY KEY).
  return err?.code === "ERR_SQLITE_ERROR" && (err.errcode === 2067 || err.errcode === 1555);
}

/** Where the API keeps its SQLite file inside a data directory. */
export const storeFileIn = (dataDir: string) => join(dataDir, "api.sqlite");

/** Opens (and migrates) the store: PostgreSQL when `databaseUrl` is given, else the SQLite file in `dataDir`. */
export async function openStore(opts: { databaseUrl?: string; dataDir: string }): Promise<Store> {
  if (opts.databaseUrl) {
    // Loaded only when used: an embedded (SQLite) start never loads the driver.
    const { PostgresStore } = await import("./store/postgres.js");
    return PostgresStore.open(opts.databaseUrl);
  }
  const { SqliteStore } = await import("./store/sqlite.js");
  return new SqliteStore(storeFileIn(opts.dataDir));
}
