// Several API instances on one PostgreSQL (issue 11): what one instance accepted or used, the other refuses; rate
// limits add up; and while the database is out of reach, what the chain answers still answers and the rest is a 503
// that clears by itself. Instances here are two sets of services in this process, each with its own pool.
import { expect } from "chai";
import { existsSync } from "node:fs";
import type { RequestListener } from "node:http";
import { join } from "node:path";
import { ethers } from "ethers";
import request from "supertest";
import type { Services } from "../../api/services.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { loadLedgerKeys } from "../../api/identity/keys.js";
import { apiFor, siweMessage } from "./app-helpers.js";
import { Anvil, deployConsortium, DocType, tempDir, type Consortium } from "./helpers.js";

const SECRET = "aa".repeat(32);
const label = (s: string) => ethers.keccak256(ethers.toUtf8Bytes(s)).toLowerCase();

describe("API instances on one PostgreSQL", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let c: Consortium;
  let db: TestDatabase;
  let ledgerKeys: string;
  const opened: Services[] = [];

  /** An instance on `url` (the test database unless given), sharing the session secret and ledger keys as a deployment would. */
  async function instance(env: Record<string, string> = {}, url = db.url): Promise<{ app: RequestListener; services: Services }> {
    const api = await apiFor(c, anvil.url, { env: { TRADEPROOF_DATABASE_URL: url, TRADEPROOF_SESSION_SECRET: SECRET, TRADEPROOF_LEDGER_KEYS: ledgerKeys, ...env } });
    opened.push(api.services);
    return api;
  }

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    db = await createTestDatabase();
    ledgerKeys = join(tempDir(), "ledger-keys.json");
    await loadLedgerKeys(ledgerKeys);
  });
  after(async function () {
    for (const s of opened) await s.close();
    await db?.drop();
    c?.provider.destroy();
    await anvil?.stop();
  });

  /** Why an instance with `env` on the shared database does not start (undefined: it started). */
  const refusal = (env: Record<string, string>, dataDir?: string) =>
    apiFor(c, anvil.url, { dataDir, env: { TRADEPROOF_DATABASE_URL: db.url, ...env } }).then(
      (api) => (opened.push(api.services), undefined),
      (e: unknown) => e as Error & { variable?: string },
    );

  it("refuses to start without a ledger key file rather than make a key of its own, saying how to make the one all share", async function () {
    const dataDir = tempDir();
    const err = await refusal({ TRADEPROOF_SESSION_SECRET: SECRET }, dataDir);
    expect(err?.name).to.equal("ConfigError");
    expect(err?.variable).to.equal("TRADEPROOF_LEDGER_KEYS");
    expect(err?.message).to.contain(`no ledger key file at ${join(dataDir, "ledger-keys.json")}`)
      .and.to.contain("tradeproof ledger-keys rotate --file").and.to.contain("give the same file to every instance");
    expect(existsSync(join(dataDir, "ledger-keys.json")), "no key made").to.equal(false);
    const missing = join(tempDir(), "ledger-keys.json");
    const given = await refusal({ TRADEPROOF_SESSION_SECRET: SECRET, TRADEPROOF_LEDGER_KEYS: missing });
    expect(given?.message).to.contain(`no ledger key file at ${missing}`);
    expect(existsSync(missing)).to.equal(false);
  });

  it("refuses to start without a session secret rather than generate one that only this instance knows", async function () {
    const dataDir = tempDir();
    const err = await refusal({ TRADEPROOF_LEDGER_KEYS: ledgerKeys }, dataDir);
    expect(err?.name).to.equal("ConfigError");
    expect(err?.variable).to.equal("TRADEPROOF_SESSION_SECRET");
    expect(err?.message).to.contain("give the same TRADEPROOF_SESSION_SECRET to every instance");
    expect(existsSync(join(dataDir, "session-secret")), "no secret made").to.equal(false);
  });

  it("instances given one key file publish one DID document", async function () {
    const [a, b] = [await instance(), await instance()];
    const doc = (await request(a.app).get("/.well-known/did.json").expect(200)).body;
    expect((await request(b.app).get("/.well-known/did.json").expect(200)).body).to.deep.equal(doc);
    expect(doc.verificationMethod).to.have.length(1);
  });

  it("a signed request accepted by one instance is refused by the other as a duplicate", async function () {
    const [a, b] = [await instance(), await instance()];
    const prep = await request(a.app).post("/v1/requests/prepare").send({ action: "register", from: c.trader.address, docHash: label("replayed"), docType: DocType.INVOICE }).expect(200);
    const body = { request: prep.body.message, signature: await c.trader.signTypedData(prep.body.domain, prep.body.types, prep.body.message) };
    const accepted = await request(a.app).post("/v1/requests").send(body).expect(202);
    const replayed = await request(b.app).post("/v1/requests").send(body).expect(409);
    expect(replayed.body.error.code).to.equal("DUPLICATE_REQUEST");
    // Either instance shows the request, and prepares the member's next nonce after it.
    expect((await request(b.app).get(`/v1/requests/${accepted.body.id}`).expect(200)).body.status).to.equal("queued");
    const next = await request(b.app).post("/v1/requests/prepare").send({ action: "register", from: c.trader.address, docHash: label("next"), docType: DocType.INVOICE }).expect(200);
    expect(next.body.message.nonce).to.equal(String(Number(prep.body.message.nonce) + 1));
  });

  it("a SIWE nonce issued by one instance signs in on the other once, and is refused there after it was used on the first", async function () {
    const [a, b] = [await instance(), await instance()];
    const sign = async (nonce: string) => {
      const message = siweMessage(c.auditor.address, nonce);
      return { message, signature: await c.auditor.signMessage(message) };
    };
    const issuedByA = (await request(a.app).get("/v1/auth/nonce").expect(200)).body.nonce as string;
    const login = await request(b.app).post("/v1/auth/login").send(await sign(issuedByA)).expect(200);
    // The session works on the other instance (one secret), and the nonce is spent on both.
    await request(a.app).get("/v1/audit/events").set("authorization", `Bearer ${login.body.token}`).expect(200);
    const usedOnA = (await request(a.app).get("/v1/auth/nonce").expect(200)).body.nonce as string;
    const body = await sign(usedOnA);
    await request(a.app).post("/v1/auth/login").send(body).expect(200);
    const replay = await request(b.app).post("/v1/auth/login").send(body).expect(401);
    expect(replay.body.error.code).to.equal("SIWE_NONCE_REPLAYED");
  });

  it("rate limits count a client's requests on every instance together", async function () {
    const [a, b] = [await instance({ TRADEPROOF_RATE_LIMIT: "6" }), await instance({ TRADEPROOF_RATE_LIMIT: "6" })];
    await opened[0]!.store.run("DELETE FROM rate_limits");
    const statuses: number[] = [];
    // A request apart by more than the counters' flush interval (100 ms): each instance answers on the shared total.
    for (let i = 0; i < 8; i++) {
      statuses.push((await request(i % 2 ? b.app : a.app).get(`/v1/documents/${label(`limit ${i}`)}`)).status);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 200, 429, 429]);
  });

  it("an instance that stops adds the rate-limit counts it had not flushed yet", async function () {
    const [a, b] = [await instance({ TRADEPROOF_RATE_LIMIT: "6" }), await instance()];
    await b.services.store.run("DELETE FROM rate_limits");
    // The first request's count is flushed before it is answered, the next two wait for the flush interval.
    for (let i = 0; i < 3; i++) await request(a.app).get(`/v1/documents/${label(`stopping ${i}`)}`).expect(200);
    await a.services.close();
    opened.splice(opened.indexOf(a.services), 1);
    const row = await b.services.store.one<{ hits: number }>("SELECT hits FROM rate_limits WHERE key LIKE 'general:%'");
    expect(row?.hits).to.equal(3);
  });

  it("behind a load balancer (TRADEPROOF_TRUST_PROXY=1) each client has its own budget, by its X-Forwarded-For address", async function () {
    const env = { TRADEPROOF_RATE_LIMIT: "3", TRADEPROOF_TRUST_PROXY: "1" };
    const [a, b] = [await instance(env), await instance(env)];
    await opened[0]!.store.run("DELETE FROM rate_limits");
    const get = (app: RequestListener, client: string, i: number) => request(app).get(`/v1/documents/${label(`proxied ${i}`)}`).set("x-forwarded-for", client);
    const first: number[] = [];
    for (let i = 0; i < 4; i++) {
      first.push((await get(i % 2 ? b.app : a.app, "203.0.113.7", i)).status);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(first).to.deep.equal([200, 200, 200, 429]);
    expect((await get(a.app, "198.51.100.20", 9)).status, "another client behind the same balancer").to.equal(200);
  });

  it("a request accepted by an instance that does not relay is relayed at once by the one that does, and that instance then shows it", async function () {
    // Polls a minute apart: only the notice of the queued request can start the relayer's pass in time.
    const env = { TRADEPROOF_POLL_MS: "60000", TRADEPROOF_LEASE_MS: "1500" };
    const [a, b] = [await instance(env), await instance(env)];
    a.services.start();
    b.services.start();
    try {
      for (let i = 0; !a.services.leadership!.leads && !b.services.leadership!.leads; i++) {
        if (i > 100) throw new Error("no instance leads");
        await new Promise((r) => setTimeout(r, 50));
      }
      const follower = a.services.leadership!.leads ? b : a;
      const docHash = label("accepted by the follower");
      await follower.services.indexer.syncOnce();
      expect((await request(follower.app).get(`/v1/documents/${docHash}`).expect(200)).body.status).to.equal("NOT_FOUND"); // now in its read cache
      const prep = await request(follower.app).post("/v1/requests/prepare").send({ action: "register", from: c.otherTrader.address, docHash, docType: DocType.INVOICE }).expect(200);
      const signed = { request: prep.body.message, signature: await c.otherTrader.signTypedData(prep.body.domain, prep.body.types, prep.body.message) };
      const { id } = (await request(follower.app).post("/v1/requests").send(signed).expect(202)).body;
      const t0 = Date.now();
      while ((await request(follower.app).get(`/v1/requests/${id}`)).body.status !== "mined") {
        if (Date.now() - t0 > 10_000) throw new Error("the request waited for a poll");
        await new Promise((r) => setTimeout(r, 50));
      }
      // Read your writes on either instance: once the follower says mined, it shows the document.
      expect((await request(follower.app).get(`/v1/documents/${docHash}`).expect(200)).body.status).to.equal("VALID");
    } finally {
      await a.services.close();
      await b.services.close();
      opened.splice(opened.indexOf(a.services), 1);
      opened.splice(opened.indexOf(b.services), 1);
    }
  });

  describe("while PostgreSQL is out of reach", function () {
    let proxy: TcpProxy;
    let api: { app: RequestListener; services: Services };
    const anchored = label("anchored before the outage");

    before(async function () {
      proxy = await startTcpProxy(Number(new URL(db.url).port));
      const url = new URL(db.url);
      url.port = String(proxy.port);
      api = await instance({ TRADEPROOF_RATE_LIMIT: "600" }, url.toString());
      await (await c.registry.connect(c.otherTrader).register(anchored, DocType.INVOICE)).wait();
      await api.services.leadership!.renew();
      await api.services.indexer.syncOnce();
      api.services.start(); // the lease, the indexer and the relayer run through the outage
    });
    after(async () => {
      await proxy?.restore();
      await proxy?.close();
    });

    it("reads the chain answers still answer, what needs the database is 503 DATABASE_UNAVAILABLE, and all (relayer and indexer too) recovers by itself", async function () {
      const { app } = api;
      const unknown = label("never anchored");
      await proxy.cut();
      try {
        // The verdict comes from the contract; the index is not needed for a document anchored alone.
        expect((await request(app).get(`/v1/documents/${anchored}`).expect(200)).body.status).to.equal("VALID");
        await request(app).get("/v1/members").expect(200);
        // NOT_FOUND could be a document of a public batch that only the index finds: not a verdict without it.
        const missing = await request(app).get(`/v1/documents/${unknown}`).expect(503);
        expect(missing.body).to.deep.equal({ error: { code: "DATABASE_UNAVAILABLE", message: "The API's database cannot be reached; try again shortly." } });
        expect((await request(app).get("/v1/auth/nonce").expect(503)).body.error.code).to.equal("DATABASE_UNAVAILABLE");
        const prep = await request(app).post("/v1/requests/prepare").send({ action: "register", from: c.trader2.address, docHash: unknown, docType: DocType.INVOICE });
        expect(prep.status).to.equal(503);
        expect(prep.body.error.code).to.equal("DATABASE_UNAVAILABLE");
        const health = await request(app).get("/health").expect(503);
        expect(health.body).to.deep.include({ status: "unavailable", node: { reachable: true } });
        expect(health.body.database.reachable).to.equal(false);
        expect(await api.services.leadership!.renew(), "no lease can be proved without the database").to.equal(false);
        // Traffic of every kind meanwhile: answers or 503s, never a 500 and never a verdict from the outage.
        const traffic = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            [
              () => request(app).get(`/v1/documents/${anchored}`),
              () => request(app).get(`/v1/documents/${label(`traffic ${i}`)}`),
              () => request(app).get("/v1/auth/nonce"),
              () => request(app).get("/health"),
              () => request(app).get("/metrics"),
            ][i % 5]!(),
          ),
        );
        for (const r of traffic) expect([200, 503], `${r.status} ${r.text}`).to.include(r.status);
        expect(traffic.filter((r, i) => i % 5 === 0).map((r) => r.body.status)).to.deep.equal(Array(6).fill("VALID"));
      } finally {
        await proxy.restore();
      }
      // No restart: the pool connects again on the next request.
      expect((await request(app).get(`/v1/documents/${unknown}`).expect(200)).body.status).to.equal("NOT_FOUND");
      expect((await request(app).get("/v1/auth/nonce").expect(200)).body.nonce).to.be.a("string");
      expect((await request(app).get("/health").expect(200)).body.database.reachable).to.equal(true);
      expect(await api.services.leadership!.renew()).to.equal(true);
      // The relayer and the indexer took up their work again: a relayed write is mined and shows.
      const docHash = label("relayed after the outage");
      const prepared = await request(app).post("/v1/requests/prepare").send({ action: "register", from: c.trader2.address, docHash, docType: DocType.INVOICE }).expect(200);
      const signed = { request: prepared.body.message, signature: await c.trader2.signTypedData(prepared.body.domain, prepared.body.types, prepared.body.message) };
      const { id } = (await request(app).post("/v1/requests").send(signed).expect(202)).body;
      for (let i = 0; (await request(app).get(`/v1/requests/${id}`)).body.status !== "mined"; i++) {
        if (i > 100) throw new Error("the relayed write was not mined after the outage");
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await request(app).get(`/v1/documents/${docHash}`).expect(200)).body.status).to.equal("VALID");
    });
  });
});
