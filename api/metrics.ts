import client from "prom-client";

/** Prometheus metrics of one app instance (a registry of its own, so tests can build many apps). */
export function createMetrics(sources: {
  cursor: () => Promise<number>;
  head: () => number | undefined;
  queue: () => Promise<Record<string, number>>;
  cache: () => { hits: number; misses: number };
}) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Counter({ name: "tradeproof_http_requests_total", help: "HTTP requests by route and status", labelNames: ["method", "route", "status"], registers: [registry] });
  const duration = new client.Histogram({
    name: "tradeproof_http_request_duration_seconds", help: "HTTP request duration", labelNames: ["method", "route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
  });
  new client.Gauge({ name: "tradeproof_index_block", help: "Last block stored by the audit index", registers: [registry], async collect() { this.set(await sources.cursor()); } });
  new client.Gauge({
    name: "tradeproof_index_lag_blocks", help: "Blocks the index is behind the chain head", registers: [registry],
    async collect() { const h = sources.head(); if (h !== undefined) this.set(Math.max(0, h - (await sources.cursor()))); },
  });
  new client.Gauge({
    name: "tradeproof_relay_requests", help: "Relayed requests by status", labelNames: ["status"], registers: [registry],
    async collect() { for (const [status, n] of Object.entries(await sources.queue())) this.set({ status }, n); },
  });
  new client.Gauge({
    name: "tradeproof_verify_cache", help: "Verification results served from the per-block cache (hit) or read from the contract (miss), since start",
    labelNames: ["result"], registers: [registry],
    collect() { const c = sources.cache(); this.set({ result: "hit" }, c.hits); this.set({ result: "miss" }, c.misses); },
  });
  return { registry, requests, duration };
}
export type Metrics = ReturnType<typeof createMetrics>;
