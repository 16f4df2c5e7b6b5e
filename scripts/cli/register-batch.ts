// `tradeproof register-batch DIR|FILE… --type CODE --receipts DIR`: anchors many documents under
// Merkle roots and writes one receipt per document. Safe to run again: what already has a receipt
// in DIR, or is already anchored on the ledger, is not anchored twice.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { Command } from "commander";
import { Presets, SingleBar } from "cli-progress";
import pc from "picocolors";
import { hashFiles } from "../../sdk/files.js";
import { isDocHash } from "../../sdk/hash.js";
import type { Hex, Receipt, TradeproofClient } from "../../sdk/index.js";
import { transactionLimitsFromEnv } from "../../sdk/limits.js";
import { withSigner, type SignerOptions, ledger } from "./options.js";
import { aboutFile, UsageError } from "./errors.js";
import { docTypeArg, expandInputs, referenceFromDocument, schemeFor } from "./inputs.js";
import { note } from "./output.js";

interface RegisterBatchOptions extends SignerOptions {
  type: string;
  public?: boolean;
  receipts: string;
  skipInvalid?: boolean;
  progress?: boolean;
  referenceField?: string;
  scheme?: string;
}

const RECEIPT_SUFFIX = ".receipt.json";

export function registerBatchCommand(): Command {
  return withSigner(
    new Command("register-batch")
      .summary("anchor many documents under Merkle roots, one receipt each")
      .description(
        "Hashes every file (a directory stands for the files directly in it), anchors the hashes as a batch and writes " +
          "DIR/<file name>.receipt.json for each document. A private batch puts only the root and the count on chain (each " +
          "document is then verified with its receipt); --public also emits the hashes so that any document can be found by " +
          "its hash alone. If any file is invalid (unreadable, or a .json that is not JSON) each one is named and nothing is " +
          "anchored, unless --skip-invalid. Running the same command again anchors nothing twice.",
      )
      .argument("<input...>", "directories and files")
      .requiredOption("--type <code>", "UNTDID 1001 document type code of every document, e.g. 380", docTypeArg)
      .requiredOption("--receipts <dir>", "directory for the receipts (created if missing)")
      .option("--public", "public batch: emit every document hash on chain")
      .option("--skip-invalid", "anchor the valid files even if some are invalid")
      .option("--progress", "show the progress bar even when stderr is not a terminal")
      .option("--reference-field <path>", "file each JSON document under the number in that field (on chain for --public; in the receipts always)")
      .option("--scheme <scheme>", "what kind of number: certificate, invoice, transport, declaration or free (default: from --type)"),
  )
    .addHelpText("after", "\nExample:\n  $ TRADEPROOF_PRIVATE_KEY=… tradeproof register-batch invoices/ --type 380 --receipts receipts/")
    .action(async (inputs: string[], opts: RegisterBatchOptions) => {
      const files = (await expandInputs(inputs)).filter((f) => !f.endsWith(RECEIPT_SUFFIX));
      if (files.length === 0) throw new UsageError("no files to register");
      const receiptFile = checkReceiptNames(files, opts.receipts);
      // The receipts already in DIR, in one listing (a look for each document's took half a second for 100,000), and
      // before anything is hashed or anchored: a DIR that is a file would otherwise fail only when receipts are written.
      const inDir = receiptsIn(opts.receipts);
      // Connect before hashing: a missing key or a dead node should not cost a pass over every file.
      const client = await (await ledger()).signingClient(opts);
      const timer = phaseTimer();
      const bar = progressBar(opts.progress === true);

      bar?.start(files.length, 0, { phase: "hashing  " });
      const hashed = await hashFiles(files, { onProgress: (done) => bar?.update(done) });
      bar?.stop();
      timer("hashing");
      const bad = hashed.filter((h) => "error" in h);
      for (const h of bad) process.stderr.write(`${pc.red("invalid:")} ${aboutFile(h.path, (h as { error: unknown }).error)}\n`);
      if (bad.length > 0 && !opts.skipInvalid) {
        throw new UsageError(`${bad.length} of ${files.length} files are invalid; nothing was anchored (--skip-invalid anchors the others)`);
      }
      const good = hashed.filter((h): h is { path: string; docHash: Hex } => "docHash" in h).map((h) => ({ file: h.path, docHash: h.docHash }));

      // Documents with a receipt of this ledger in DIR (from an earlier run) are done if the ledger still
      // knows their root: one question per root, not per document (a rerun of 100,000 documents under one
      // root is one query). Receipts in DIR are this command's own output, so their proofs are not
      // re-checked here; `verify` checks a receipt's proof whenever it is used.
      const { chainId, registry } = client.deployment;
      const earlier = new Map<string, Receipt>();
      for (const doc of good) {
        const path = receiptFile(doc.file);
        if (!inDir.has(basename(path))) continue;
        const receipt = readOwnReceipt(path);
        if (!receipt) note(`${pc.yellow("ignored:")} ${path} is not a receipt; the document is checked again`);
        else if (receipt.docHash === doc.docHash && receipt.chainId === chainId && receipt.registry.toLowerCase() === registry.toLowerCase()) {
          earlier.set(doc.file, receipt);
        }
      }
      const liveRoots = await anchoredRoots(client, [...earlier.values()]);
      const done = new Map<Hex, Receipt>();
      for (const r of earlier.values()) if (liveRoots.has(r.root)) done.set(r.docHash, r);

      const firstNewBlock = (await client.provider.getBlockNumber()) + 1;
      const unique = [...new Set(good.map((d) => d.docHash))].filter((h) => !done.has(h));
      // Each document's number, read before anything is anchored (a document without one stops the run).
      let references: ({ scheme: import("../../sdk/references.js").ReferenceScheme; id: string } | undefined)[] | undefined;
      if (opts.referenceField !== undefined) {
        const scheme = await schemeFor(opts.scheme, opts.type);
        const numbers = new Map<Hex, string>();
        for (const doc of good) if (!numbers.has(doc.docHash)) numbers.set(doc.docHash, await referenceFromDocument(doc.file, opts.referenceField));
        references = unique.map((h) => ({ scheme, id: numbers.get(h)! }));
      } else if (opts.scheme !== undefined) {
        throw new UsageError("--scheme goes with --reference-field");
      }
      let receipts: Receipt[] = [];
      if (unique.length > 0) {
        bar?.start(unique.length, 0, { phase: "anchoring", parts: "" });
        // skipAnchored: documents anchored alone, and a batch whose receipts were lost after it was anchored.
        // A public batch is split into transactions that fit the network (TRADEPROOF_MAX_TX_BYTES / _GAS).
        receipts = await client.registerBatch(unique, opts.type, {
          public: opts.public === true,
          skipAnchored: true,
          ...(references ? { references } : {}),
          limits: transactionLimits(),
          onProgress: (n, _total, parts) => bar?.update(n, { parts: parts.total > 1 ? ` | part ${parts.done} of ${parts.total}` : "" }),
        });
        bar?.stop();
      }
      timer("anchoring");

      const byHash = new Map([...done, ...receipts.map((r) => [r.docHash, r] as const)]);
      const fresh = receipts.filter((r) => r.blockNumber >= firstNewBlock);
      await mkdir(opts.receipts, { recursive: true });
      const writes: { path: string; receipt: Receipt }[] = [];
      for (const doc of good) {
        const receipt = byHash.get(doc.docHash);
        if (!receipt) throw new Error(`the SDK returned no receipt for ${doc.docHash}`); // registerBatch returns one per document
        const old = earlier.get(doc.file);
        if (old && old.root === receipt.root && old.txHash === receipt.txHash) continue;
        writes.push({ path: receiptFile(doc.file), receipt });
      }
      await writeAll(writes);
      timer("receipts");

      const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
      const parts = [
        `anchored ${plural(fresh.length, "document")} under ${plural(new Set(fresh.map((r) => r.root)).size, "root")} ` +
          `in ${plural(new Set(fresh.map((r) => r.txHash)).size, "transaction")}`,
      ];
      if (writes.length > 0) parts.push(`${plural(writes.length, "receipt")} written to ${opts.receipts}`);
      const already = new Set(good.map((d) => d.docHash)).size - fresh.length;
      if (already > 0) parts.push(`${already} already anchored`);
      if (bad.length > 0) parts.push(`${bad.length} invalid skipped`);
      process.stdout.write(`${parts.join("; ")}\n`);
    });
}

/**
 * A receipt file of an earlier run, read cheaply (100,000 of them on a rerun): JSON and the fields the
 * rerun check uses. Undefined when the file is not one.
 */
function readOwnReceipt(path: string): Receipt | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
  const r = json as Partial<Receipt> | null;
  const ok = r !== null && typeof r === "object" && r.type === "tradeproof-receipt/v1" && isDocHash(r.docHash) && isDocHash(r.root) &&
    typeof r.chainId === "number" && typeof r.registry === "string" && typeof r.txHash === "string" && Array.isArray(r.proof);
  return ok ? ({ ...r, docHash: r.docHash!.toLowerCase(), root: r.root!.toLowerCase() } as Receipt) : undefined;
}

/** The roots among `receipts` that the ledger knows, asking once per root with one fully checked receipt of it. */
async function anchoredRoots(client: TradeproofClient, receipts: Receipt[]): Promise<Set<Hex>> {
  const { checkReceipt, parseReceipt } = await import("../../sdk/receipt.js");
  const byRoot = new Map<Hex, Receipt>();
  for (const r of receipts) {
    if (byRoot.has(r.root)) continue;
    try {
      const checked = parseReceipt(r);
      if (checkReceipt(checked).ok) byRoot.set(r.root, checked);
    } catch {
      // Not a valid receipt after all: its document is simply checked again.
    }
  }
  const asked = [...byRoot.values()];
  if (asked.length === 0) return new Set();
  const results = await client.verifyMany(asked.map((receipt) => ({ docHash: receipt.docHash, receipt })));
  return new Set(asked.filter((_, i) => results[i].status !== "NOT_FOUND").map((r) => r.root));
}

/** The file names in the receipts directory (none when it does not exist yet). */
function receiptsIn(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return new Set();
    throw new UsageError(`--receipts ${dir}: ${code === "ENOTDIR" ? "not a directory" : (e as Error).message}`);
  }
}

/** The receipt path of each input; two inputs with the same file name would overwrite each other's receipt. */
function checkReceiptNames(files: string[], dir: string): (file: string) => string {
  const seen = new Map<string, string>();
  for (const file of files) {
    const name = basename(file);
    const other = seen.get(name);
    if (other !== undefined && other !== file) {
      throw new UsageError(`${other} and ${file} have the same file name, so their receipts would collide in ${dir}`);
    }
    seen.set(name, file);
  }
  return (file) => join(dir, `${basename(file)}${RECEIPT_SUFFIX}`);
}

/** With DEBUG set, prints how long each phase took (on stderr), for tuning bulk runs. */
function phaseTimer(): (phase: string) => void {
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    if (process.env.DEBUG) note(`${phase}: ${Math.round(now - last)} ms`);
    last = now;
  };
}

/** The network's per-transaction limits from the environment; a bad value is a usage error naming its variable. */
function transactionLimits() {
  try {
    return transactionLimitsFromEnv();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** A progress bar on stderr: on a terminal, or anywhere when asked for. */
function progressBar(forced: boolean): SingleBar | undefined {
  if (!process.stderr.isTTY && !forced) return undefined;
  return new SingleBar(
    {
      stream: process.stderr,
      format: "{phase} [{bar}] {percentage}% | {value}/{total}{parts}",
      noTTYOutput: forced,
      notTTYSchedule: 1000,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
}

/**
 * Writes the receipts. Synchronous writes, with a yield now and then: fs/promises costs several thread-pool
 * round trips per small file, which dominated a 100,000-document run.
 */
async function writeAll(writes: { path: string; receipt: Receipt }[]): Promise<void> {
  for (const [i, w] of writes.entries()) {
    writeFileSync(w.path, `${JSON.stringify(w.receipt, null, 2)}\n`);
    if (i % 1024 === 1023) await new Promise((resolve) => setImmediate(resolve));
  }
}
