import { getAddress, isAddress } from "ethers";
import { z } from "zod";
import { leafHash, processProof } from "./batch.js";
import { InvalidReceiptError } from "./errors.js";
import { isDocHash } from "./hash.js";
import { REFERENCE_SCHEMES, type ReceiptReference, type ReferenceScheme } from "./references.js";
import type { Hex } from "./types.js";

/** The receipt of one anchored document (DESIGN.md, normative). For a document anchored alone, `root` equals
 * `docHash` and `proof` is empty. */
export interface Receipt {
  type: "tradeproof-receipt/v1";
  /** The document's hash. */
  docHash: Hex;
  /** UNTDID 1001 code of the document type, as a string ("861"). */
  docType: string;
  /** The anchor: the document hash itself, or the batch's Merkle root. */
  root: Hex;
  /** Merkle proof from the document's leaf to `root`. */
  proof: Hex[];
  chainId: number;
  /** Address of the DocumentRegistry. */
  registry: Hex;
  /** The anchoring transaction. */
  txHash: Hex;
  blockNumber: number;
  /** Block time of the anchor, ISO 8601 UTC without milliseconds. */
  anchoredAt: string;
  /** The account that anchored it. */
  issuer: Hex;
  /**
   * The number the document was filed under, when its issuer gave one (optional): the scheme, the number as given,
   * and the commitment that went on chain (on chain only for a document registered alone or in a public batch).
   */
  reference?: ReceiptReference;
}

/** What a receipt says of the anchor, besides the document and its proof. */
export interface AnchorFields {
  docType: string | number;
  root: Hex;
  txHash: Hex;
  blockNumber: number;
  /** ISO 8601 UTC without milliseconds (`isoSeconds`). */
  anchoredAt: string;
  issuer: string;
}

/**
 * The normative receipt of `docHash` under an anchor of the ledger `deployment`: addresses checksummed, the type
 * code as a string. The SDK's writes and the API's relayed writes hand out receipts built here.
 *
 * @example
 * ```ts
 * import { buildReceipt, loadDeployment } from "./sdk/index.js";
 * const receipt = buildReceipt(await loadDeployment("data/deployment.json"), "0x…", [], {
 *   docType: 380, root: "0x…", txHash: "0x…", blockNumber: 12, anchoredAt: "2026-11-23T10:00:00Z", issuer: "0x…",
 * });
 * ```
 */
export function buildReceipt(deployment: { chainId: number; registry: string }, docHash: Hex, proof: Hex[], anchor: AnchorFields): Receipt {
  return {
    type: "tradeproof-receipt/v1",
    docHash,
    docType: String(anchor.docType),
    root: anchor.root,
    proof,
    chainId: deployment.chainId,
    registry: getAddress(deployment.registry) as Hex,
    txHash: anchor.txHash,
    blockNumber: anchor.blockNumber,
    anchoredAt: anchor.anchoredAt,
    issuer: getAddress(anchor.issuer) as Hex,
  };
}

const hash32 = z.string().refine(isDocHash, "0x followed by 64 hex digits").transform((s) => s.toLowerCase() as Hex);
// isAddress checks a mixed-case checksum with a keccak; receipts of one batch repeat the same two addresses.
const checkedAddresses = new Map<string, boolean>();
function validAddress(s: string): boolean {
  let ok = checkedAddresses.get(s);
  if (ok === undefined) {
    ok = /^0x[0-9a-fA-F]{40}$/.test(s) && isAddress(s);
    if (checkedAddresses.size > 1_000) checkedAddresses.clear();
    checkedAddresses.set(s, ok);
  }
  return ok;
}
const address = z.string().refine(validAddress, "an address").transform((s) => s as Hex);

const ReceiptSchema = z
  .object({
    type: z.literal("tradeproof-receipt/v1"),
    docHash: hash32,
    docType: z.string().regex(/^[0-9]{1,5}$/, "a UNTDID 1001 code").refine((s) => Number(s) <= 65535, "at most 65535"),
    root: hash32,
    proof: z.array(hash32),
    chainId: z.number().int().positive(),
    registry: address,
    txHash: hash32,
    blockNumber: z.number().int().nonnegative(),
    anchoredAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, "ISO 8601 UTC without milliseconds"),
    issuer: address,
    reference: z
      .object({
        scheme: z.enum(Object.keys(REFERENCE_SCHEMES) as [ReferenceScheme, ...ReferenceScheme[]]),
        id: z.string().min(1).max(100),
        commitment: hash32,
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * Validates a receipt (as parsed from its JSON file) and returns it typed, hashes in lowercase;
 * throws {@link InvalidReceiptError} naming the first bad field.
 *
 * @example
 * ```ts
 * import { readFile } from "node:fs/promises";
 * import { parseReceipt } from "./sdk/index.js";
 * const receipt = parseReceipt(JSON.parse(await readFile("invoice.receipt.json", "utf8")));
 * ```
 */
export function parseReceipt(json: unknown): Receipt {
  const parsed = ReceiptSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join(".") : "receipt";
    throw new InvalidReceiptError(`Not a tradeproof-receipt/v1: ${where}: ${issue.message}.`, { cause: parsed.error });
  }
  return parsed.data as Receipt;
}

/**
 * Checks a receipt offline: that it is about `docHash` (when given) and that its proof leads from the document
 * to its root. It says nothing about the chain: `client.verify(docHash, { receipt })` asks the ledger.
 *
 * @example
 * ```ts
 * import { checkReceipt, hashFile, parseReceipt } from "./sdk/index.js";
 * import { readFile } from "node:fs/promises";
 * const receipt = parseReceipt(JSON.parse(await readFile("invoice.receipt.json", "utf8")));
 * const result = checkReceipt(receipt, await hashFile("invoice.pdf"));
 * if (!result.ok) console.error(result.reason);
 * ```
 */
export function checkReceipt(receipt: Receipt, docHash?: Hex): { ok: true } | { ok: false; reason: string } {
  const r = parseReceipt(receipt);
  if (docHash !== undefined && docHash.toLowerCase() !== r.docHash) {
    return { ok: false, reason: `The receipt is for ${r.docHash}, not for ${docHash.toLowerCase()}.` };
  }
  // Anchored alone. (A batch of one document has an empty proof too, but its root is the leaf hash.)
  if (r.proof.length === 0 && r.root === r.docHash) return { ok: true };
  return processProof(leafHash(r.docHash), r.proof) === r.root
    ? { ok: true }
    : { ok: false, reason: "The receipt's proof does not lead from the document to its root." };
}
