import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { Transaction as EthersTransaction } from "ethers";
import { SchemaTooNewError, type Queryable, type SqlValue, type Store, type Transaction } from "../store.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations/index.js";

/**
 * The store in one SQLite file (node:sqlite, WAL): the embedded default. node:sqlite is synchronous, so a statement
 * runs at once and its promise is already settled; the one connection is shared, so while a transaction is open
 * (its body may await between statements) statements from outside it wait for it to end instead of joining it.
 * One store per file and process: a second connection's BEGIN IMMEDIATE would wait synchronously (busy_timeout)
 * for a transaction that this same thread can then never finish.
 */
export class SqliteStore implements Store {
  readonly dialect = "sqlite";
  readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  /** Settles when the transaction in progress (and those queued before it) end. */
  private txQueue: Promise<void> = Promise.resolve();
  private inTx = false;

  constructor(readonly file: string) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.db = new DatabaseSync(file);
    // WAL: readers (API requests) never wait for the indexer's write transactions.
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    // 64 MiB of page cache: the audit indexes take inserts at scattered positions during catch-up.
    this.db.exec("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;");
    this.migrateLegacy();
    this.migrate();
    this.adoptLegacyTransactions();
  }

  get location(): string {
    return this.file;
  }

  /**
   * The prepared statement of `sql`, prepared once per store: the relay paths run the same few statements for every
   * request, and preparing them anew each time was a tenth of what accepting a request cost.
   */
  private prepare(sql: string): StatementSync {
    let stmt = this.statements.get(sql);
    if (!stmt) this.statements.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }

  private readonly direct: Transaction = {
    dialect: "sqlite",
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => this.prepare(sql).all(...(params as SQLInputValue[])) as T[],
    one: async <T>(sql: string, params: readonly SqlValue[] = []) => this.prepare(sql).get(...(params as SQLInputValue[])) as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: Number(this.prepare(sql).run(...(params as SQLInputValue[])).changes) }),
    lock: async () => undefined, // BEGIN IMMEDIATE already made this the only writer
  };

  /** Outside a transaction at once; otherwise after it, so that nothing joins (or is rolled back with) another's work. */
  private async outside<T>(f: () => Promise<T>): Promise<T> {
    while (this.inTx) await this.txQueue;
    return f();
  }

  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.inTx ? this.outside(() => this.direct.all<T>(sql, params)) : this.direct.all<T>(sql, params);
  }

  one<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.inTx ? this.outside(() => this.direct.one<T>(sql, params)) : this.direct.one<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.inTx ? this.outside(() => this.direct.run(sql, params)) : this.direct.run(sql, params);
  }

  /** Runs `fn` in one transaction (BEGIN IMMEDIATE), one at a time, rolled back if it throws. */
  tx<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.inTx = true;
      try {
        this.db.exec("BEGIN IMMEDIATE");
        const result = await fn(this.direct);
        this.db.exec("COMMIT");
        return result;
      } catch (e) {
        if (this.db.isTransaction) this.db.exec("ROLLBACK");
        throw e;
      } finally {
        this.inTx = false;
      }
    };
    const result = this.txQueue.then(run);
    this.txQueue = result.then(() => undefined, () => undefined);
    return result;
  }

  async getMeta(key: string, q: Queryable = this): Promise<string | undefined> {
    return (await q.one<{ value: string }>("SELECT value FROM meta WHERE key = ?", [key]))?.value;
  }

  async setMeta(key: string, value: string, q: Queryable = this): Promise<void> {
    await q.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
  }

  /** One instance per file: what it does, it already knows (the relay route nudges its own worker). */
  async listen(): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  async notify(): Promise<void> {}

  async schemaVersion(): Promise<number> {
    return this.currentVersion();
  }

  private currentVersion(): number {
    return Number((this.db.prepare("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").get() as { v: number }).v);
  }

  /** Applies the migrations this file lacks, each in its own transaction; refuses a file of a newer schema. */
  private migrate(): void {
    this.db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
    const current = this.currentVersion();
    if (current > SCHEMA_VERSION) throw new SchemaTooNewError(this.file, current, SCHEMA_VERSION);
    for (const m of MIGRATIONS.filter((m) => m.version > current)) {
      this.syncTx(() => {
        this.db.exec(m.sqlite);
        this.db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(m.version, m.name, Date.now());
      });
    }
  }

  private syncTx(fn: () => void): void {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      fn();
      this.db.exec("COMMIT");
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  /**
   * Files written before versioned migrations, whose tables need more than CREATE … IF NOT EXISTS to reach version 1.
   *
   * - Files written before the relay queue let a failed request's nonce be signed again had UNIQUE (from_addr, nonce)
   *   on the whole table: a request that failed on chain leaves the forwarder's nonce unused, so the member's next
   *   request needs that nonce, and the old constraint refused it for ever. The table is rebuilt without it, its rows
   *   kept; version 1's partial index then guards only live requests.
   * - Files written before the relayer sent many requests per transaction have no `solo` column: it is added.
   */
  private migrateLegacy(): void {
    const old = this.db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'requests'").get() as { sql: string } | undefined;
    if (!old) return;
    if (/UNIQUE \(from_addr, nonce\)/.test(old.sql)) {
      this.syncTx(() => {
        this.db.exec("ALTER TABLE requests RENAME TO requests_before_migration");
        // Its indexes went with it under their names: drop them so that version 1 creates them on the new table.
        this.db.exec("DROP INDEX IF EXISTS requests_status");
        this.db.exec(MIGRATIONS[0]!.sqlite);
        const columns = (this.db.prepare("SELECT name FROM pragma_table_info('requests_before_migration')").all() as { name: string }[]).map((c) => c.name).join(", ");
        this.db.exec(`INSERT INTO requests (${columns}) SELECT ${columns} FROM requests_before_migration`);
        this.db.exec("DROP TABLE requests_before_migration");
      });
    }
    const columns = this.db.prepare("SELECT name FROM pragma_table_info('requests')").all() as { name: string }[];
    if (!columns.some((c) => c.name === "solo")) this.db.exec("ALTER TABLE requests ADD COLUMN solo INTEGER NOT NULL DEFAULT 0");
  }

  /**
   * Files written before the relayer sent many requests per transaction keep a request's signed transaction on its
   * row: one still in flight moves to relay_txs, so that the worker settles or re-sends it like its own.
   */
  private adoptLegacyTransactions(): void {
    const inFlight = this.db.prepare("SELECT id, tx_hash, raw_tx, updated_at FROM requests WHERE status = 'submitted' AND raw_tx IS NOT NULL").all() as { id: string; tx_hash: string; raw_tx: string; updated_at: number }[];
    if (inFlight.length === 0) return;
    this.syncTx(() => {
      for (const r of inFlight) {
        this.db
          .prepare("INSERT INTO relay_txs (hash, nonce, raw, status, sent_at) VALUES (?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING")
          .run(r.tx_hash, EthersTransaction.from(r.raw_tx).nonce, r.raw_tx, r.updated_at);
        this.db.prepare("UPDATE requests SET raw_tx = NULL WHERE id = ?").run(r.id);
      }
    });
  }

  async close(): Promise<void> {
    await this.txQueue;
    if (this.db.isOpen) this.db.close();
  }
}
