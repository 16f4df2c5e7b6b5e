/** RESULTS.md and results.json: the machine, then one table per section. */
import { readFileSync } from "node:fs";
import os from "node:os";
import { meets, ratio, type Row } from "./rows.js";

/** A package's installed version, read from its package.json (some packages do not export that path). */
export const packageVersion = (pkg: string) =>
  (JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), "utf8")) as { version: string }).version;

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
  /** One-minute load average when the run started: other work on the machine skews timings. */
  loadAverage: number;
  /** The same when it ended. */
  loadAverageEnd?: number;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    loadAverage: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/** The peers, by the short names the tables use. */
export const peers = () => ({
  "OA v4": `OpenAttestation DocumentStore, current v4 design: @trustvc/document-store ${packageVersion("@trustvc/document-store")} (DocumentStore factory, ABI and bytecode as shipped)`,
  "OA legacy": `OpenAttestation DocumentStore, older design: @govtechsg/document-store ${packageVersion("@govtechsg/document-store")} (DocumentStoreFactory, ABI and bytecode as shipped)`,
  OA: `@govtechsg/open-attestation ${packageVersion("@govtechsg/open-attestation")}: wrapDocuments (v2 documents) and verifySignature`,
});

export interface Results {
  machine: Machine;
  mode: "full" | "quick";
  only?: string[];
  durationSeconds: number;
  peers: Record<string, string>;
  rows: (Row & { ratio: number | null; meetsTarget?: boolean })[];
}

function num(value: number | null | undefined, unit: string) {
  if (value == null) return "—";
  const digits = unit === "gas" || Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits }) + (unit === "gas" ? "" : ` ${unit}`);
}

function ratioCell(r: Row) {
  const q = ratio(r);
  if (q == null) return "—";
  const better = r.better === "lower" ? q < 1 : q > 1;
  const same = Math.abs(q - 1) < 0.005;
  return `${q.toFixed(q >= 100 ? 0 : q >= 10 ? 1 : 2)}× ${same ? "(even)" : better ? "(better)" : "(worse)"}`;
}

function targetCell(r: Row) {
  if (!r.target) return "";
  const ok = meets(r);
  const text = `${r.target.op === "<=" ? "≤" : "≥"} ${r.target.value.toLocaleString("en")} ${r.unit}`;
  return ok === undefined ? text : `${text}: ${ok ? "met" : "**missed**"}`;
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

export function toMarkdown(results: Results): string {
  const m = results.machine;
  const lines = [
    "# Benchmark results",
    "",
    `Written by \`npm run bench${results.mode === "quick" ? " -- --quick" : ""}\`${results.only ? ` (only ${results.only.join(", ")})` : ""} in ${results.durationSeconds.toFixed(0)} s. Do not edit by hand.`,
    "",
    `- CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGiB} GiB; ${m.os}`,
    `- Node ${m.node}; date ${m.date}; one-minute load average ${m.loadAverage} at the start, ${m.loadAverageEnd ?? "?"} at the end` +
      (m.loadAverageEnd !== undefined && Math.max(m.loadAverage, m.loadAverageEnd) > m.cores
        ? ` (above the core count: other work shared the CPU, so timings are pessimistic)`
        : ""),
    "",
    "Ratio = Tradeproof ÷ peer, marked better or worse for Tradeproof (gas, seconds and memory: lower is better;",
    "documents a second: higher is better). A dash is a figure that was not measured; the note says why.",
    "",
    "Peers:",
    ...Object.entries(results.peers).map(([k, v]) => `- **${k}**: ${v}`),
    "",
  ];
  const sections = [...new Set(results.rows.map((r) => r.section))];
  for (const section of sections) {
    lines.push(`## ${section}`, "", "| Figure | Tradeproof | Peer | Ratio | Target | Note |", "| --- | ---: | ---: | ---: | --- | --- |");
    for (const r of results.rows.filter((x) => x.section === section)) {
      const peer = r.peerName ? (r.peer == null ? `— (${r.peerName})` : `${num(r.peer, r.unit)} (${r.peerName})`) : "—";
      lines.push(
        `| ${cell(r.figure)}${r.unit === "gas" ? " (gas)" : ""} | ${num(r.tradeproof, r.unit)} | ${peer} | ${ratioCell(r)} | ${targetCell(r)} | ${cell(r.note ?? "")} |`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}
