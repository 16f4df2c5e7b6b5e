/** The API's figures: verification endpoint under autocannon, audit query, index catch-up. */
import { existsSync } from "node:fs";
import type { Row } from "./rows.ts";

export interface ApiOptions {
  quick: boolean;
  sizes: number[];
}

export async function benchApi({ quick }: ApiOptions): Promise<Row[]> {
  const note = "not measured: API not built.";
  if (!existsSync(new URL("../api/bench.ts", import.meta.url))) {
    return [
      { section: "API", figure: "verification endpoint under autocannon: throughput", unit: "req/s", better: "higher", tradeproof: null, target: { op: ">=", value: 3_000 }, note },
      { section: "API", figure: "verification endpoint under autocannon: p99 latency", unit: "ms", better: "lower", tradeproof: null, target: { op: "<=", value: 50 }, note },
      { section: "API", figure: `audit query over ${quick ? "10,000" : "1,000,000"} indexed events`, unit: "ms", better: "lower", tradeproof: null, target: quick ? undefined : { op: "<=", value: 50 }, note },
      { section: "API", figure: "index catch-up", unit: "events/s", better: "higher", tradeproof: null, target: { op: ">=", value: 5_000 }, note },
    ];
  }
  throw new Error("api/bench.ts exists but bench/api.ts does not call it yet");
}
