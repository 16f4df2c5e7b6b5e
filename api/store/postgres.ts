import pg from "pg";
import { SchemaTooNewError, StoreUnavailableError, type Queryable, type SqlValue, type Store, type Transaction } from "../store.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations/index.js";

/** BIGINT (int8) columns come back as numbers, as SQLite gives them: every one of ours (ms, blocks, counts) is far below 2^53. */
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

/** Any two backends' SQL: `?` placeholders, numbered for PostgreSQL (`$1`, `$2`…), outside quoted text. Memoised per text. */
const numbered = new Map<string, string>();
export function toPostgres(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (m) => (m === "?" ? `$${++n}` : m));
    if (numbered.size > 10_000) numbered.clear(); // statements built from filters are few, but bound the memo anyway
    numbered.set(sql, out);
  }
  return out;
}

const values = (params: readonly SqlValue[] | undefined) => (params ?? []).map((v) => (typeof v === "bigint" ? v.toString() : v));

/** The first 63 bits of FNV-1a of a lock's name: its advisory lock key. */
function lockKey(name: string): string {
  let h = 0xcbf29ce484222325n;
  for (const c of Buffer.from(name)) h = ((h ^ BigInt(c)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return BigInt.asIntN(64, h).toString();
}

/**
 * Whether a driver error means the server is out of reach rather than that the statement was wrong: no answer at the
 * socket (refused, reset, timed out), a connection the server ended, or SQLSTATE class 08 (connection exception) and
 * 57P01-57P03 (shut down, crashed, starting up). A DatabaseError carries a `severity`; the others come from the socket.
 */
export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: unknown; severity?: unknown };
  if (typeof err?.severity === "string") return typeof err.code === "string" && (err.code.startsWith("08") || /^57P0[123]$/.test(err.code));
  return e instanceof Error;
}

/** One statement; a failure to reach the server becomes {@link StoreUnavailableError}. */
async function query(client: pg.Pool | pg.PoolClient, location: string, sql: string, params?: readonly SqlValue[]): Promise<pg.QueryResult> {
  try {
    return await client.query(toPostgres(sql), values(params));
  } catch (e) {
    throw isConnectionError(e) ? new StoreUnavailableError(location, { cause: e }) : e;
  }
}

function queryable(client: pg.Pool | pg.PoolClient, location: string): Queryable {
  const q = (sql: string, params?: readonly SqlValue[]) => query(client, location, sql, params);
  return {
    dialect: "postgres",
    all: async <T>(sql: string, params?: readonly SqlValue[]) => (await q(sql, params)).rows as T[],
    one: async <T>(sql: string, params?: readonly SqlValue[]) => (await q(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params?: readonly SqlValue[]) => ({ changes: (await q(sql, params)).rowCount ?? 0 }),
  };
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable PostgreSQL URL)";
  }
}

/**
 * The store in PostgreSQL (node-postgres, a pool): what several API instances share. Transactions run on one
 * pooled connection at READ COMMITTED; a check-then-write that must see every other instance's writes takes a
 * {@link Transaction.lock} first, and the unique constraints back it.
 */
export class PostgresStore implements Store {
  readonly dialect = "postgres";
  private readonly q: Queryable;

  private constructor(readonly pool: pg.Pool, readonly location: string, private readonly url: string) {
    this.q = queryable(pool, location);
  }

  /** Connects, applies the migrations the database lacks (one instance at a time) and refuses a newer schema. */
  static async open(url: string, opts: { max?: number } = {}): Promise<PostgresStore> {
    // A server that does not answer fails a request within seconds (503) instead of holding it until TCP gives up.
    const pool = new pg.Pool({ connectionString: url, types, max: opts.max ?? 10, application_name: "tradeproof-api", connectionTimeoutMillis: 3_000, keepAlive: true });
    // An idle connection that breaks (server restarted) is dropped by the pool; without a listener it would crash the process.
    pool.on("error", () => undefined);
    const store = new PostgresStore(pool, redactUrl(url), url);
    try {
      await store.migrate();
    } catch (e) {
      await pool.end();
      throw e;
    }
    return store;
  }

  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.q.all<T>(sql, params);
  }

  one<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.q.one<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.q.run(sql, params);
  }

  async tx<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((e: unknown) => {
      throw new StoreUnavailableError(this.location, { cause: e });
    });
    let broken: Error | undefined;
    try {
      await query(client, this.location, "BEGIN");
      const t: Transaction = {
        ...queryable(client, this.location),
        lock: async (name) => void (await query(client, this.location, "SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))", [lockKey(name)])),
      };
      const result = await fn(t);
      await query(client, this.location, "COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch((rollback: Error) => (broken = rollback));
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async listen(channel: string, onNotice: () => void): Promise<() => Promise<void>> {
    let client: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    let stopped = false;
    const again = () => {
      client = undefined;
      if (!stopped && !retry) retry = setTimeout(() => ((retry = undefined), void connect()), 1_000);
    };
    const connect = async () => {
      const c = new pg.Client({ connectionString: this.url, types, application_name: "tradeproof-api-listen", connectionTimeoutMillis: 3_000, keepAlive: true });
      c.on("error", () => undefined); // followed by "end"
      c.on("end", again);
      c.on("notification", (n) => n.channel === channel && onNotice());
      try {
        await c.connect();
        await c.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
      } catch {
        await c.end().catch(() => undefined);
        return again();
      }
      if (stopped) return void (await c.end().catch(() => undefined));
      client = c;
      onNotice();
    };
    await connect();
    return async () => {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    };
  }

  async notify(channel: string, q: Queryable = this): Promise<void> {
    await q.run("SELECT pg_notify(?, '')", [channel]);
  }

  async getMeta(key: string, q: Queryable = this): Promise<string | undefined> {
    return (await q.one<{ value: string }>("SELECT value FROM meta WHERE key = ?", [key]))?.value;
  }

  async setMeta(key: string, value: string, q: Queryable = this): Promise<void> {
    await q.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
  }

  async schemaVersion(): Promise<number> {
    return (await this.one<{ v: number }>("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations"))!.v;
  }

  private async migrate(): Promise<void> {
    await this.tx(async (t) => {
      // Instances starting together migrate one after another; the later ones find nothing left to do.
      await t.lock("tradeproof.schema");
      await t.run("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
      const current = (await t.one<{ v: number }>("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations"))!.v;
      if (current > SCHEMA_VERSION) throw new SchemaTooNewError(this.location, current, SCHEMA_VERSION);
      // PostgreSQL's DDL is transactional: the steps and their rows commit together, or not at all.
      for (const m of MIGRATIONS.filter((m) => m.version > current)) {
        await t.run(m.postgres);
        await t.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [m.version, m.name, Date.now()]);
      }
    });
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
