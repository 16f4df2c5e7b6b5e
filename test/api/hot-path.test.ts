import { expect } from "chai";
import { ethers } from "ethers";
import type { RequestListener } from "node:http";
import { Writable } from "node:stream";
import { pino } from "pino";
import request from "supertest";
import { NOT_FOUND_HINT } from "../../api/documents.js";
import type { Services } from "../../api/services.js";
import { apiFor } from "./app-helpers.js";
import { Anvil, deployConsortium, DocType, freePort, type Consortium } from "./helpers.js";

const label = (s: string) => ethers.keccak256(ethers.toUtf8Bytes(s)).toLowerCase();

/** The header lines of a response as sent, in order, without Date (the one that moves by itself). */
const rawHeaders = (res: request.Response) => {
  const raw = (res as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders;
  const lines: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() !== "date") lines.push(`${raw[i]}: ${raw[i + 1]}`);
  return lines;
};
const headerNames = (res: request.Response) => rawHeaders(res).map((l) => l.slice(0, l.indexOf(":")));

/** Results served from the per-block cache (hits) and read from the contract (misses), from /metrics. */
async function cacheFigures(app: RequestListener): Promise<{ hits: number; misses: number }> {
  const text = (await request(app).get("/metrics").expect(200)).text;
  const figure = (result: string) => Number(new RegExp(`^tradeproof_verify_cache\\{result="${result}"\\} (\\d+)$`, "m").exec(text)?.[1]);
  return { hits: figure("hit"), misses: figure("miss") };
}

// GET /v1/documents/0x… is answered by the hot path (api/hot-path.ts); a query string sends the same
// request through Express's route, the reference the hot path must match byte for byte.
const hot = (h: string) => `/v1/documents/${h}`;
const viaExpress = (h: string) => `/v1/documents/${h}?via=express`;

describe("API hot path: GET /v1/documents/:docHash without Express, answered as the Express route answers", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let c: Consortium;
  const invoice = label("hot path invoice");
  const revoked = label("hot path revoked certificate");
  const unknown = label("hot path, never anchored");

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    await (await c.registry.connect(c.trader).register(invoice, DocType.INVOICE)).wait();
    await (await c.registry.connect(c.trader).register(revoked, DocType.INVOICE)).wait();
    await (await c.registry.connect(c.trader).revoke(revoked, "withdrawn by the seller")).wait();
  });

  after(async function () {
    c?.provider.destroy();
    await anvil?.stop();
  });

  /** An app whose indexer has read the head, so that results are cached per block. */
  async function api(opts: { env?: Record<string, string>; logger?: pino.Logger } = {}): Promise<{ app: RequestListener; services: Services }> {
    const { app, services } = await apiFor(c, anvil.url, { env: opts.env, overrides: opts.logger ? { logger: opts.logger } : {} });
    await services.indexer.syncOnce();
    return { app, services };
  }

  it("a first read and a cached read have the status, headers and body of the Express route", async function () {
    const { app, services } = await api();
    try {
      for (const h of [invoice, revoked, unknown]) {
        const first = await request(app).get(hot(h)).expect(200);
        const cached = await request(app).get(hot(h)).expect(200);
        const reference = await request(app).get(viaExpress(h)).expect(200);
        for (const res of [first, cached]) {
          expect(res.text).to.equal(reference.text);
          expect(rawHeaders(res)).to.deep.equal(rawHeaders(reference));
        }
        expect(cached.headers["content-security-policy"]).to.contain("default-src 'self'");
        expect(cached.headers["x-content-type-options"]).to.equal("nosniff");
        expect(cached.headers["content-type"]).to.equal("application/json; charset=utf-8");
        expect(cached.headers).to.not.have.any.keys("x-powered-by", "etag");
        // A hash alone cannot find a document of a private batch: a NOT_FOUND says so, beside the normative result.
        expect(cached.headers["tradeproof-hint"]).to.equal(h === unknown ? NOT_FOUND_HINT[1] : undefined);
      }
      expect(await cacheFigures(app)).to.deep.equal({ misses: 3, hits: 6 }); // one read a document, then the cache
      expect(JSON.parse((await request(app).get(hot(revoked)).expect(200)).text)).to.deep.include({
        docHash: revoked, status: "REVOKED", revocationReason: "withdrawn by the seller",
      });
      expect((await request(app).get(hot(unknown)).expect(200)).body).to.deep.equal({ docHash: unknown, status: "NOT_FOUND" });
    } finally {
      await services.close();
    }
  });

  it("upper-case hex, other spellings of the path, HEAD, conditional GETs and bad hashes answer as before", async function () {
    const { app, services } = await api();
    try {
      const body = (await request(app).get(hot(invoice)).expect(200)).text;
      expect((await request(app).get(hot(`0x${invoice.slice(2).toUpperCase()}`)).expect(200)).text).to.equal(body);
      for (const path of [`${hot(invoice)}/`, `/V1/documents/${invoice}`, `/v1/documents/%30x${invoice.slice(2)}`]) {
        expect((await request(app).get(path).expect(200)).text, path).to.equal(body);
      }
      const head = await request(app).head(hot(invoice)).expect(200);
      expect(head.headers["content-length"]).to.equal(String(Buffer.byteLength(body)));
      for (const bad of ["0x1234", `0x${"g".repeat(64)}`, `0x${"a".repeat(65)}`]) {
        expect((await request(app).get(hot(bad)).expect(400)).body.error.code).to.equal("INVALID_HASH");
      }
      await request(app).post(hot(invoice)).expect(404);
      // Conditional GETs are Express's: If-None-Match: * is fresh there, and answered 304 without a body.
      await request(app).get(hot(invoice)).set("If-None-Match", "*").expect(304);
      expect((await request(app).get(hot(invoice)).set("If-Modified-Since", new Date().toUTCString()).expect(200)).text).to.equal(body);
    } finally {
      await services.close();
    }
  });

  it("a cached answer is never older than the head: a write shows on the next request once the index moves", async function () {
    const { app, services } = await api();
    try {
      const fresh = label("hot path, registered after two reads");
      expect((await request(app).get(hot(fresh)).expect(200)).body.status).to.equal("NOT_FOUND");
      expect((await request(app).get(hot(fresh)).expect(200)).body.status).to.equal("NOT_FOUND"); // cached
      await (await c.registry.connect(c.trader).register(fresh, DocType.INVOICE)).wait();
      await services.indexer.syncOnce();
      expect((await request(app).get(hot(fresh)).expect(200)).body.status).to.equal("VALID");
    } finally {
      await services.close();
    }
  });

  it("a node that cannot be reached is 503 NODE_UNREACHABLE with the Express route's headers and body", async function () {
    const { app, services } = await apiFor(c, `http://127.0.0.1:${await freePort()}`);
    try {
      const res = await request(app).get(hot(invoice)).expect(503);
      const reference = await request(app).get(viaExpress(invoice)).expect(503);
      expect(res.body).to.deep.equal({ error: { code: "NODE_UNREACHABLE", message: "The ledger node cannot be reached; try again shortly." } });
      expect(res.text).to.equal(reference.text);
      expect(rawHeaders(res)).to.deep.equal(rawHeaders(reference));
    } finally {
      await services.close();
    }
  });

  it("counts every answer in the metrics and logs it with its full path, whichever path answered", async function () {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, next) { for (const l of String(chunk).split("\n")) if (l) lines.push(JSON.parse(l)); next(); } });
    const { app, services } = await api({ logger: pino({ level: "info" }, sink) });
    try {
      await request(app).get(hot(invoice)).expect(200);
      await request(app).get(hot(invoice)).expect(200);
      await request(app).get(viaExpress(invoice)).expect(200);
      await request(app).get("/v1/nothing?x=1").expect(404);
      const metrics = (await request(app).get("/metrics").expect(200)).text;
      expect(metrics).to.match(/^tradeproof_http_requests_total\{method="GET",route="\/v1\/documents\/:docHash",status="200"\} 3$/m);
      expect(metrics).to.match(/^tradeproof_http_request_duration_seconds_count\{method="GET",route="\/v1\/documents\/:docHash"\} 3$/m);
      expect(metrics).to.match(/^tradeproof_verify_cache\{result="hit"\} 2$/m);
      expect(metrics).to.match(/^tradeproof_verify_cache\{result="miss"\} 1$/m);
      const logged = lines.filter((l) => l.msg === "request" && l.path !== "/metrics");
      // the path in full (not cut by the /v1 router), without the query
      expect(logged.map((l) => [l.method, l.path, l.status])).to.deep.equal([
        ["GET", hot(invoice), 200], ["GET", hot(invoice), 200], ["GET", hot(invoice), 200], ["GET", "/v1/nothing", 404],
      ]);
      for (const l of logged) expect(Object.keys(l).sort()).to.deep.equal(Object.keys(logged[2]).sort());
      for (const l of logged) expect(l.ms).to.be.a("number").and.at.least(0);
    } finally {
      await services.close();
    }
  });

  it("with rate limits on, a request counts once whichever path answers it, and past the limit both answer 429 alike", async function () {
    const { app, services } = await api({ env: { TRADEPROOF_RATE_LIMIT: "4" } });
    try {
      const answers = [
        await request(app).get(hot(invoice)).expect(200), // read from the node
        await request(app).get(hot(invoice)).expect(200), // cached
        await request(app).get(viaExpress(invoice)).expect(200),
        await request(app).get(hot(revoked)).expect(200),
      ];
      // The remaining count is exact; the seconds to the window's reset (t) depend on when in the second the run started.
      const remaining = (header: unknown) => /^"4-in-1min"; r=(\d+); t=(\d+)$/.exec(String(header));
      expect(answers.map((r) => remaining(r.headers["ratelimit"])?.[1])).to.deep.equal(["3", "2", "1", "0"]);
      for (const r of answers) expect(Number(remaining(r.headers["ratelimit"])?.[2])).to.be.within(1, 60);
      expect(new Set(answers.map((r) => r.headers["ratelimit-policy"])).size).to.equal(1);
      expect(answers[1].text).to.equal(answers[2].text);
      expect(headerNames(answers[1])).to.deep.equal(headerNames(answers[2]));
      expect(await cacheFigures(app)).to.deep.equal({ misses: 2, hits: 2 });

      const refused = await request(app).get(hot(invoice)).expect(429);
      const reference = await request(app).get(viaExpress(invoice)).expect(429);
      expect(refused.body).to.deep.equal({ error: { code: "RATE_LIMITED", message: "Too many requests; slow down." } });
      expect(refused.text).to.equal(reference.text);
      expect(headerNames(refused)).to.deep.equal(headerNames(reference));
      expect(remaining(refused.headers["ratelimit"])?.[1]).to.equal("0");
      expect(refused.headers["x-content-type-options"]).to.equal("nosniff");
      // a refused request reads nothing, from the cache or the node
      expect(await cacheFigures(app)).to.deep.equal({ misses: 2, hits: 2 });
    } finally {
      await services.close();
    }
  });
});
