/**
 * Several API instances on one PostgreSQL (issue 11), called by bench/api.ts: how long relaying stops when the
 * relaying instance is killed, and GET /v1/documents/:docHash hot on one instance and on two. Each function starts
 * its anvil node, a database of its own on the PostgreSQL the tests use, and the API instances as processes on
 * 127.0.0.1, and stops them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import { ethers } from "ethers";
import { loadLedgerKeys } from "../api/identity/keys.js";
import { Anvil, deployConsortium, DocType, tempDir, type Consortium } from "../test/api/helpers.js";
import { startApiProcess, type ApiProcess } from "../test/support/api-process.js";
import { createTestDatabase, type TestDatabase } from "../test/support/postgres.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** anvil, the consortium, a database, and how to start instances on them (the production defaults unless `env` says). */
async function cluster(env: Record<string, string> = {}) {
  const anvil = await Anvil.start();
  let c: Consortium | undefined;
  let db: TestDatabase | undefined;
  const instances: ApiProcess[] = [];
  const stop = async () => {
    for (const i of instances) await i.stop();
    await db?.drop();
    c?.provider.destroy();
    await anvil.stop();
  };
  try {
    c = await deployConsortium(anvil.url);
    db = await createTestDatabase();
    const deployment = join(tempDir(), "deployment.json");
    writeFileSync(deployment, JSON.stringify(c.deployment));
    // One key file for every instance, as a deployment gives them (on PostgreSQL the API makes none of its own).
    const ledgerKeys = join(tempDir(), "ledger-keys.json");
    await loadLedgerKeys(ledgerKeys);
    const base = {
      TRADEPROOF_RPC: anvil.url, TRADEPROOF_DEPLOYMENT: deployment, TRADEPROOF_DATABASE_URL: db.url, TRADEPROOF_LEDGER_KEYS: ledgerKeys, TRADEPROOF_RELAYER_KEY: c.relayer.privateKey,
      TRADEPROOF_SESSION_SECRET: "cc".repeat(32), TRADEPROOF_RATE_LIMIT: "0", TRADEPROOF_LOG_LEVEL: "warn", ...env,
    };
    const start = async () => {
      const i = await startApiProcess({ ...base, TRADEPROOF_DATA_DIR: tempDir() });
      instances.push(i);
      return i;
    };
    return { c, start, stop, instances };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function health(i: ApiProcess): Promise<{ database?: { leads?: boolean }; index?: { lag: number } } | undefined> {
  try {
    return (await (await fetch(`${i.url}/health`)).json()) as { database?: { leads?: boolean } };
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  for (const end = Date.now() + ms; ; ) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Prepares, signs and submits a register of `label` by `member` through `i`; returns the request's id. */
async function relay(i: ApiProcess, member: ethers.HDNodeWallet, label: string): Promise<string> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${i.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = (await res.json()) as Record<string, any>;
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const prep = await post("/v1/requests/prepare", { action: "register", from: member.address, docHash: ethers.keccak256(ethers.toUtf8Bytes(label)), docType: DocType.INVOICE });
  return (await post("/v1/requests", { request: prep.message, signature: await member.signTypedData(prep.domain, prep.types, prep.message) })).id as string;
}

const mined = (i: ApiProcess, id: string) => until(`request ${id} mined`, async () => ((await (await fetch(`${i.url}/v1/requests/${id}`)).json()) as { status: string }).status === "mined");

/**
 * Two instances with the production defaults (lease 3 s, poll 1 s); the leader is killed with SIGKILL and a write is
 * submitted to the other at once. Per round: seconds until the other leads, and until that write is mined (anvil mines
 * at once, so this is the relaying gap). A fresh instance replaces the killed one for the next round.
 */
export async function benchTakeover(opts: { rounds?: number } = {}) {
  const rounds = opts.rounds ?? 3;
  const k = await cluster();
  try {
    await k.start();
    await k.start();
    const results: { leadsSec: number; minedSec: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      const live = k.instances.filter((i) => i.child.exitCode === null && i.child.signalCode === null);
      const leader = await until("a leader", async () => {
        const states = await Promise.all(live.map(health));
        return live[states.findIndex((h) => h?.database?.leads)];
      });
      const other = live.find((i) => i !== leader)!;
      await mined(other, await relay(other, k.c.trader, `takeover warm-up ${r}`));
      const t0 = performance.now();
      await leader.kill();
      const id = await relay(other, k.c.trader, `takeover ${r}`);
      const leadsAt = await until("the other to lead", async () => (await health(other))?.database?.leads && performance.now());
      await mined(other, id);
      results.push({ leadsSec: (leadsAt - t0) / 1000, minedSec: (performance.now() - t0) / 1000 });
      if (r + 1 < rounds) await k.start();
    }
    return { rounds: results, medianMinedSec: median(results.map((x) => x.minedSec)), maxMinedSec: Math.max(...results.map((x) => x.minedSec)), medianLeadsSec: median(results.map((x) => x.leadsSec)) };
  } finally {
    await k.stop();
  }
}

/**
 * GET /v1/documents/:docHash hot (the 100 anchored documents requested in turn, from the per-block cache after the
 * first read) on one instance on PostgreSQL, then on two at once (half the connections each, one autocannon per
 * instance, the figures added). Rate limits off, as in the SQLite figure; all on this one machine's cores.
 */
export async function benchHotInstances(opts: { connections?: number; durationSec?: number; env?: Record<string, string> } = {}) {
  const connections = opts.connections ?? 50;
  const duration = opts.durationSec ?? 10;
  const k = await cluster({ TRADEPROOF_POLL_MS: "1000", ...opts.env });
  try {
    const hashes = Array.from({ length: 100 }, (_, i) => ethers.keccak256(ethers.toUtf8Bytes(`bench-instances-${i}`)).toLowerCase());
    for (const h of hashes) await (await k.c.registry.connect(k.c.trader).register(h, DocType.INVOICE)).wait();
    const load = async (instances: ApiProcess[]) => {
      const results = await Promise.all(
        instances.map((i) => autocannon({ url: i.url, connections: connections / instances.length, duration, requests: hashes.map((h) => ({ method: "GET", path: `/v1/documents/${h}` })) })),
      );
      return {
        requestsPerSec: results.reduce((s, r) => s + r.requests.average, 0),
        latencyP99Ms: Math.max(...results.map((r) => r.latency.p99)),
        errors: results.reduce((s, r) => s + r.errors + r.non2xx, 0),
        total: results.reduce((s, r) => s + r.requests.total, 0),
      };
    };
    const one = await k.start();
    await until("the index", async () => (await health(one))?.index?.lag === 0);
    const single = await load([one]);
    const two = await k.start();
    await until("the second instance's index", async () => (await health(two))?.index?.lag === 0);
    const pair = await load([one, two]);
    return { connections, durationSec: duration, one: single, two: pair };
  } finally {
    await k.stop();
  }
}

// `npx tsx bench/instances.ts [takeover|hot|hot-limited]`
if (import.meta.url === `file://${process.argv[1]}`) {
  const which = process.argv[2] ?? "takeover";
  // hot-limited: the same with rate limits on (counted in PostgreSQL: one upsert per request), a budget never reached.
  const run = { takeover: () => benchTakeover(), hot: () => benchHotInstances(), "hot-limited": () => benchHotInstances({ env: { TRADEPROOF_RATE_LIMIT: "1000000" } }) }[which];
  if (!run) throw new Error(`unknown benchmark ${which}`);
  console.log(JSON.stringify(await run(), null, 2));
  process.exit(0);
}
