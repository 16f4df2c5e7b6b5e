import { expect } from "chai";
import { ethers } from "ethers";
import { createServer, request as httpRequest, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { pino } from "pino";
import request from "supertest";
import { NOT_FOUND_HINT } from "../../api/documents/documents.js";
import { withHotPath } from "../../api/documents/hot-path.js";
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

// GET /v1/documents/0x… is answered by the hot path (api/documents/hot-path.ts); a query string sends the same
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

// POST /v1/verify with an uncompressed file of a type the route hashes is the hot path's; the same
// request with a query string goes through Express's route, the reference.
const VERIFY = "/v1/verify";
const VERIFY_VIA_EXPRESS = "/v1/verify?via=express";

describe("API hot path: POST /v1/verify without Express, answered as the Express route answers", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let c: Consortium;
  const certificate = JSON.stringify({ certificateNumber: "VN-SG 26/01/000123", exporter: "Mekong Coffee Export JSC", goods: "green coffee" });
  const pdf = Buffer.from("%PDF-1.7\n% a bill of lading\n%%EOF\n");

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    const { hashJson, hashBytes } = await import("../../sdk/index.js");
    await (await c.registry.connect(c.trader).register(hashJson(JSON.parse(certificate)), DocType.INVOICE)).wait();
    await (await c.registry.connect(c.trader).register(hashBytes(pdf), DocType.INVOICE)).wait();
  });

  after(async function () {
    c?.provider.destroy();
    await anvil?.stop();
  });

  async function api(env: Record<string, string> = {}, logger?: pino.Logger) {
    const { app, services } = await apiFor(c, anvil.url, { env, overrides: logger ? { logger } : {} });
    await services.indexer.syncOnce();
    return { app, services };
  }
  const post = (app: RequestListener, path: string, type: string, body: string | Buffer) => request(app).post(path).set("Content-Type", type).send(body);
  /** POSTs exactly these bytes (supertest would serialise a Buffer sent as JSON), with Content-Length or chunked. */
  async function rawPost(app: RequestListener, path: string, type: string, chunks: Buffer[], opts: { chunked?: boolean } = {}) {
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      return await new Promise<{ status: number; text: string; headers: string[] }>((resolve, reject) => {
        const length = chunks.reduce((n, b) => n + b.length, 0);
        const headers = { "content-type": type, ...(opts.chunked ? {} : { "content-length": String(length) }) };
        const req = httpRequest({ host: "127.0.0.1", port: (server.address() as AddressInfo).port, path, method: "POST", headers }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => {
            const lines: string[] = [];
            for (let i = 0; i < res.rawHeaders.length; i += 2) if (!/^(date|connection|keep-alive)$/i.test(res.rawHeaders[i])) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
            resolve({ status: res.statusCode!, text, headers: lines });
          });
        });
        req.on("error", reject);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it("a JSON document, a PDF and an unknown file: the Express route's status, headers and body, the hint on NOT_FOUND", async function () {
    const { app, services } = await api();
    try {
      const cases: [string, string | Buffer, string][] = [
        ["application/json", certificate, "VALID"],
        ["application/json; charset=utf-8", ` \n${certificate}\n`, "VALID"], // JSON hashed by its JCS form, whatever its spacing
        ["application/pdf", pdf, "VALID"],
        ["application/pdf", Buffer.concat([pdf, Buffer.from("tampered")]), "NOT_FOUND"],
      ];
      for (const [type, body, status] of cases) {
        const hot = await post(app, VERIFY, type, body).expect(200);
        const again = await post(app, VERIFY, type, body).expect(200); // from the per-block cache
        const reference = await post(app, VERIFY_VIA_EXPRESS, type, body).expect(200);
        expect(hot.body.status, type).to.equal(status);
        for (const res of [hot, again]) {
          expect(res.text).to.equal(reference.text);
          expect(rawHeaders(res)).to.deep.equal(rawHeaders(reference));
        }
        expect(hot.headers["tradeproof-hint"]).to.equal(status === "NOT_FOUND" ? NOT_FOUND_HINT[1] : undefined);
      }
    } finally {
      await services.close();
    }
  });

  it("takes only what it answers: an uncompressed file of a type the route hashes, at exactly /v1/verify", async function () {
    const { services } = await api();
    try {
      const passedOn: string[] = [];
      const express = ((req: IncomingMessage, res: ServerResponse) => {
        passedOn.push(`${req.method} ${req.url} ${req.headers["content-type"] ?? ""} ${req.headers["content-encoding"] ?? ""}`.trim());
        res.statusCode = 418;
        res.end();
      }) as never;
      const listener = withHotPath({ app: express, documents: services.documents, fileLimit: 1_000_000, securityHeaders: [], onError: () => undefined, record: () => undefined });
      expect((await post(listener, VERIFY, "application/json", certificate).expect(200)).body.status).to.equal("VALID");
      expect((await post(listener, VERIFY, "application/pdf", pdf).expect(200)).body.status).to.equal("VALID");
      expect(passedOn).to.deep.equal([]);
      await post(listener, VERIFY_VIA_EXPRESS, "application/pdf", pdf).expect(418);
      await post(listener, VERIFY, "text/html", "<p>").expect(418);
      await request(listener).post(VERIFY).set("Content-Type", "application/pdf").set("Content-Encoding", "gzip").send(pdf).expect(418);
      await request(listener).put(VERIFY).set("Content-Type", "application/pdf").send(pdf).expect(418);
      expect(passedOn).to.deep.equal([
        "POST /v1/verify?via=express application/pdf", "POST /v1/verify text/html", "POST /v1/verify application/pdf gzip", "PUT /v1/verify application/pdf",
      ]);
    } finally {
      await services.close();
    }
  });

  it("bad bodies get the Express route's error answers: empty, not JSON, not UTF-8, too large (declared or streamed)", async function () {
    const { app, services } = await api({ TRADEPROOF_FILE_LIMIT: "1024" });
    try {
      const cases: [string, string | Buffer, number, string][] = [
        ["application/json", "", 400, "EMPTY_BODY"],
        ["application/pdf", "", 400, "EMPTY_BODY"],
        ["application/json", "{\"certificate\": ", 400, "INVALID_JSON"],
        ["application/json", Buffer.from([0x7b, 0xff, 0x7d]), 400, "INVALID_JSON"],
        ["application/json", JSON.stringify({ pad: "x".repeat(2000) }), 413, "PAYLOAD_TOO_LARGE"],
        ["application/pdf", Buffer.alloc(2000, 1), 413, "PAYLOAD_TOO_LARGE"],
      ];
      for (const [type, body, status, code] of cases) {
        const hot = await rawPost(app, VERIFY, type, [Buffer.from(body)]);
        const reference = await rawPost(app, VERIFY_VIA_EXPRESS, type, [Buffer.from(body)]);
        expect([hot.status, JSON.parse(hot.text).error.code], `${type} ${String(body).slice(0, 20)}`).to.deep.equal([status, code]);
        expect(hot.text).to.equal(reference.text);
        expect(hot.headers).to.deep.equal(reference.headers);
      }
      // Sent in chunks without Content-Length: stopped once past the limit, still a 413 in the API's shape.
      const streamed = await rawPost(app, VERIFY, "application/pdf", [0, 1, 2, 3].map((i) => Buffer.alloc(512, i)), { chunked: true });
      expect(streamed.status).to.equal(413);
      expect(JSON.parse(streamed.text).error.code).to.equal("PAYLOAD_TOO_LARGE");
      // What the hot path does not take is Express's, as before: an unsupported type, a compressed body.
      expect((await post(app, VERIFY, "text/html", "<p>").expect(415)).body.error.code).to.equal("UNSUPPORTED_CONTENT_TYPE");
      const gzipped = await request(app).post(VERIFY).set("Content-Type", "application/pdf").set("Content-Encoding", "gzip").send(pdf);
      expect(gzipped.status).to.equal((await request(app).post(VERIFY_VIA_EXPRESS).set("Content-Type", "application/pdf").set("Content-Encoding", "gzip").send(pdf)).status);
    } finally {
      await services.close();
    }
  });

  it("counts and logs each answer under the route's label, and with rate limits on, one count a request whichever path answers", async function () {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, next) { for (const l of String(chunk).split("\n")) if (l) lines.push(JSON.parse(l)); next(); } });
    const { app, services } = await api({ TRADEPROOF_RATE_LIMIT: "3" }, pino({ level: "info" }, sink));
    try {
      const answers = [
        await post(app, VERIFY, "application/json", certificate).expect(200),
        await post(app, VERIFY_VIA_EXPRESS, "application/json", certificate).expect(200),
        await post(app, VERIFY, "application/json", "").expect(400),
      ];
      expect(answers.map((r) => /r=(\d+)/.exec(String(r.headers["ratelimit"]))?.[1])).to.deep.equal(["2", "1", "0"]);
      const refused = await post(app, VERIFY, "application/json", certificate).expect(429);
      const reference = await post(app, VERIFY_VIA_EXPRESS, "application/json", certificate).expect(429);
      expect(refused.text).to.equal(reference.text);
      expect(headerNames(refused)).to.deep.equal(headerNames(reference));
      const metrics = (await request(app).get("/metrics").expect(200)).text;
      expect(metrics).to.match(/^tradeproof_http_requests_total\{method="POST",route="\/v1\/verify",status="200"\} 2$/m);
      expect(metrics).to.match(/^tradeproof_http_requests_total\{method="POST",route="\/v1\/verify",status="400"\} 1$/m);
      const logged = lines.filter((l) => l.msg === "request" && l.path !== "/metrics").map((l) => [l.method, l.path, l.status]);
      expect(logged).to.deep.equal([["POST", VERIFY, 200], ["POST", VERIFY, 200], ["POST", VERIFY, 400], ["POST", VERIFY, 429], ["POST", VERIFY, 429]]);
    } finally {
      await services.close();
    }
  });
});
