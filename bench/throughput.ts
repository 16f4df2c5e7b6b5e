/**
 * Throughput and peak memory: our hashing, batching and receipts against OpenAttestation's
 * `wrapDocuments` (v2 documents), and our receipt check against its `verifySignature`, on the same
 * generated documents of about 4 KB. Each side runs in a child process of its own.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Row } from "./rows.js";
import type { WorkerResult } from "./throughput-worker.js";

const WORKER = fileURLToPath(new URL("./throughput-worker.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** How many documents each check figure re-verifies, spread over the batch (quick mode: fewer). */
const CHECK_SAMPLE = 2_000;
const QUICK_CHECK_SAMPLE = 250;
const PEER = "OA";

export interface ThroughputOptions {
  sizes: number[];
  /** Run OpenAttestation only up to this size (it takes minutes at 100,000). */
  peerMaxSize: number;
  quick: boolean;
}

/** Runs one side in a fresh Node process (the same Node, with tsx) and parses its result line. */
function runWorker(side: "tradeproof" | "tradeproof-files" | "oa", n: number, sample: number): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER, side, String(n), String(sample)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${side} worker (n=${n}) exited with ${code}: ${err.trim().split("\n").slice(-5).join("\n")}`));
      resolve(JSON.parse(out.trim().split("\n").pop()!) as WorkerResult);
    });
  });
}

const MB = 1024 * 1024;

export async function benchThroughput({ sizes, peerMaxSize, quick }: ThroughputOptions): Promise<Row[]> {
  const sample = quick ? QUICK_CHECK_SAMPLE : CHECK_SAMPLE;
  let peerRate: number | undefined;
  const rows: Row[] = [];
  const sdkBuilt = existsSync(new URL("../sdk/index.ts", import.meta.url));
  // Unmeasured warm-up of each side: a cold tsx compile cache otherwise inflates the first measured process's RSS.
  if (sdkBuilt) await runWorker("tradeproof", 10, 10);
  await runWorker("oa", 10, 10);
  for (const n of sizes) {
    const label = n.toLocaleString("en");
    const ours = sdkBuilt ? await runWorker("tradeproof", n, sample) : null;
    const fromFiles = sdkBuilt ? await runWorker("tradeproof-files", n, sample) : null;
    const peer = n <= peerMaxSize ? await runWorker("oa", n, sample) : null;
    const oursNote = sdkBuilt ? undefined : "not measured: SDK not built.";
    if (peer) peerRate = n / peer.buildSeconds;
    // Linear extrapolation understates it: OpenAttestation's MerkleTree.getProof finds each document by a
    // linear findIndex over all leaves, so wrapDocuments grows with the square of the batch size.
    const predicted = peerRate ? ` (over ${Math.round(n / peerRate).toLocaleString("en")} s even at its rate for fewer documents)` : "";
    const peerNote =
      n <= peerMaxSize
        ? undefined
        : `OpenAttestation not run at ${label}: wrapDocuments alone takes longer than the 10-minute budget of the full run${predicted}; its proof lookup is a linear search per document, so its time grows with the square of the batch. \`npm run bench -- --peer-100k\` measures it.`;
    const sampleNote = n > sample ? ` Both sides check ${sample.toLocaleString("en")} documents spread over the batch.` : "";
    const phaseNote = (r: WorkerResult | null) =>
      r?.phases && `Ours by phase: ${Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(", ")}.`;
    const buildRow = (figure: string, r: WorkerResult | null, how: string, ...more: (string | false | null | undefined)[]): Row => ({
      section: "Throughput",
      figure: `${figure}, ${label} documents`,
      unit: "documents/s",
      better: "higher",
      tradeproof: r && n / r.buildSeconds,
      peer: peer && n / peer.buildSeconds,
      peerName: PEER,
      target: n === 100_000 ? { op: ">=", value: 20_000 } : undefined,
      note: [oursNote, peerNote, how, phaseNote(r), ...more].filter(Boolean).join(" "),
    });
    rows.push(buildRow("hash + batch + receipts", ours, "Ours: hashJson + buildBatch + a receipt object each; OA: wrapDocuments."));
    rows.push(
      buildRow(
        "hash + batch + receipts from files",
        fromFiles,
        "Ours: one .json file per document read from disk and hashed by hashFiles on worker threads (one per core from 2,000 files), then buildBatch and a receipt object each; OA: wrapDocuments of the same documents in memory.",
        fromFiles && `Peak RSS above the input ${((fromFiles.maxRssBytes - fromFiles.inputRssBytes) / MB).toFixed(0)} MB.`,
      ),
    );
    rows.push({
      section: "Throughput",
      figure: `receipt check, ${label} documents`,
      unit: "documents/s",
      better: "higher",
      tradeproof: ours && ours.checked / ours.checkSeconds,
      peer: peer && peer.checked / peer.checkSeconds,
      peerName: PEER,
      note: [oursNote, peerNote, "Ours: hashJson of the document + checkReceipt; OA: verifySignature (re-digests the document, checks the proof)." + sampleNote]
        .filter(Boolean)
        .join(" "),
    });
    rows.push({
      section: "Memory",
      figure: `peak RSS, ${label} documents`,
      unit: "MB",
      better: "lower",
      tradeproof: ours && ours.maxRssBytes / MB,
      peer: peer && peer.maxRssBytes / MB,
      peerName: PEER,
      note: [oursNote, peerNote, "Whole process, the input documents included."].filter(Boolean).join(" "),
    });
    rows.push({
      section: "Memory",
      figure: `peak RSS above the input, ${label} documents`,
      unit: "MB",
      better: "lower",
      tradeproof: ours && (ours.maxRssBytes - ours.inputRssBytes) / MB,
      peer: peer && (peer.maxRssBytes - peer.inputRssBytes) / MB,
      peerName: PEER,
      note: [oursNote, peerNote, "Peak minus the RSS once the documents were generated: what the work itself costs."].filter(Boolean).join(" "),
    });
  }
  return rows;
}
