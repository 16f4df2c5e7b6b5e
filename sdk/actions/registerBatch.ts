import { buildBatch, type Batch } from "../batch.js";
import { chunk, parseDocType, read, send, type ClientContext } from "../context.js";
import { InvalidArgumentError } from "../errors.js";
import { normalizeDocHash } from "../hash.js";
import { parseReceipt, type Receipt } from "../receipt.js";
import { STATUSES, isoSeconds, type Hex } from "../types.js";
import { anchorRecords, readStates, type AnchorRecord } from "./verify.js";
import { makeReceipt } from "./register.js";
import { attachReferences, receiptReference, signerOrganisation } from "./references.js";
import type { DocumentReference, ReceiptReference } from "../references.js";
import { locateInPublicBatches } from "./publicBatches.js";
import { DEFAULT_TRANSACTION_LIMITS, maxPublicBatch, PUBLIC_GAS_BASE, PUBLIC_GAS_PER_DOCUMENT, type TransactionLimits } from "../limits.js";

export interface RegisterBatchParameters {
  /** The documents' hashes; duplicates are anchored once. */
  docHashes: Hex[];
  /** UNTDID 1001 code of their (common) type. */
  docType: string | number;
  /** Public batch: the leaves are emitted so each document can be found by its hash alone. Default private. */
  public?: boolean;
  /**
   * Called after the check for existing anchors and after each transaction, with documents done so far and the
   * transactions (parts) sent so far of those the batch needs.
   */
  onProgress?: (done: number, total: number, parts: { done: number; total: number }) => void;
  /**
   * Anchor nothing twice: documents already anchored alone, documents whose `receipts` the ledger still knows,
   * and batches (or public chunks) whose root is already anchored are skipped, and their receipts returned.
   */
  skipAnchored?: boolean;
  /** Receipts from an earlier run (with `skipAnchored`). */
  receipts?: Receipt[];
  /**
   * Documents per public-batch transaction; by default the most that fit `limits` and half the block's gas limit
   * (see {@link maxPublicBatch}).
   */
  chunkSize?: number;
  /** What one transaction may carry on the network (default Besu's: 128 KiB, 16,777,216 gas). */
  limits?: Partial<TransactionLimits>;
  /**
   * The number printed on each document, in the order of `docHashes` (undefined where there is none). Every receipt
   * carries its document's; in a public batch the documents are also filed under them on chain (a call per part,
   * after the part's anchor), so that they can be found by number. A private batch puts nothing of them on chain.
   */
  references?: readonly (DocumentReference | undefined)[];
}
/** One receipt per distinct document, in the order of first appearance in `docHashes`. */
export type RegisterBatchReturnType = Receipt[];
export type RegisterBatchErrorType = import("../errors.js").TradeproofError;

/** The most documents of a public batch one transaction carries within `limits` and half the block's gas limit. */
async function publicChunkSize(ctx: ClientContext, limits: TransactionLimits): Promise<number> {
  const block = await read(ctx, () => ctx.provider.getBlock("latest"));
  // Half the block's limit leaves room for other members' transactions in the same block.
  const byBlock = Math.floor((Number(block?.gasLimit ?? 30_000_000n) / 2 - PUBLIC_GAS_BASE) / PUBLIC_GAS_PER_DOCUMENT);
  return Math.max(1, Math.min(maxPublicBatch(limits).documents, byBlock));
}

/**
 * Anchors many documents under Merkle roots and returns a receipt per document.
 * - private (default): one `registerBatch` transaction with the root and the count, whatever the size;
 * - public: the documents in leaf order, split into parts that fit one transaction on the network (`limits`:
 *   128 KiB and 16,777,216 gas by default, Besu's) and half the block gas limit, one root and transaction per part;
 *   every document gets its normative receipt, and a type that needs countersignatures needs them on each part.
 *
 * With `skipAnchored`, running the same call again anchors nothing twice (see {@link RegisterBatchParameters}).
 *
 * @example
 * ```ts
 * import { JsonRpcProvider, Wallet } from "ethers";
 * import { TradeproofClient, hashFile, loadDeployment } from "./sdk/index.js";
 * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
 * const client = await TradeproofClient.connect({
 *   runner: new Wallet(process.env.TRADEPROOF_KEY!, provider),
 *   deployment: await loadDeployment("data/deployment.json"),
 * });
 * const hashes = await Promise.all(["a.pdf", "b.pdf"].map((f) => hashFile(f)));
 * const receipts = await client.registerBatch(hashes, 380, { public: true, skipAnchored: true,
 *   onProgress: (done, total) => console.log(`${done}/${total}`) });
 * ```
 */
export async function registerBatch(ctx: ClientContext, params: RegisterBatchParameters): Promise<RegisterBatchReturnType> {
  const code = parseDocType(params.docType);
  const distinct = [...new Set(params.docHashes.map(normalizeDocHash))];
  if (distinct.length === 0) throw new InvalidArgumentError("A batch needs at least one document.");
  if (params.chunkSize !== undefined && !(Number.isInteger(params.chunkSize) && params.chunkSize > 0)) {
    throw new InvalidArgumentError("chunkSize must be a positive integer.");
  }
  if (params.references !== undefined && params.references.length !== params.docHashes.length) {
    throw new InvalidArgumentError(`${params.references.length} references for ${params.docHashes.length} documents: give one (or undefined) per document.`);
  }
  // Each document's reference, checked before anything is sent; the first given for a document repeated wins.
  const filed = new Map<Hex, ReceiptReference>();
  if (params.references?.some((r) => r !== undefined)) {
    const organisation = await signerOrganisation(ctx, "registerBatch");
    params.references.forEach((r, i) => {
      const docHash = normalizeDocHash(params.docHashes[i]!);
      if (r && !filed.has(docHash)) filed.set(docHash, receiptReference(organisation, r));
    });
  }
  const total = distinct.length;
  const receipts = new Map<Hex, Receipt>();
  // Documents anchored by this call: only their receipts carry the reference (one anchored before was filed, or not, then).
  const anchoredNow = new Set<Hex>();
  const limits = { ...DEFAULT_TRANSACTION_LIMITS, ...params.limits };
  const parts = { done: 0, total: 0 };
  const progress = () => params.onProgress?.(receipts.size, total, { ...parts });

  if (params.skipAnchored) await findAnchored(ctx, distinct, params.receipts ?? [], receipts);
  const remaining = distinct.filter((h) => !receipts.has(h));
  const size = params.public && remaining.length > 0 ? (params.chunkSize ?? (await publicChunkSize(ctx, limits))) : 0;
  if (params.public && params.chunkSize !== undefined && params.chunkSize > maxPublicBatch(limits).documents) {
    throw new InvalidArgumentError(
      `chunkSize ${params.chunkSize} exceeds what one transaction carries under the limits (${maxPublicBatch(limits).documents} documents).`,
    );
  }
  // A private batch is one root whatever its size (32 bytes on chain); a public one is split into parts that fit.
  const batches =
    remaining.length === 0 ? [] : params.public ? chunk(buildBatch(remaining).leaves, size).map((slice) => buildBatch(slice)) : [buildBatch(remaining)];
  parts.total = batches.length;
  progress();
  if (batches.length > 0) {
    const anchored = params.skipAnchored ? await anchoredRoots(ctx, batches) : new Map<string, AnchorRecord>();
    for (const batch of batches) {
      let anchor: Omit<AnchorRecord, "organisation"> | undefined = anchored.get(batch.root);
      if (!anchor) {
        const tx = await send(ctx, "registerBatch", () =>
          params.public ? ctx.registry.registerPublicBatch.populateTransaction(batch.leaves, code) : ctx.registry.registerBatch.populateTransaction(batch.root, batch.size, code),
        );
        anchor = { txHash: tx.hash as Hex, blockNumber: tx.blockNumber, issuer: tx.from as Hex, docType: code };
        const toFile = params.public ? batch.leaves.filter((h) => filed.has(h)).map((docHash) => ({ docHash, commitment: filed.get(docHash)!.commitment })) : [];
        if (toFile.length > 0) await attachReferences(ctx, batch.root, toFile);
        for (const docHash of batch.leaves) anchoredNow.add(docHash);
      }
      const shared = await makeReceipt(ctx, { docHash: batch.root, root: batch.root, proof: [], ...anchor });
      for (const docHash of batch.leaves) receipts.set(docHash, { ...shared, docHash, proof: batch.proof(docHash) });
      parts.done++;
      progress();
    }
  }
  return distinct.map((h) => {
    const receipt = receipts.get(h)!;
    const reference = anchoredNow.has(h) ? filed.get(h) : undefined;
    return reference ? { ...receipt, reference } : receipt;
  });
}

/** Fills `out` with the documents the ledger already knows alone or through one of `known` receipts. */
async function findAnchored(ctx: ClientContext, docHashes: Hex[], known: Receipt[], out: Map<Hex, Receipt>) {
  const byDoc = new Map(known.map((r) => parseReceipt(r)).map((r) => [r.docHash, r]));
  const queries = docHashes.map((docHash) => {
    const r = byDoc.get(docHash);
    const sameLedger = r && r.chainId === ctx.deployment.chainId && r.registry.toLowerCase() === ctx.deployment.registry.toLowerCase();
    return sameLedger ? { docHash, root: r.root, proof: r.proof, receipt: r } : { docHash, root: docHash, proof: [] as Hex[] };
  });
  const states = await readStates(ctx, queries);
  // Documents of earlier public batches are found by their hash alone, through the emitted leaves.
  const unknown = queries.map((q, i) => ({ q, i })).filter(({ q, i }) => !q.receipt && states[i]!.status === 0);
  const located = unknown.length > 0 ? await locateInPublicBatches(ctx, unknown.map(({ q }) => q.docHash)) : new Map();
  const inPublic = unknown.filter(({ q }) => located.has(q.docHash)).map(({ q }) => ({ docHash: q.docHash, ...located.get(q.docHash)! }));
  if (inPublic.length > 0) {
    const [publicStates, records] = await Promise.all([
      readStates(ctx, inPublic),
      anchorRecords(ctx, [...new Set(inPublic.map((p) => p.root))]),
    ]);
    for (const [k, p] of inPublic.entries()) {
      const record = records.get(p.root);
      if (publicStates[k]!.status === 0 || !record) continue;
      out.set(p.docHash, await makeReceipt(ctx, { ...p, anchoredAt: isoSeconds(publicStates[k]!.anchoredAt), ...record }));
    }
  }
  const singles: { docHash: Hex; anchoredAt: string }[] = [];
  states.forEach((state, i) => {
    if (STATUSES[state.status] === "NOT_FOUND") return;
    const q = queries[i]!;
    if (q.receipt) out.set(q.docHash, q.receipt);
    else singles.push({ docHash: q.docHash, anchoredAt: isoSeconds(state.anchoredAt) });
  });
  const records = await anchorRecords(ctx, singles.map((s) => s.docHash));
  for (const { docHash, anchoredAt } of singles) {
    const record = records.get(docHash);
    if (record) out.set(docHash, await makeReceipt(ctx, { docHash, root: docHash, proof: [], anchoredAt, ...record }));
  }
}

/** The anchors among `batches`' roots that already exist (an earlier run of the same documents), with their records. */
async function anchoredRoots(ctx: ClientContext, batches: Batch[]): Promise<Map<string, AnchorRecord>> {
  const states = await readStates(
    ctx,
    batches.map((b) => ({ docHash: b.leaves[0]!, root: b.root, proof: b.proof(b.leaves[0]!) })),
  );
  const roots = batches.filter((_, i) => states[i]!.status !== 0).map((b) => b.root);
  return anchorRecords(ctx, roots);
}
