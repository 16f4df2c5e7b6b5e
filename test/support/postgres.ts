// A PostgreSQL for the store tests, on 127.0.0.1 only. No top-level side effects: `hardhat test` loads every file under test/.
//
// TRADEPROOF_TEST_DATABASE_URL (set by .ci/run, which starts one cluster for the whole suite) names a server where the
// tests may create and drop databases; without it, a throwaway cluster is started from Debian's binaries
// (/usr/lib/postgresql/<version>/bin) in a temporary directory and stopped when the last user releases it. initdb
// refuses to run as root, so as root the cluster belongs to the `postgres` user. When neither works the tests FAIL
// with the reason: a store backend that was never tested must not look green.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";

export interface TestDatabase {
  /** postgres://… of a fresh, empty database. */
  url: string;
  /** Drops the database and releases the server (the last release stops a cluster this process started). */
  drop(): Promise<void>;
}

interface Server {
  adminUrl: string;
  stop(): void;
}

let server: { promise: Promise<Server>; users: number } | undefined;

/** A fresh database on the test server, created now; `drop()` it in `after`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  server ??= { promise: startServer(), users: 0 };
  server.users++;
  const current = server;
  let admin: Server;
  try {
    admin = await current.promise;
  } catch (e) {
    if (server === current) server = undefined;
    throw e;
  }
  const name = `tradeproof_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(admin.adminUrl, `CREATE DATABASE ${name}`).catch((e: Error) => {
    throw new Error(`PostgreSQL for the store tests (${admin.adminUrl}) cannot create a database: ${e.message}`);
  });
  const url = new URL(admin.adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      try {
        await adminQuery(admin.adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        if (--current.users === 0 && server === current) {
          server = undefined;
          admin.stop();
        }
      }
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function startServer(): Promise<Server> {
  const given = process.env.TRADEPROOF_TEST_DATABASE_URL;
  if (given) {
    const host = URL.parse(given)?.hostname;
    if (host !== "127.0.0.1" && host !== "localhost") {
      return Promise.reject(new Error(`TRADEPROOF_TEST_DATABASE_URL must point at 127.0.0.1 (the tests create and drop databases there), not ${host}`));
    }
    return Promise.resolve({ adminUrl: given, stop: () => undefined });
  }
  return startCluster();
}

/** The newest of Debian's PostgreSQL installations, or PATH's. */
function binDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length > 0) return join(root, versions[0]!, "bin");
  return spawnSync("initdb", ["--version"]).status === 0 ? "" : undefined;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function startCluster(): Promise<Server> {
  const bin = binDir();
  if (bin === undefined) {
    throw new Error(
      "PostgreSQL is needed by the store tests: set TRADEPROOF_TEST_DATABASE_URL=postgres://…@127.0.0.1/… or install PostgreSQL " +
        "(Debian: apt-get install postgresql; .ci/run does this) so that /usr/lib/postgresql/<version>/bin/initdb exists.",
    );
  }
  const exe = (name: string) => (bin ? join(bin, name) : name);
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), "tradeproof-pg-"));
  // As root, everything runs as `postgres`, which must own the directory.
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
    const r = spawnSync(file, argv, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout || String(r.error ?? "")).trim().slice(-2_000)}`);
  };
  try {
    if (asRoot) {
      const ids = execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim();
      const gid = execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim();
      chownSync(dir, Number(ids), Number(gid));
    }
    const data = join(dir, "data");
    run(exe("initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
    const port = await freePort();
    // Only on 127.0.0.1 (no other address, a Unix socket in the temporary directory); durability off: a test cluster.
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    run(exe("pg_ctl"), ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"]);
    const stop = () => {
      process.off("exit", stop);
      spawnSync(asRoot ? "runuser" : exe("pg_ctl"), asRoot ? ["-u", "postgres", "--", exe("pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"] : ["-D", data, "-m", "immediate", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    };
    process.on("exit", stop); // a run that ends without `after` (Ctrl-C, a crash) leaves no server behind
    return { adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL for the store tests could not be started: ${(e as Error).message}`);
  }
}
