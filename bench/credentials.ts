/**
 * Anchor credentials (issue 13), on 127.0.0.1:
 * - credentials issued through the API under autocannon, hot (200 anchored documents requested in turn, signed once
 *   per block and then served from the cache), beside GET /v1/documents/:docHash on the same documents in the same run;
 * - every one of N documents' credentials fetched once (each signed anew), then `tradeproof verify-credential --offline`
 *   of the N files from a cache filled by `tradeproof cache refresh`, timed from the command's start to its end;
 * - the status lists rebuilt from the chain (every document read from the contract) after M anchored documents with a
 *   credential, R of them revoked in their batch; and the incremental refresh after one more revocation.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { ethers } from "ethers";
import { pino } from "pino";
import { loadConfig } from "../api/config.js";
import { StatusIndexes } from "../api/credentials/status-indexes.js";
import { StatusLists } from "../api/credentials/status-lists.js";
import { createServices } from "../api/services.js";
import { buildBatch, type Hex } from "../sdk/index.js";
import { STATUS_LIST_SIZE } from "../sdk/status-list.js";
import { Anvil, deployConsortium, DocType, tempDir, type Consortium } from "../test/api/helpers.js";
import { startBenchApi } from "./api-servers.js";
import type { Row } from "./rows.js";
import { median, seconds } from "./rows.js";

const section = "Anchor credentials";
const CLI = fileURLToPath(new URL("../scripts/tradeproof.mjs", import.meta.url));
/** Runs of `verify-credential --offline`, and of its floor, whose medians are reported. */
const OFFLINE_RUNS = 3;
const FLOOR = fileURLToPath(new URL("./signature-floor.mjs", import.meta.url));
const runs = (xs: number[]) => xs.map((t) => `${t.toFixed(2)} s`).join(", ");
/** The seconds each of OFFLINE_RUNS runs of `run` took. */
const timedRuns = (run: () => void) =>
  Array.from({ length: OFFLINE_RUNS }, () => {
    const t = performance.now();
    run();
    return seconds(t);
  });
/** Documents per public batch transaction (well under Besu's 128 KiB). */
const PART = 2_000;

const docsNamed = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ethers.keccak256(ethers.toUtf8Bytes(`${prefix}-${i}`)).toLowerCase() as Hex);

/** Anchors `docs` in public batches of {@link PART}; returns each batch (root and proofs). */
async function anchorPublic(c: Consortium, docs: Hex[]) {
  const batches = [];
  for (let i = 0; i < docs.length; i += PART) {
    const batch = buildBatch(docs.slice(i, i + PART));
    await (await c.registry.connect(c.trader).registerPublicBatch(batch.leaves, DocType.INVOICE)).wait();
    batches.push(batch);
  }
  return batches;
}

export async function benchCredentials({ quick }: { quick: boolean }): Promise<Row[]> {
  return [...(await throughputAndOffline(quick)), ...(await rebuild(quick))];
}

async function throughputAndOffline(quick: boolean): Promise<Row[]> {
  const n = quick ? 1_000 : 10_000;
  const duration = quick ? 2 : 10;
  const docs = docsNamed("credential-bench", n);
  const api = await startBenchApi(async (c) => void (await anchorPublic(c, docs)));
  try {
    const { url } = api;
    const hot = docs.slice(0, 200);
    const run = (path: (h: Hex) => string) => autocannon({ url, connections: 50, duration, requests: hot.map((h) => ({ method: "GET" as const, path: path(h) })) });
    const credentials = await run((h) => `/v1/documents/${h}/credential`);
    const documents = await run((h) => `/v1/documents/${h}`);
    if (credentials.non2xx > 0 || credentials.errors > 0) throw new Error(`credential requests failed: ${credentials.non2xx} non-2xx, ${credentials.errors} errors`);

    // Each document's credential once: every request signs a new one (and assigns its status index).
    const dir = tempDir();
    const files = join(dir, "credentials");
    mkdirSync(files);
    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += 32) {
      await Promise.all(
        docs.slice(i, i + 32).map(async (h, k) => {
          const res = await fetch(`${url}/v1/documents/${h}/credential`);
          if (!res.ok) throw new Error(`credential of ${h}: HTTP ${res.status}`);
          writeFileSync(join(files, `${String(i + k).padStart(6, "0")}.credential.jwt`), await res.text());
        }),
      );
    }
    const issueSeconds = seconds(t0);

    const env = { ...process.env, TRADEPROOF_CACHE_DIR: join(dir, "cache"), NO_COLOR: "1" };
    execFileSync(process.execPath, [CLI, "cache", "refresh", "--api", url], { env, stdio: "pipe" });
    await api.stop(); // offline: nothing to ask
    // The command runs OFFLINE_RUNS times, and the median is the figure: one run of two seconds is at the mercy of the
    // shared machine's neighbours (the same files took 1.8 s by hand and 2.25 s in a full run).
    const offlineRuns = timedRuns(() => {
      const out = execFileSync(process.execPath, [CLI, "verify-credential", "--offline", "--api", url, files], { env, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
      if (!out.includes(`${n} credentials: ${n} VALID`)) throw new Error(`verify-credential --offline did not find every credential VALID: ${out.slice(0, 300)}`);
    });
    const offlineSeconds = median(offlineRuns);
    // The floor, on the same files in the same run: a bare Node process checking only their signatures.
    const didFile = join(dir, "cache", readdirSync(join(dir, "cache")).find((f) => f !== "lists")!, "did.json");
    const floorRuns = timedRuns(() => {
      const out = execFileSync(process.execPath, [FLOOR, files, didFile], { encoding: "utf8" });
      if (Number(out) !== n) throw new Error(`the signature floor verified ${out.trim()} of ${n} signatures`);
    });
    const floorSeconds = median(floorRuns);

    return [
      {
        section, figure: "credentials issued through the API, hot", unit: "credentials/s", better: "higher", tradeproof: credentials.requests.average,
        target: { op: ">=", value: 1_000 },
        note: `GET /v1/documents/:docHash/credential, autocannon, 50 connections, ${duration} s, 200 anchored documents in turn (signed once per block, then from the cache); p99 ${credentials.latency.p99} ms. GET /v1/documents/:docHash on the same documents, same run: ${Math.round(documents.requests.average).toLocaleString("en")} req/s (credentials at ${(credentials.requests.average / documents.requests.average).toFixed(2)}× of it).`,
      },
      {
        section, figure: `credentials issued through the API, each signed anew (${n.toLocaleString("en")} documents once each)`, unit: "credentials/s", better: "higher",
        tradeproof: n / issueSeconds, note: "32 requests at a time; each reads the document from the contract, assigns its status index and signs (ES256).",
      },
      {
        section, figure: `tradeproof verify-credential --offline, ${n.toLocaleString("en")} credentials`, unit: "credentials/s", better: "higher", tradeproof: n / offlineSeconds,
        peer: n / floorSeconds, peerName: "signatures alone, the floor", target: { op: ">=", value: 5_000 },
        note: `the built CLI, from its start to its end, Node's start included: median of ${OFFLINE_RUNS} runs (${runs(offlineRuns)}), the API stopped: DID document and both status lists from the cache of \`tradeproof cache refresh\`; 64 checked at a time. The floor: bench/signature-floor.mjs, a bare Node process checking only the ES256 signatures of the same files with node:crypto on both cores, median of ${OFFLINE_RUNS} (${runs(floorRuns)}).`,
      },
    ];
  } finally {
    await api.stop();
  }
}

async function rebuild(quick: boolean): Promise<Row[]> {
  const m = quick ? 4_000 : 100_000;
  const r = quick ? 50 : 1_000;
  const anvil = await Anvil.start(["--gas-limit", "1000000000"]);
  const c = await deployConsortium(anvil.url);
  const services = await createServices(
    loadConfig({ TRADEPROOF_RPC: anvil.url, TRADEPROOF_DATA_DIR: tempDir(), TRADEPROOF_LOG_LEVEL: "silent", TRADEPROOF_RATE_LIMIT: "0" }),
    { deployment: c.deployment, logger: pino({ level: "silent" }) },
  );
  try {
    const docs = docsNamed("status-list-bench", m);
    const batches = await anchorPublic(c, docs);
    const revoker = new ethers.NonceManager(c.trader);
    const revoked = docs.filter((_, i) => i % Math.floor(m / r) === 0).slice(0, r);
    const revoke = (h: Hex) => {
      const batch = batches[Math.floor(docs.indexOf(h) / PART)]!;
      return c.registry.connect(revoker).revokeInBatch(batch.root, h, batch.proof(h), "bench");
    };
    // Sent one after another, mined a hundred at a time: sent all at once, they reached anvil out of nonce order, and
    // once 78 of them stayed "queued" in its pool with the account's next nonce first among them, mined never.
    for (let i = 0; i < revoked.length; i += 100) {
      const sent = [];
      for (const h of revoked.slice(i, i + 100)) sent.push(await revoke(h));
      await Promise.all(sent.map((tx) => tx.wait()));
    }
    do await services.indexer.syncOnce();
    while ((await services.indexer.lag()) !== 0);
    const indexes = new StatusIndexes(services.store);
    for (const [i, h] of docs.entries()) await indexes.assign(h, batches[Math.floor(i / PART)]!.root);
    const lists = () => new StatusLists(services.store, indexes, () => services.indexer.cursor());

    const fresh = lists();
    const t0 = performance.now();
    await fresh.refresh();
    const rebuildSeconds = seconds(t0);
    const set = (await indexes.all()).filter((row) => fresh.list("revocation", Math.floor(row.idx / STATUS_LIST_SIZE)).get(row.idx % STATUS_LIST_SIZE)).length;
    if (set !== r) throw new Error(`the rebuilt lists hold ${set} revocations, not ${r}`);

    const one = docs.find((h) => !revoked.includes(h))!;
    await (await revoke(one)).wait();
    await services.indexer.syncOnce();
    const t1 = performance.now();
    await fresh.refresh();
    const incrementalMs = seconds(t1) * 1000;
    const lists_ = Math.ceil(m / (STATUS_LIST_SIZE * 0.75));
    return [
      {
        section, figure: `status lists rebuilt from the chain, ${m.toLocaleString("en")} documents with a credential, ${r.toLocaleString("en")} revoked`, unit: "s", better: "lower",
        tradeproof: rebuildSeconds,
        note: `from the index's revocation and supersession events, with no stored bits: ${Math.round(m / rebuildSeconds).toLocaleString("en")} documents/s, into ${lists_} list(s) of each purpose. An instance starting continues from the bits in the store instead.`,
      },
      {
        section, figure: "status lists after one more revocation (incremental refresh)", unit: "ms", better: "lower", tradeproof: incrementalMs,
        note: "only the index's new revocation and supersession events are read.",
      },
    ];
  } finally {
    await services.close();
    c.provider.destroy();
    await anvil.stop();
  }
}
