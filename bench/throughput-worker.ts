/**
 * One side of the throughput benchmark, alone in its own process so that its peak memory (max RSS)
 * is its own. Usage: `node --import tsx bench/throughput-worker.ts tradeproof|oa N SAMPLE`.
 * Prints one JSON line: build and check times, peak RSS, and RSS once the input documents exist.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeDocument, makeDocuments } from "./documents.js";

export interface WorkerResult {
  side: "tradeproof" | "tradeproof-files" | "oa";
  n: number;
  /** Seconds to turn the n documents into anchored-batch material (hashes, root, one receipt or wrapped document each). */
  buildSeconds: number;
  /** How many documents were checked, spread evenly over the batch. */
  checked: number;
  /** Seconds to check them (re-hash the document and check its proof to the root). */
  checkSeconds: number;
  /** Where the build time went, in seconds per phase (ours: hash, batch, receipts). */
  phases?: Record<string, number>;
  /** Peak resident set size of the whole process, in bytes. */
  maxRssBytes: number;
  /** Resident set size once the input documents were generated, before any work, in bytes. */
  inputRssBytes: number;
}

const [side, nArg, sampleArg] = process.argv.slice(2);
const n = Number(nArg);
const sample = Math.min(n, Number(sampleArg));
if ((side !== "tradeproof" && side !== "tradeproof-files" && side !== "oa") || !Number.isInteger(n) || !Number.isInteger(sample)) {
  console.error("usage: throughput-worker.ts tradeproof|tradeproof-files|oa N SAMPLE");
  process.exit(2);
}

// The files side reads its documents from disk, one file each, as a bulk registration does; the others get
// them as objects in memory.
const dir = side === "tradeproof-files" ? mkdtempSync(join(tmpdir(), "tradeproof-bench-files-")) : undefined;
const paths = dir ? Array.from({ length: n }, (_, i) => join(dir, `doc-${String(i).padStart(6, "0")}.json`)) : [];
paths.forEach((path, i) => writeFileSync(path, JSON.stringify(makeDocument(i))));
const docs = dir ? [] : makeDocuments(n);
const inputRssBytes = process.memoryUsage().rss;
const step = n / sample;
const picks = Array.from({ length: sample }, (_, i) => Math.floor(i * step));

let buildSeconds: number;
let checkSeconds: number;
let phases: Record<string, number> | undefined;
// What registerBatch hands back per document; the chain fields are fixed stand-ins (no chain here).
const anchor = {
  type: "tradeproof-receipt/v1" as const,
  docType: "380",
  chainId: 31337,
  registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const,
  txHash: `0x${"ab".repeat(32)}` as const,
  blockNumber: 12,
  anchoredAt: "2026-11-23T10:00:00Z",
  issuer: "0x90F79bf6EB2c4f870365E785982E1f101E93b906" as const,
};
if (side === "tradeproof" || side === "tradeproof-files") {
  const { hashFiles, hashJson, buildBatch, checkReceipt } = await import("../sdk/index.js");
  // The two sides differ only in where the documents come from: objects in memory, or one file each.
  const fromFiles = side === "tradeproof-files";
  const hashAll = async () =>
    fromFiles
      ? (await hashFiles(paths)).map((h) => {
          if (!("docHash" in h)) throw h.error;
          return h.docHash;
        })
      : docs.map((d) => hashJson(d));
  const rehash = (i: number) => hashJson(fromFiles ? JSON.parse(readFileSync(paths[i]!, "utf8")) : docs[i]);
  let t = performance.now();
  const hashes = await hashAll();
  const t1 = performance.now();
  const batch = buildBatch(hashes);
  const t2 = performance.now();
  const receipts = hashes.map((docHash) => ({ ...anchor, docHash, root: batch.root, proof: batch.proof(docHash) }));
  const t3 = performance.now();
  buildSeconds = (t3 - t) / 1000;
  phases = { [fromFiles ? "hashFiles" : "hashJson"]: (t1 - t) / 1000, buildBatch: (t2 - t1) / 1000, receipts: (t3 - t2) / 1000 };
  t = performance.now();
  for (const i of picks) {
    const verdict = checkReceipt(receipts[i], rehash(i));
    if (!verdict.ok) throw new Error(`receipt ${i} does not check: ${verdict.reason}`);
  }
  checkSeconds = (performance.now() - t) / 1000;
  if (dir) rmSync(dir, { recursive: true, force: true });
} else {
  const { wrapDocuments, verifySignature } = await import("@govtechsg/open-attestation");
  // The documents follow the v2 schema (wrapDocuments validates them); its types want its TS enums, not the strings.
  const v2Docs = docs as unknown as Parameters<typeof wrapDocuments>[0];
  let t = performance.now();
  const wrapped = wrapDocuments(v2Docs);
  buildSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  for (const i of picks) {
    if (!verifySignature(wrapped[i])) throw new Error(`wrapped document ${i} does not verify`);
  }
  checkSeconds = (performance.now() - t) / 1000;
}

const result: WorkerResult = {
  side,
  n,
  buildSeconds,
  checked: sample,
  checkSeconds,
  phases,
  // resourceUsage reports maxRSS in kilobytes.
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  inputRssBytes,
};
console.log(JSON.stringify(result));
