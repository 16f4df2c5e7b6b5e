/**
 * Benchmarks of the API and its index, called by bench/api.ts (`npm run bench:api`). Each function starts
 * what it needs on 127.0.0.1 (an anvil node, the API in a child process) and stops it again.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon, { type Result as AutocannonResult } from "autocannon";
import { ethers } from "ethers";
import { RpcProvider } from "../sdk/provider.js";
import { Anvil, deployConsortium, DocType, freePort, tempDir } from "../test/api/helpers.js";
import { encodeCursor, queryAudit, type AuditFilter } from "../api/audit/audit.js";
import { registryInterface } from "../api/indexer/decode.js";
import { Indexer } from "../api/indexer/indexer.js";
import type { Store } from "../api/store.js";
import { PostgresStore } from "../api/store/postgres.js";
import { SqliteStore } from "../api/store/sqlite.js";
import { createTestDatabase } from "../test/support/postgres.js";
import { median } from "./rows.js";

/** The machine the figures were taken on. */
export const machine = () => ({ cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version });

/** An anvil node with the consortium deployed, and the API in a child process on 127.0.0.1 in front of it. */
export async function startBenchApi(prepare: (c: Awaited<ReturnType<typeof deployConsortium>>) => Promise<void>) {
  const anvil = await Anvil.start();
  const c = await deployConsortium(anvil.url);
  let proc: ReturnType<typeof spawn> | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    proc?.kill("SIGTERM");
    c.provider.destroy();
    await anvil.stop();
  };
  try {
    await prepare(c);
    const dataDir = tempDir();
    writeFileSync(join(dataDir, "deployment.json"), JSON.stringify(c.deployment));
    const port = await freePort();
    const serverFile = fileURLToPath(new URL("../api/server.ts", import.meta.url));
    proc = spawn(process.execPath, ["--import", "tsx", serverFile], {
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env, TRADEPROOF_RPC: anvil.url, TRADEPROOF_DEPLOYMENT: join(dataDir, "deployment.json"), TRADEPROOF_DATA_DIR: dataDir,
        TRADEPROOF_API_PORT: String(port), TRADEPROOF_RATE_LIMIT: "0", TRADEPROOF_LOG_LEVEL: "warn", TRADEPROOF_POLL_MS: "1000",
      },
    });
    const url = `http://127.0.0.1:${port}`;
    for (const until = Date.now() + 60_000; ; ) {
      const ok = await fetch(`${url}/health`).then(async (r) => r.ok && (await r.json()).index.lag === 0, () => false);
      if (ok) break;
      if (Date.now() > until) throw new Error("API did not become healthy");
      await new Promise((r) => setTimeout(r, 100));
    }
    return { url, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * GET /v1/documents/:docHash under autocannon. `hot`: 200 anchored documents (100 alone, 100 in a
 * public batch) requested in turn, served from the per-block result cache after their first read;
 * `cold`: a fresh random hash per request, so every request is a contract call on the node.
 */
export async function benchDocumentsEndpoint(opts: { connections?: number; durationSec?: number; mode?: "hot" | "cold" } = {}) {
  const connections = opts.connections ?? 50;
  const duration = opts.durationSec ?? 10;
  const hashes = Array.from({ length: 200 }, (_, i) => ethers.keccak256(ethers.toUtf8Bytes(`bench-${i}`)).toLowerCase());
  const api = await startBenchApi(async (c) => {
    for (const h of hashes.slice(0, 100)) await (await c.registry.connect(c.trader).register(h, DocType.INVOICE)).wait();
    const { StandardMerkleTree } = await import("@openzeppelin/merkle-tree");
    const t = StandardMerkleTree.of(hashes.slice(100).map((h) => [h]), ["bytes32"]);
    const ordered = hashes.slice(100).sort((a, b) => (t.leafHash([a]) < t.leafHash([b]) ? -1 : 1));
    await (await c.registry.connect(c.trader).registerPublicBatch(ordered, DocType.INVOICE)).wait();
  });
  try {
    const { url } = api;
    const check = await (await fetch(`${url}/v1/documents/${hashes[150]}`)).json();
    if (check.status !== "VALID") throw new Error(`benchmark document not VALID: ${JSON.stringify(check)}`);
    const result = await autocannon({
      url, connections, duration,
      requests:
        opts.mode === "cold"
          ? [{ method: "GET", setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/v1/documents/${ethers.hexlify(ethers.randomBytes(32))}` }) }]
          : hashes.map((h) => ({ method: "GET" as const, path: `/v1/documents/${h}` })),
    });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const cacheFigure = (result: string) => Number(new RegExp(`^tradeproof_verify_cache\\{result="${result}"\\} (\\d+)$`, "m").exec(metrics)?.[1] ?? NaN);
    const baseline = await expressBaseline(connections, duration);
    return {
      mode: opts.mode ?? "hot", connections, durationSec: duration, baselineExpressRequestsPerSec: baseline,
      requestsPerSec: result.requests.average, latencyP50Ms: result.latency.p50, latencyP99Ms: result.latency.p99,
      errors: result.errors, non2xx: result.non2xx, total: result.requests.total,
      cacheHits: cacheFigure("hit"), cacheMisses: cacheFigure("miss"), machine: machine(),
    };
  } finally {
    await api.stop();
  }
}

/** A JSON document of about `bytes` bytes, shaped like a commercial invoice (header, parties, lines). */
export function invoiceOfSize(bytes: number, seed = 0): Record<string, unknown> {
  const lines: Record<string, unknown>[] = [];
  const doc = {
    documentType: "380", invoiceNumber: `INV-2026-${String(seed).padStart(6, "0")}`, issueDate: "2026-12-03", currency: "USD",
    seller: { name: "Mekong Coffee Export JSC", country: "VN", taxId: "0301234567", address: "12 Nguyen Hue, District 1, Ho Chi Minh City" },
    buyer: { name: "Lion City Roasters Pte Ltd", country: "SG", taxId: "201912345K", address: "8 Marina View, Singapore 018960" },
    lines,
  };
  for (let i = 1; JSON.stringify(doc).length < bytes; i++) {
    lines.push({ line: i, description: `Robusta green coffee beans, grade ${i % 3 + 1}, 60 kg bags`, hsCode: "090111", quantity: 10 * i, unitPrice: 182.5 + i / 100, amount: Math.round(10 * i * (182.5 + i / 100) * 100) / 100 });
  }
  return doc;
}

/**
 * POST /v1/verify with a JSON document of about 4 KB (anchored, so each answer is VALID), beside a bare
 * node:http server in a child process that reads the same body, parses it, hashes it with the SDK's
 * hashJson and sends the API's answer: the API's cost above the work the request cannot avoid. Both run
 * at once, loaded in turn (API, bare, API, …, `rounds` each) so that a change in the machine's load
 * touches both, after three seconds of warm-up each, the load from a worker thread; the figures are the medians of
 * their rounds.
 */
export async function benchVerifyEndpoint(opts: { connections?: number; durationSec?: number; rounds?: number; documentBytes?: number } = {}) {
  const connections = opts.connections ?? 50;
  const duration = opts.durationSec ?? 10;
  const rounds = opts.rounds ?? 3;
  const body = JSON.stringify(invoiceOfSize(opts.documentBytes ?? 4096));
  const { hashJson } = await import("../sdk/hash.js");
  const docHash = hashJson(JSON.parse(body));
  const api = await startBenchApi(async (c) => {
    await (await c.registry.connect(c.trader).register(docHash, DocType.INVOICE)).wait();
  });
  let bare: Awaited<ReturnType<typeof startBareHashServer>> | undefined;
  try {
    const request = { method: "POST" as const, path: "/v1/verify", headers: { "content-type": "application/json" }, body };
    const answer = await (await fetch(`${api.url}/v1/verify`, { method: "POST", headers: request.headers, body })).text();
    if (JSON.parse(answer).status !== "VALID") throw new Error(`benchmark document not VALID: ${answer}`);
    bare = await startBareHashServer(answer);
    const runs = { api: [] as AutocannonResult[], bare: [] as AutocannonResult[] };
    // The load comes from a worker thread: the API runs in this process, and autocannon on its main thread took CPU
    // from the API's event loop that the bare server, in a process of its own, kept for itself.
    const load = (url: string, seconds: number) => autocannon({ url, connections, duration: seconds, requests: [request], workers: 1 });
    // Three seconds each first, not counted: both compile their hot functions before they are timed (after one
    // second the API's rounds still rose from one to the next).
    for (const url of [api.url, bare.url]) await load(url, 3);
    for (let i = 0; i < rounds; i++) {
      for (const [side, url] of [["api", api.url], ["bare", bare.url]] as const) {
        runs[side].push(await load(url, Math.max(1, Math.round(duration / rounds))));
      }
    }
    const summary = (rs: AutocannonResult[]) => ({
      requestsPerSec: median(rs.map((r) => r.requests.average)), latencyP50Ms: median(rs.map((r) => r.latency.p50)), latencyP99Ms: median(rs.map((r) => r.latency.p99)),
      errors: rs.reduce((n, r) => n + r.errors, 0), non2xx: rs.reduce((n, r) => n + r.non2xx, 0), total: rs.reduce((n, r) => n + r.requests.total, 0),
      rounds: rs.map((r) => r.requests.average),
    });
    return { connections, durationSec: duration, documentBytes: Buffer.byteLength(body), ...summary(runs.api), bare: summary(runs.bare), machine: machine() };
  } finally {
    bare?.stop();
    await api.stop();
  }
}

/**
 * A bare node:http server (child process) that parses each POSTed body, hashes it with hashJson and
 * answers `answer` (the API's own answer to that body, so that both send the same bytes).
 */
async function startBareHashServer(answer: string) {
  const port = await freePort();
  const hashModule = new URL("../sdk/hash.ts", import.meta.url).href;
  const code = `import { createServer } from "node:http"; import { hashJson } from ${JSON.stringify(hashModule)};
    const answer = ${JSON.stringify(answer)};
    createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const docHash = hashJson(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        const json = answer.includes(docHash) ? answer : JSON.stringify({ docHash, status: "NOT_FOUND" });
        res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(json) });
        res.end(json);
      });
    }).listen(${port}, "127.0.0.1");`;
  const proc = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", code], { stdio: ["ignore", "ignore", "inherit"], cwd: fileURLToPath(new URL("..", import.meta.url)) });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => proc.kill("SIGTERM");
  for (const until = Date.now() + 20_000; !(await fetch(url, { method: "POST", body: "{}" }).then((r) => r.ok, () => false)); ) {
    if (Date.now() > until) {
      stop();
      throw new Error("bare server did not start");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, stop };
}

/**
 * Requests a second a bare Express 5 "hello world" serves on this machine right now, measured the same
 * way (child process, same connections and duration): the ceiling against which to read the API's figure
 * on a shared or throttled machine.
 */
async function expressBaseline(connections: number, duration: number): Promise<number> {
  const port = await freePort();
  const code = `import express from "express"; const app = express(); app.set("etag", false);
    app.get("/v1/documents/:h", (req, res) => { res.json({ docHash: req.params.h, status: "NOT_FOUND" }); });
    app.listen(${port}, "127.0.0.1");`;
  const proc = spawn(process.execPath, ["--input-type=module", "--eval", code], { stdio: "ignore", cwd: fileURLToPath(new URL("..", import.meta.url)) });
  try {
    for (const until = Date.now() + 10_000; !(await fetch(`http://127.0.0.1:${port}/v1/documents/0x00`).then((r) => r.ok, () => false)); ) {
      if (Date.now() > until) throw new Error("baseline server did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await autocannon({ url: `http://127.0.0.1:${port}/v1/documents/0x00`, connections, duration });
    return r.requests.average;
  } finally {
    proc.kill("SIGTERM");
  }
}

/** Where a benchmark keeps the API's store: a SQLite file (the embedded default) or PostgreSQL (what instances share). */
export type BenchBackend = "sqlite" | "postgres";

/**
 * A fresh store of `backend`: a file in a temporary folder, or a database of its own on the PostgreSQL the tests use
 * (TRADEPROOF_TEST_DATABASE_URL, else a throwaway cluster on 127.0.0.1 with durability off, like SQLite's
 * synchronous = NORMAL a commit not waiting for the disk), dropped by `close`.
 */
async function benchStore(backend: BenchBackend, name: string): Promise<{ store: Store; close(): Promise<void> }> {
  if (backend === "sqlite") {
    const store = new SqliteStore(join(tempDir(), `${name}.sqlite`));
    return { store, close: () => store.close() };
  }
  const db = await createTestDatabase();
  const store = await PostgresStore.open(db.url);
  return {
    store,
    async close() {
      await store.close();
      await db.drop();
    },
  };
}

/**
 * Synthesises `events` index rows (50 organisations, 10 document types, 8 actions, 10 events a
 * block, 2 s blocks) into a temporary SQLite file and times the first page of typical audit queries.
 */
export async function benchAuditQuery(opts: { events?: number; pageSize?: number; runs?: number; backend?: BenchBackend } = {}) {
  const events = opts.events ?? 1_000_000;
  const limit = opts.pageSize ?? 100;
  const runs = opts.runs ?? 5;
  const backend = opts.backend ?? "sqlite";
  const { store, close } = await benchStore(backend, "audit");
  try {
    const actions = ["REGISTERED", "APPROVED", "ATTESTED", "REVOKED", "SUPERSEDED", "BATCH_REGISTERED", "ACCOUNT_ADDED", "PROPOSAL_CREATED"];
    const types = [380, 861, 830, 705, 271, 335, 325, 785, 740, 632];
    const t0 = performance.now();
    // mulberry32: a small seeded generator with well-mixed low bits (so every filter combination occurs).
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) % n);
    };
    /** Event j's columns: block, log index, hash (tx, anchor, document), time, action, organisation, account, type. */
    const row = (j: number) => {
      const block = Math.floor(j / 10);
      const h = `0x${j.toString(16).padStart(64, "0")}`;
      return [block, j % 10, h, 1_767_000_000 + block * 2, actions[rnd(actions.length)]!, 1 + rnd(50), `0x${(1 + rnd(200)).toString(16).padStart(40, "0")}`, types[rnd(types.length)]!] as const;
    };
    const BATCH = 50_000;
    // Straight into the database: a million rows one statement at a time would time the interface, not the queries.
    if (store instanceof SqliteStore) {
      const insert = store.db.prepare(
        `INSERT INTO events (block, log_index, tx_hash, at, contract, name, action, anchor, doc_hash, related, organisation, account, doc_type, details)
         VALUES (?, ?, ?, ?, 'registry', 'DocumentRegistered', ?, ?, ?, NULL, ?, ?, ?, '{}')`,
      );
      for (let i = 0; i < events; i += BATCH) {
        store.db.exec("BEGIN");
        for (let j = i; j < Math.min(events, i + BATCH); j++) {
          const [block, logIndex, h, at, action, org, account, type] = row(j);
          insert.run(block, logIndex, h, at, action, h, h, org, account, type);
        }
        store.db.exec("COMMIT");
      }
      store.db.exec("ANALYZE");
    } else {
      // PostgreSQL: the same rows, a batch a statement, as arrays unnested into rows.
      for (let i = 0; i < events; i += BATCH) {
        const cols: (number | string)[][] = Array.from({ length: 8 }, () => []);
        for (let j = i; j < Math.min(events, i + BATCH); j++) row(j).forEach((v, k) => cols[k]!.push(v));
        await store.run(
          `INSERT INTO events (block, log_index, tx_hash, at, contract, name, action, anchor, doc_hash, related, organisation, account, doc_type, details)
           SELECT b, l, h, t, 'registry', 'DocumentRegistered', a, h, h, NULL, o, acc, d, '{}'
           FROM unnest(CAST(? AS BIGINT[]), CAST(? AS INTEGER[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS INTEGER[]), CAST(? AS TEXT[]), CAST(? AS INTEGER[]))
             AS u(b, l, h, t, a, o, acc, d)`,
          cols as never,
        );
      }
      await store.run("VACUUM ANALYZE events");
    }
    const insertSec = (performance.now() - t0) / 1000;
    const midBlock = Math.floor(events / 20);
    const queries: [string, Omit<AuditFilter, "limit">][] = [
      ["all events", {}],
      ["one organisation", { organisation: 17 }],
      ["one document type", { docType: 861 }],
      ["one action", { action: "REVOKED" }],
      ["organisation + type + action", { organisation: 17, docType: 861, action: "ATTESTED" }],
      ["time range (one day)", { from: 1_767_000_000 + midBlock * 2, to: 1_767_000_000 + midBlock * 2 + 86_400 }],
      ["organisation + time range", { organisation: 17, from: 1_767_000_000 + midBlock * 2, to: 1_767_000_000 + midBlock * 2 + 86_400 }],
      ["page after a cursor half-way", { cursor: encodeCursor(midBlock, 5) }],
      ["rare action, organisation, after cursor", { organisation: 3, action: "SUPERSEDED", cursor: encodeCursor(midBlock, 5) }],
    ];
    const results = [];
    for (const [name, filter] of queries) {
      const times: number[] = [];
      let rows = 0;
      for (let r = 0; r < runs; r++) {
        const s = performance.now();
        rows = (await queryAudit(store, { ...filter, limit })).events.length;
        times.push(performance.now() - s);
      }
      results.push({ name, firstMs: times[0]!, medianMs: median(times), maxMs: Math.max(...times), rows });
    }
    return { backend, events, pageSize: limit, insertSec, queries: results, worstFirstPageMs: Math.max(...results.map((q) => q.firstMs)), machine: machine() };
  } finally {
    await close();
  }
}

/**
 * Index catch-up from an empty index: `blocks` blocks of `perBlock` genuine DocumentAttested logs
 * on anvil, read with eth_getLogs, decoded and stored. The logs come from a minimal emitter placed
 * with anvil_setCode (a registry would need ~50,000 gas per attestation; the indexer only sees
 * the logs, which have the registry's exact ABI).
 */
export async function benchIndexCatchup(opts: { blocks?: number; perBlock?: number; backend?: BenchBackend } = {}) {
  const blocks = opts.blocks ?? 100;
  const perBlock = opts.perBlock ?? 500;
  const backend = opts.backend ?? "sqlite";
  const anvil = await Anvil.start(["--gas-limit", "100000000"]);
  const provider = new RpcProvider(anvil.url, 31337, { staticNetwork: true, cacheTimeout: -1 });
  const { store, close } = await benchStore(backend, "catchup");
  try {
    const emitter = "0x00000000000000000000000000000000000e1171";
    const council = "0x00000000000000000000000000000000000c0c11";
    const account = "70997970c51812dc3a010c7d01b50e0d17dc79c8";
    const topic = registryInterface.getEvent("DocumentAttested")!.topicHash.slice(2);
    // mem[0] = account, mem[32] = outcome 1; n = calldata[0]; loop: LOG3(mem[0..96], topic, n | block << 128, org 3); n--.
    const head = "73" + account + "600052" + "6001602052" + "600035";
    const loop = head.length / 2;
    const body = (end: string) => "5b" + "801561" + end + "57" + "6003" + "81" + "4360801b" + "17" + "7f" + topic + "60606000a3" + "60019003" + "61" + loop.toString(16).padStart(4, "0") + "56";
    const exit = loop + body("0000").length / 2;
    const code = "0x" + head + body(exit.toString(16).padStart(4, "0")) + "5b00";
    await provider.send("anvil_setCode", [emitter, code]);
    const sender = new ethers.Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", provider);
    let nonce = await provider.getTransactionCount(sender.address);
    const startBlock = (await provider.getBlockNumber()) + 1;
    for (let b = 0; b < blocks; b++) {
      await (await sender.sendTransaction({ to: emitter, data: ethers.zeroPadValue(ethers.toBeHex(perBlock), 32), gasLimit: 40_000 + perBlock * 3_000, nonce: nonce++ })).wait();
    }
    const indexer = new Indexer({ provider, contracts: { registry: emitter, council, startBlock }, store });
    const t0 = performance.now();
    const stored = await indexer.syncOnce();
    const seconds = (performance.now() - t0) / 1000;
    if (stored !== blocks * perBlock) throw new Error(`indexed ${stored} events, expected ${blocks * perBlock}`);
    return { backend, events: stored, blocks, seconds, eventsPerSec: stored / seconds, machine: machine() };
  } finally {
    await close();
    provider.destroy();
    await anvil.stop();
  }
}

// `npx tsx bench/api-servers.ts [audit|catchup|documents|documents-cold|verify]`
if (import.meta.url === `file://${process.argv[1]}`) {
  const which = process.argv[2] ?? "audit";
  const run = {
    audit: () => benchAuditQuery({ events: Number(process.argv[3] ?? 1_000_000), backend: (process.argv[4] ?? "sqlite") as BenchBackend }),
    catchup: () => benchIndexCatchup({ blocks: 200, perBlock: 500, backend: (process.argv[3] ?? "sqlite") as BenchBackend }),
    documents: () => benchDocumentsEndpoint({ connections: 50, durationSec: 10 }),
    "documents-cold": () => benchDocumentsEndpoint({ connections: 50, durationSec: 10, mode: "cold" }),
    verify: () => benchVerifyEndpoint({ connections: 50, durationSec: 15 }),
  }[which];
  if (!run) throw new Error(`unknown benchmark ${which}`);
  console.log(JSON.stringify(await run(), null, 2));
}
