/**
 * The API's figures, through the functions bench/api-servers.ts exports (each starts its own anvil node and
 * API process on 127.0.0.1 and stops them): the verification endpoints under autocannon (POST /v1/verify
 * beside a bare node:http server doing the unavoidable work), an audit
 * query over a large synthesised index, and index catch-up from an empty index, on SQLite and on PostgreSQL; then
 * several instances on PostgreSQL (bench/instances.ts): relaying takeover, and the hot read on one and two instances.
 */
import { existsSync } from "node:fs";
import type { Row } from "./rows.js";

export interface ApiOptions {
  quick: boolean;
  sizes: number[];
}

const section = "API";

export async function benchApi({ quick, sizes }: ApiOptions): Promise<Row[]> {
  const auditEvents = quick ? 10_000 : 1_000_000;
  const duration = quick ? 2 : 10;
  if (!existsSync(new URL("./api-servers.ts", import.meta.url))) {
    const note = "not measured: API not built.";
    return [
      { section, figure: "verification endpoint: throughput", unit: "req/s", better: "higher", tradeproof: null, target: { op: ">=", value: 3_000 }, note },
      { section, figure: "verification endpoint: p99 latency", unit: "ms", better: "lower", tradeproof: null, target: { op: "<=", value: 50 }, note },
      { section, figure: "POST /v1/verify, a JSON document: throughput", unit: "req/s", better: "higher", tradeproof: null, note },
      { section, figure: `audit query over ${auditEvents.toLocaleString("en")} indexed events`, unit: "ms", better: "lower", tradeproof: null, target: { op: "<=", value: 50 }, note },
      ...sizes.map((n) => ({ section, figure: `index catch-up, ${n.toLocaleString("en")} events`, unit: "events/s", better: "higher" as const, tradeproof: null, target: { op: ">=" as const, value: 5_000 }, note })),
    ];
  }
  const api = await import("./api-servers.js");
  const rows: Row[] = [];

  for (const mode of quick ? (["hot"] as const) : (["hot", "cold"] as const)) {
    const r = await api.benchDocumentsEndpoint({ connections: 50, durationSec: duration, mode });
    const how =
      mode === "hot"
        ? "200 anchored documents requested in turn (served from the per-block cache after the first read)"
        : "a fresh random hash per request (every request a contract call on the node)";
    const failures = `${r.errors} errors, ${r.non2xx} non-2xx of ${r.total.toLocaleString("en")} requests`;
    const onTarget = mode === "hot";
    rows.push({
      section,
      figure: `GET /v1/documents/:docHash, ${mode}: throughput`,
      unit: "req/s",
      better: "higher",
      tradeproof: r.requestsPerSec,
      target: onTarget ? { op: ">=", value: 3_000 } : undefined,
      note: `autocannon, ${r.connections} connections, ${r.durationSec} s, anvil node: ${how}; ${failures}.`,
    });
    rows.push({
      section,
      figure: `GET /v1/documents/:docHash, ${mode}: p99 latency`,
      unit: "ms",
      better: "lower",
      tradeproof: r.latencyP99Ms,
      target: onTarget ? { op: "<=", value: 50 } : undefined,
      note: `p50 ${r.latencyP50Ms} ms.`,
    });
  }

  const v = await api.benchVerifyEndpoint({ connections: 50, durationSec: duration * 3 / 2 });
  const bareName = "a bare node:http server: read the body, JSON.parse, the SDK's hashJson, send the same answer";
  rows.push({
    section,
    figure: `POST /v1/verify, a ${(v.documentBytes / 1024).toFixed(1)} KB JSON document: throughput`,
    unit: "req/s",
    better: "higher",
    tradeproof: v.requestsPerSec,
    peer: v.bare.requestsPerSec,
    peerName: bareName,
    target: { op: ">=", value: Math.round(0.8 * v.bare.requestsPerSec) },
    note:
      `Target: 0.8× the bare server. autocannon, ${v.connections} connections; the API and the bare server run at once and are loaded in turn, ` +
      `${v.rounds.length} rounds each after three seconds of warm-up, autocannon on a worker thread; medians (API rounds ${v.rounds.map((r) => Math.round(r)).join(", ")}; bare ${v.bare.rounds.map((r) => Math.round(r)).join(", ")} req/s). ` +
      `Anchored document: every answer VALID; ${v.errors + v.bare.errors} errors, ${v.non2xx + v.bare.non2xx} non-2xx of ${(v.total + v.bare.total).toLocaleString("en")} requests.`,
  });
  rows.push({
    section,
    figure: `POST /v1/verify, a ${(v.documentBytes / 1024).toFixed(1)} KB JSON document: p99 latency`,
    unit: "ms",
    better: "lower",
    tradeproof: v.latencyP99Ms,
    peer: v.bare.latencyP99Ms,
    peerName: bareName,
    note: `p50 ${v.latencyP50Ms} ms (bare ${v.bare.latencyP50Ms} ms).`,
  });

  // The store's figures on both backends in the same run: SQLite (the embedded default) and PostgreSQL (instances).
  for (const backend of ["sqlite", "postgres"] as const) {
    const on = backend === "sqlite" ? "" : " (PostgreSQL)";
    const synthesised = backend === "sqlite" ? "SQLite file" : "PostgreSQL database (a throwaway cluster on 127.0.0.1, fsync off)";
    const audit = await api.benchAuditQuery({ events: auditEvents, backend });
    const slowest = audit.queries.reduce((a, b) => (b.firstMs > a.firstMs ? b : a));
    rows.push({
      section,
      figure: `audit query over ${audit.events.toLocaleString("en")} indexed events: slowest first page${on}`,
      unit: "ms",
      better: "lower",
      tradeproof: audit.worstFirstPageMs,
      target: { op: "<=", value: 50 },
      note: `Worst of ${audit.queries.length} typical filters, first run, page of ${audit.pageSize} (slowest: ${slowest.name}). ${synthesised} synthesised in ${audit.insertSec.toFixed(1)} s.`,
    });
    rows.push({
      section,
      figure: `audit query over ${audit.events.toLocaleString("en")} indexed events: median first page${on}`,
      unit: "ms",
      better: "lower",
      tradeproof: [...audit.queries.map((q) => q.firstMs)].sort((a, b) => a - b)[Math.floor(audit.queries.length / 2)],
      note: audit.queries.map((q) => `${q.name} ${q.firstMs.toFixed(1)} ms`).join("; ") + ".",
    });

    for (const n of sizes) {
      const perBlock = Math.min(500, n / 10);
      const r = await api.benchIndexCatchup({ blocks: n / perBlock, perBlock, backend });
      rows.push({
        section,
        figure: `index catch-up, ${r.events.toLocaleString("en")} events${on}`,
        unit: "events/s",
        better: "higher",
        tradeproof: r.eventsPerSec,
        target: { op: ">=", value: 5_000 },
        note: `From an empty index: ${r.blocks} blocks of ${perBlock} DocumentAttested logs on anvil, eth_getLogs, decode, store; ${r.seconds.toFixed(2)} s.`,
      });
    }
  }

  const instances = await import("./instances.js");
  const takeover = await instances.benchTakeover({ rounds: quick ? 1 : 3 });
  rows.push({
    section,
    figure: "relaying taken over after the relaying instance is killed (PostgreSQL, two instances)",
    unit: "s",
    better: "lower",
    tradeproof: takeover.medianMinedSec,
    note:
      `SIGKILL of the leader, a write submitted to the other at once; seconds until it is mined (anvil mines at once), median of ${takeover.rounds.length}, ` +
      `worst ${takeover.maxMinedSec.toFixed(2)} s; the other led after ${takeover.medianLeadsSec.toFixed(2)} s (median). Defaults: lease 3 s, renewed every 1 s.`,
  });
  const hot = await instances.benchHotInstances({ connections: 50, durationSec: duration });
  for (const [n, r] of [["one instance", hot.one], ["two instances", hot.two]] as const) {
    rows.push({
      section,
      figure: `GET /v1/documents/:docHash, hot, ${n} on PostgreSQL: throughput`,
      unit: "req/s",
      better: "higher",
      tradeproof: r.requestsPerSec,
      note:
        `autocannon, ${hot.connections} connections${n === "two instances" ? " (half to each, one autocannon each, added)" : ""}, ${hot.durationSec} s, 100 anchored documents in turn, ` +
        `rate limits off; p99 ${r.latencyP99Ms} ms; ${r.errors} errors or non-2xx of ${r.total.toLocaleString("en")}. Both instances, the node and autocannon share this machine's cores.`,
    });
  }
  return rows;
}
