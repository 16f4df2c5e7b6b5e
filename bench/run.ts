/**
 * `npm run bench [-- --quick] [--only gas,throughput,e2e,cli,api,network,embedded,credentials|sdk] [--peer-100k] [--out DIR]`
 *
 * Runs the benchmarks one after another (never in parallel: they would share the CPU) and writes
 * RESULTS.md and results.json. Only a full run of everything writes bench/; a quick or partial run
 * writes to --out (default: a tradeproof-bench folder in the system's temporary directory), so that
 * it never overwrites the committed figures. No thresholds fail the run: targets are reported.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Row } from "./rows.js";
import { meets, ratio } from "./rows.js";
import { machine, peers, toMarkdown, type Results } from "./report.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    "peer-100k": { type: "boolean", default: false },
    out: { type: "string" },
  },
});

/** `sdk` and `api` are the groups behind `npm run bench:sdk` and `npm run bench:api`. */
const GROUPS: Record<string, string[]> = { sdk: ["throughput", "e2e", "cli"], api: ["api"] };
const ALL = ["gas", "throughput", "e2e", "cli", "api", "network", "embedded", "credentials"];
const only = values.only?.split(",").flatMap((x) => GROUPS[x.trim()] ?? [x.trim()]);
for (const name of only ?? []) {
  if (!ALL.includes(name)) {
    console.error(`unknown benchmark "${name}": choose from ${[...ALL, ...Object.keys(GROUPS)].join(", ")}`);
    process.exit(2);
  }
}
const wanted = (name: string) => !only || only.includes(name);
const quick = values.quick;
const sizes = quick ? [1_000] : [1_000, 10_000, 100_000];

const started = new Date();
const info = machine();
const t0 = performance.now();
const rows: Row[] = [];
const SECTION: Record<string, string> = { gas: "Gas", throughput: "Throughput", e2e: "End to end", cli: "End to end", api: "API", network: "Writes at network speed", embedded: "Embedded ledger", credentials: "Anchor credentials" };
let failed = false;
const step = async (name: string, run: () => Promise<Row[]>) => {
  if (!wanted(name)) return;
  const t = performance.now();
  process.stderr.write(`bench: ${name}…\n`);
  try {
    rows.push(...(await run()));
  } catch (error) {
    // A benchmark that breaks is a row of the table (and a failed run), not a silent gap.
    failed = true;
    console.error(error);
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").slice(0, 300);
    rows.push({ section: SECTION[name], figure: `${name} benchmark`, unit: "", better: "higher", tradeproof: null, note: `not measured: failed: ${message}` });
  }
  process.stderr.write(`bench: ${name} done in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
};

await step("gas", async () => (await import("./gas.js")).benchGas({ quick }));
await step("throughput", async () =>
  (await import("./throughput.js")).benchThroughput({ sizes, quick, peerMaxSize: values["peer-100k"] ? Infinity : 10_000 }),
);
await step("e2e", async () => (await import("./sdk-e2e.js")).benchEndToEnd({ sizes }));
await step("cli", async () => (await import("./cli-e2e.js")).benchCli({ sizes: quick ? [100] : [1_000, 10_000, 100_000] }));
await step("api", async () => (await import("./api.js")).benchApi({ quick, sizes }));
await step("network", async () => (await import("./network.js")).benchNetwork({ quick }));
await step("embedded", async () => (await import("./embedded.js")).benchEmbedded({ sizes: quick ? [200] : [1_000, 10_000, 100_000] }));
await step("credentials", async () => (await import("./credentials.js")).benchCredentials({ quick }));

const results: Results = {
  machine: { ...info, date: started.toISOString().replace(/\.\d+Z$/, "Z"), loadAverageEnd: Math.round(os.loadavg()[0] * 100) / 100 },
  mode: quick ? "quick" : "full",
  only,
  durationSeconds: (performance.now() - t0) / 1000,
  peers: peers(),
  // A smoke run has no thresholds: its sizes and durations are not the ones the targets are set for.
  rows: rows.map((r) => (quick ? { ...r, target: undefined } : r)).map((r) => ({ ...r, ratio: ratio(r), meetsTarget: meets(r) })),
};

const full = !quick && !only;
const outDir = values.out ?? (full ? path.dirname(fileURLToPath(import.meta.url)) : path.join(os.tmpdir(), "tradeproof-bench"));
mkdirSync(outDir, { recursive: true });
const markdown = toMarkdown(results);
writeFileSync(path.join(outDir, "RESULTS.md"), markdown);
writeFileSync(path.join(outDir, "results.json"), JSON.stringify(results, null, 2) + "\n");
console.log(markdown);
console.error(`bench: wrote ${path.join(outDir, "RESULTS.md")} and results.json in ${results.durationSeconds.toFixed(0)} s`);
// The in-process chains and their worker threads would otherwise keep the process alive.
process.exit(failed ? 1 : 0);
