// The same store cases against both backends: SQLite (the embedded default) and PostgreSQL (what several instances
// share). PostgreSQL comes from test/support/postgres.ts; when it cannot be had, these tests fail, never skip.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { SiweMessage } from "siwe";
import { Auth } from "../../api/auth/auth.js";
import { auditCsv, queryAudit } from "../../api/audit/audit.js";
import { INSERT_EVENT } from "../../api/indexer/indexer.js";
import { Leadership, NotLeaderError } from "../../api/leadership.js";
import { SharedRateLimitStore } from "../../api/rate-limit-store.js";
import { enqueue } from "../../api/relay/queue.js";
import { SchemaTooNewError, type Store } from "../../api/store.js";
import { SCHEMA_VERSION } from "../../api/store/migrations/index.js";
import { PostgresStore } from "../../api/store/postgres.js";
import { SqliteStore } from "../../api/store/sqlite.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";

interface Backend {
  name: string;
  /** Opens the test database (and migrates it). */
  open(): Promise<Store>;
  /**
   * What a second API instance would use: PostgreSQL, another pool on the same database; SQLite, the same store (one
   * process per file: another connection in this thread would block synchronously on the first one's write lock).
   */
  instance(first: Store): Promise<Store>;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
}

function sqliteBackend(): Backend {
  let dir: string;
  return {
    name: "SQLite",
    setUp: async () => void (dir = mkdtempSync(join(tmpdir(), "tradeproof-store-"))),
    open: async () => new SqliteStore(join(dir, "api.sqlite")),
    instance: async (first) => first,
    tearDown: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresBackend(): Backend {
  let db: TestDatabase | undefined;
  return {
    name: "PostgreSQL",
    setUp: async () => void (db = await createTestDatabase()),
    open: () => PostgresStore.open(db!.url),
    instance: () => PostgresStore.open(db!.url),
    tearDown: async () => db?.drop(),
  };
}

const FROM = "0x00000000000000000000000000000000000000aa";

/** A request as the queue stores it once validated; `nonce` is the forwarder nonce. */
const request = (nonce: number) => ({
  from: FROM as `0x${string}`, to: "0x00000000000000000000000000000000000000bb" as `0x${string}`, value: "0", gas: "100000",
  nonce: String(nonce), deadline: Math.floor(Date.now() / 1000) + 600, data: "0x" as const, signature: "0x" as const,
});

/** An indexed event with the columns the audit query reads; `i` orders them (10 per block). */
const event = (i: number, fields: { organisation?: number; action?: string; docType?: number } = {}) => [
  Math.floor(i / 10), i % 10, `0x${i.toString(16).padStart(64, "0")}`, 1_767_000_000 + Math.floor(i / 10) * 2, "registry", "DocumentRegistered",
  fields.action ?? "REGISTERED", `0x${i.toString(16).padStart(64, "a")}`, null, null, fields.organisation ?? 1, "0xcc", fields.docType ?? 380, "{}",
];

function shouldBehaveLikeAStore(backend: Backend) {
  describe(`API store on ${backend.name}`, function () {
    this.timeout(60_000);
    let store: Store;
    let others: Store[];
    const another = async () => {
      const s = await backend.instance(store);
      if (s !== store) others.push(s);
      return s;
    };

    before(async function () {
      this.timeout(120_000); // a throwaway PostgreSQL cluster takes a few seconds to start
      await backend.setUp();
    });
    beforeEach(async () => {
      store = await backend.open();
      others = [];
    });
    afterEach(async () => {
      for (const s of [store, ...others]) {
        await s.run("DELETE FROM requests");
        await s.close();
      }
    });
    after(() => backend.tearDown());

    it("is at the newest schema version, and opening it again migrates nothing", async function () {
      expect(await store.schemaVersion()).to.equal(SCHEMA_VERSION);
      const again = await backend.open();
      others.push(again);
      expect(await again.schemaVersion()).to.equal(SCHEMA_VERSION);
      const applied = await again.all<{ version: number; name: string }>("SELECT version, name FROM schema_migrations ORDER BY version");
      expect(applied.map((m) => m.version)).to.deep.equal(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    });

    it("keeps meta values, overwrites them, and forgets what a rolled-back transaction wrote", async function () {
      expect(await store.getMeta("test.absent")).to.equal(undefined);
      await store.setMeta("test.key", "1");
      await store.setMeta("test.key", "2");
      expect(await store.getMeta("test.key")).to.equal("2");
      const err = await store
        .tx(async (t) => {
          await store.setMeta("test.key", "3", t);
          expect(await store.getMeta("test.key", t)).to.equal("3");
          throw new Error("abandoned");
        })
        .then(() => undefined, (e: Error) => e);
      expect(err?.message).to.equal("abandoned");
      expect(await store.getMeta("test.key")).to.equal("2");
      expect(await (await another()).getMeta("test.key")).to.equal("2");
    });

    it("gives integers back as numbers, and bytes as the same bytes (BLOB / BYTEA)", async function () {
      const at = Date.now() + 2 ** 40;
      await store.run("INSERT INTO nonces (nonce, expires_at) VALUES (?, ?)", ["numbers", at]);
      const row = await store.one<{ expires_at: unknown; n: unknown }>("SELECT expires_at, (SELECT COUNT(*) FROM nonces) AS n FROM nonces WHERE nonce = ?", ["numbers"]);
      expect(row).to.deep.equal({ expires_at: at, n: 1 });
      await store.run("DELETE FROM nonces");
      const bits = new Uint8Array([0, 1, 2, 254, 255, 0]);
      await store.run("INSERT INTO status_bits (purpose, list, bits) VALUES (?, ?, ?) ON CONFLICT (purpose, list) DO UPDATE SET bits = excluded.bits", ["revocation", 0, bits]);
      const stored = await store.one<{ bits: Uint8Array }>("SELECT bits FROM status_bits WHERE purpose = ? AND list = ?", ["revocation", 0]);
      expect(Buffer.from(stored!.bits).equals(Buffer.from(bits))).to.equal(true);
      await store.run("DELETE FROM status_bits");
    });

    it("a SIWE nonce signs in once: of concurrent sign-ins with it on two instances, exactly one succeeds", async function () {
      const wallet = Wallet.createRandom();
      const options = { publicUrl: "http://127.0.0.1:8080", chainId: 31337, secret: new Uint8Array(32).fill(1), sessionTtlSec: 60, nonceTtlSec: 300 };
      const first = new Auth({ store, ...options });
      const second = new Auth({ store: await another(), ...options });
      const { nonce } = await first.issueNonce();
      const message = new SiweMessage({
        domain: "127.0.0.1:8080", address: wallet.address, statement: "Sign in to Tradeproof.", uri: "http://127.0.0.1:8080",
        version: "1", chainId: 31337, nonce, issuedAt: new Date().toISOString(),
      }).prepareMessage();
      const signature = await wallet.signMessage(message);
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? first : second).login(message, signature).then(() => "ok", (e: { code?: string }) => e.code)),
      );
      expect(outcomes.filter((o) => o === "ok")).to.have.length(1);
      expect(outcomes.filter((o) => o !== "ok")).to.deep.equal(Array(5).fill("SIWE_NONCE_REPLAYED"));
      await store.run("DELETE FROM nonces");
    });

    it("the relay queue accepts a signed request once: the same one posted at once on two instances gets one id, the rest 409 DUPLICATE_REQUEST", async function () {
      const stores = [store, await another()];
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) => enqueue(stores[i % 2]!, request(0), 0n).then((id) => id, (e: { code?: string }) => e.code)),
      );
      const ids = outcomes.filter((o) => o !== "DUPLICATE_REQUEST");
      expect(ids).to.have.length(1);
      expect(ids[0]).to.match(/^[0-9a-f-]{36}$/);
      const rows = await store.all<{ id: string; nonce: string; seq: number }>("SELECT id, nonce, seq FROM requests");
      expect(rows).to.deep.equal([{ id: ids[0], nonce: "0", seq: 1 }]);
    });

    it("the relay queue takes a member's nonces in order from concurrent requests, each once, in a sequence without gaps", async function () {
      const stores = [store, await another()];
      // Nonces 0…5, each posted twice at once, on alternating instances: every nonce is accepted exactly once.
      for (let n = 0; n < 6; n++) {
        const outcomes = await Promise.all([0, 1].map((i) => enqueue(stores[i]!, request(n), 0n).then(() => "ok", (e: { code?: string }) => e.code)));
        expect(outcomes.sort()).to.deep.equal(["DUPLICATE_REQUEST", "ok"]);
      }
      // A nonce that skips ahead is not the member's next one.
      const skipped = await enqueue(store, request(9), 0n).then(() => undefined, (e: { code?: string }) => e.code);
      expect(skipped).to.equal("STALE_NONCE");
      const rows = await store.all<{ nonce: string; seq: number }>("SELECT nonce, seq FROM requests ORDER BY seq");
      expect(rows).to.deep.equal([0, 1, 2, 3, 4, 5].map((n) => ({ nonce: String(n), seq: n + 1 })));
    });

    it("a failed request's nonce can be queued again, a live one never twice (the unique index stands behind the check)", async function () {
      await enqueue(store, request(0), 0n);
      const live = await store
        .run(
          `INSERT INTO requests (id, seq, from_addr, to_addr, value, gas, nonce, deadline, data, signature, status, created_at, updated_at)
           VALUES ('bypass', 99, ?, '0xbb', '0', '1', '0', 0, '0x', '0x', 'queued', 0, 0)`,
          [FROM],
        )
        .then(() => undefined, (e: unknown) => e);
      expect(live, "a second live request with nonce 0").to.not.equal(undefined);
      await store.run("UPDATE requests SET status = 'failed'");
      const id = await enqueue(store, request(0), 0n);
      expect((await store.one<{ status: string }>("SELECT status FROM requests WHERE id = ?", [id]))!.status).to.equal("queued");
    });

    it("storing an indexed event again is a no-op", async function () {
      expect((await store.run(INSERT_EVENT, event(1))).changes).to.equal(1);
      expect((await store.run(INSERT_EVENT, event(1))).changes).to.equal(0);
      expect((await (await another()).run(INSERT_EVENT, event(1))).changes).to.equal(0);
      expect((await store.one<{ n: number }>("SELECT COUNT(*) AS n FROM events"))!.n).to.equal(1);
      await store.run("DELETE FROM events");
    });

    it("audit pages walk every event once, in key order, with filters, time ranges and CSV", async function () {
      await store.tx(async (t) => {
        for (let i = 0; i < 37; i++) await t.run(INSERT_EVENT, event(i, { organisation: 1 + (i % 3), action: i % 5 === 0 ? "REVOKED" : "REGISTERED", docType: i % 2 ? 380 : 861 }));
      });
      const walk = async (filter: object) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await queryAudit(store, { ...filter, limit: 4, cursor });
          expect(page.events.length).to.be.at.most(4);
          seen.push(...page.events.map((e) => `${e.blockNumber}:${e.logIndex}`));
          cursor = page.nextCursor;
        } while (cursor);
        return seen;
      };
      const key = (i: number) => `${Math.floor(i / 10)}:${i % 10}`;
      const all = Array.from({ length: 37 }, (_, i) => i);
      expect(await walk({})).to.deep.equal(all.map(key));
      expect(await walk({ organisation: 2 })).to.deep.equal(all.filter((i) => i % 3 === 1).map(key));
      expect(await walk({ organisation: 3, action: "REVOKED", docType: 380 })).to.deep.equal(all.filter((i) => i % 3 === 2 && i % 5 === 0 && i % 2).map(key));
      // Blocks 1 and 2 (at 1_767_000_002 … 1_767_000_004): events 10…29.
      expect(await walk({ from: 1_767_000_002, to: 1_767_000_004 })).to.deep.equal(all.filter((i) => i >= 10 && i < 30).map(key));
      expect((await queryAudit(store, { limit: 10, from: 4_000_000_000 })).events).to.deep.equal([]);
      const lines: string[] = [];
      for await (const line of auditCsv(store, { organisation: 1 }, 5)) lines.push(line);
      expect(lines).to.have.length(1 + all.filter((i) => i % 3 === 0).length);
      expect(lines[1]!.split(",").slice(0, 2)).to.deep.equal(["0", "0"]);
      await store.run("DELETE FROM events");
    });

    it("one instance at a time holds the lease; a holder that stops renewing loses it after its TTL, one that stops cleanly at once", async function () {
      const a = new Leadership({ store, name: "test.lease", ttlMs: 400 });
      const b = new Leadership({ store: await another(), name: "test.lease", ttlMs: 400 });
      const c = new Leadership({ store: await another(), name: "test.lease", ttlMs: 400 });
      const first = await Promise.all([a.renew(), b.renew(), c.renew()]);
      expect(first.filter(Boolean)).to.have.length(1);
      const [leader, ...rest] = first[0] ? [a, b, c] : first[1] ? [b, a, c] : [c, a, b];
      expect(await leader!.renew(), "the holder renews").to.equal(true);
      for (const l of rest) expect(await l.renew(), "the others wait").to.equal(false);
      // The holder stops renewing (killed): once the TTL has passed, another takes the lease.
      await new Promise((r) => setTimeout(r, 500));
      const taken = await Promise.all(rest.map((l) => l.renew()));
      expect(taken.filter(Boolean)).to.have.length(1);
      const next = taken[0] ? rest[0]! : rest[1]!;
      expect(await leader!.renew(), "the old holder finds the lease taken").to.equal(false);
      await next.stop();
      const after = rest.find((l) => l !== next)!;
      expect(await after.renew(), "a lease given up is free at once").to.equal(true);
      await after.stop();
    });

    it("a write fenced by the lease is refused inside its transaction once another instance holds it", async function () {
      const a = new Leadership({ store, name: "test.fence", ttlMs: 300 });
      const b = new Leadership({ store: await another(), name: "test.fence", ttlMs: 300 });
      expect(await a.renew()).to.equal(true);
      await store.tx((t) => a.fence(t));
      await new Promise((r) => setTimeout(r, 350));
      expect(await b.renew()).to.equal(true);
      const refused = await store.tx(async (t) => {
        await a.fence(t);
        await t.run("INSERT INTO meta (key, value) VALUES ('fenced', 'written by a stale leader')");
      }).then(() => undefined, (e: unknown) => e);
      expect(refused).to.be.instanceOf(NotLeaderError);
      expect(a.leads).to.equal(false);
      expect(await store.getMeta("fenced")).to.equal(undefined);
      await b.stop();
    });

    it("a notice reaches another instance's listener when its transaction commits, never from a rollback (SQLite: one instance, nothing to hear)", async function () {
      const other = await another();
      let heard = 0;
      const stop = await other.listen("test_channel", () => heard++);
      const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
      try {
        const onStart = heard; // PostgreSQL: once as listening starts, for what it may have missed
        expect(onStart).to.equal(store.dialect === "postgres" ? 1 : 0);
        await store.tx(async (t) => {
          await store.notify("test_channel", t);
          await wait(150);
          expect(heard, "not before the commit").to.equal(onStart);
        });
        for (let i = 0; i < 50 && heard === onStart && store.dialect === "postgres"; i++) await wait(20);
        expect(heard).to.equal(store.dialect === "postgres" ? onStart + 1 : 0);
        await store.tx(async (t) => {
          await store.notify("test_channel", t);
          throw new Error("rolled back");
        }).catch(() => undefined);
        await wait(150);
        expect(heard).to.equal(store.dialect === "postgres" ? onStart + 1 : 0);
      } finally {
        await stop();
      }
    });

    it("rate-limit counts add up across instances, per key and prefix, read back within the flush interval, and start again in a new window", async function () {
      const options = { windowMs: 60_000 } as Parameters<SharedRateLimitStore["init"]>[0];
      const one = new SharedRateLimitStore(store, "general:", 400);
      const two = new SharedRateLimitStore(await another(), "general:", 400);
      const lookups = new SharedRateLimitStore(store, "references:", 400);
      for (const s of [one, two, lookups]) s.init(options);
      const row = async (key: string) => (await store.one<{ hits: number }>("SELECT hits FROM rate_limits WHERE key = ?", [key]))?.hits;
      // A client's first request on an instance reads what the others counted.
      expect((await one.increment("10.0.0.1")).totalHits).to.equal(1);
      expect((await two.increment("10.0.0.1")).totalHits).to.equal(2);
      // Requests within the interval are counted in memory and reach the row at the next flush.
      const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? one : two).increment("10.0.0.1")));
      expect(burst.map((h) => h.totalHits).sort((x, y) => x - y)).to.deep.equal([2, 3, 3, 4, 4, 5, 5, 6]);
      expect(burst[0]!.resetTime!.getTime() % 60_000).to.equal(0);
      await Promise.all([one.flush(), two.flush()]);
      expect(await row("general:10.0.0.1")).to.equal(10);
      // Once its total is older than the interval, an instance reads it back before it answers.
      await new Promise((r) => setTimeout(r, 450));
      expect((await one.increment("10.0.0.1")).totalHits).to.equal(11);
      expect((await lookups.increment("10.0.0.1")).totalHits, "another limiter counts apart").to.equal(1);
      expect((await one.increment("10.0.0.2")).totalHits, "another client counts apart").to.equal(1);
      await two.decrement("10.0.0.1");
      expect(await row("general:10.0.0.1")).to.equal(10);
      // A counter of a past window starts again at 1.
      await store.run("UPDATE rate_limits SET window_start = window_start - 60000 WHERE key = 'general:10.0.0.1'");
      await new Promise((r) => setTimeout(r, 450));
      expect((await two.increment("10.0.0.1")).totalHits).to.equal(1);
      await one.resetKey("10.0.0.1");
      expect(await row("general:10.0.0.1")).to.equal(undefined);
      await store.run("DELETE FROM rate_limits");
    });

    it("a client's first request on an instance whose flush of other clients is under way is answered on that client's total", async function () {
      const options = { windowMs: 60_000 } as Parameters<SharedRateLimitStore["init"]>[0];
      const others = new SharedRateLimitStore(await another(), "general:", 100);
      others.init(options);
      for (let i = 0; i < 5; i++) await others.increment("10.0.0.5");
      await others.flush();
      // This instance's statements wait at a gate: the flush a first client starts is under way when the second comes.
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const gated: Store = Object.create(store, { all: { value: async (sql: string, params: never[]) => (await gate, store.all(sql, params)) } });
      const one = new SharedRateLimitStore(gated, "general:", 100);
      one.init(options);
      const first = one.increment("10.0.0.6");
      const second = one.increment("10.0.0.5");
      open();
      expect((await first).totalHits).to.equal(1);
      expect((await second).totalHits, "five on the other instance, and this one").to.equal(6);
      await store.run("DELETE FROM rate_limits");
    });

    it("rate-limit counts not flushed yet reach the store when the instance shuts down, once, and nothing is flushed after", async function () {
      const options = { windowMs: 60_000 } as Parameters<SharedRateLimitStore["init"]>[0];
      const one = new SharedRateLimitStore(store, "general:", 60_000);
      one.init(options);
      const row = async () => (await store.one<{ hits: number }>("SELECT hits FROM rate_limits WHERE key = 'general:10.0.0.7'"))?.hits;
      for (let i = 0; i < 3; i++) await one.increment("10.0.0.7"); // the first is flushed at once, the others wait for the interval
      expect(await row()).to.equal(1);
      await one.shutdown();
      expect(await row()).to.equal(3);
      await one.shutdown();
      await one.increment("10.0.0.7");
      expect(await row(), "counted once; nothing after the shutdown").to.equal(3);
      await store.run("DELETE FROM rate_limits");
    });

    it("refuses a database whose schema is newer than the code, naming both versions", async function () {
      await store.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', 0)", [SCHEMA_VERSION + 7]);
      try {
        const err = await backend.open().then((s) => (others.push(s), undefined), (e: unknown) => e);
        expect(err).to.be.instanceOf(SchemaTooNewError);
        expect((err as Error).message).to.contain(`schema version ${SCHEMA_VERSION + 7}`).and.to.contain(`versions up to ${SCHEMA_VERSION}`);
      } finally {
        await store.run("DELETE FROM schema_migrations WHERE version = ?", [SCHEMA_VERSION + 7]);
      }
    });
  });
}

shouldBehaveLikeAStore(sqliteBackend());
shouldBehaveLikeAStore(postgresBackend());
