import { blockTime, parseDocType, send, type ClientContext } from "../context.js";
import type { DocumentReference } from "../references.js";
import { attachReferences, receiptReference, signerOrganisation } from "./references.js";
import { normalizeDocHash } from "../hash.js";
import { buildReceipt, type Receipt } from "../receipt.js";
import { isoSeconds, type Hex } from "../types.js";

export interface RegisterParameters {
  /** The document's hash. */
  docHash: Hex;
  /** UNTDID 1001 code of its type, e.g. 380 or "861". */
  docType: string | number;
  /**
   * The number printed on the document, to file it under (see {@link findByReference}): only a commitment to the
   * issuing organisation, the scheme and the number goes on chain, in a second transaction after the anchor's.
   */
  reference?: DocumentReference;
}
export type RegisterReturnType = Receipt;
/** NotMemberError, OrganisationSuspendedError, NotIssuerError, AlreadyAnchoredError, NodeUnreachableError, SignerRequiredError. */
export type RegisterErrorType = import("../errors.js").TradeproofError;

/** Builds the normative receipt of a document anchored by the transaction `tx`. */
export async function makeReceipt(
  ctx: ClientContext,
  fields: { docHash: Hex; docType: number; root: Hex; proof: Hex[]; txHash: Hex; blockNumber: number; issuer: string; anchoredAt?: string },
): Promise<Receipt> {
  const anchoredAt = fields.anchoredAt ?? isoSeconds(await blockTime(ctx, fields.blockNumber));
  return buildReceipt(ctx.deployment, fields.docHash, fields.proof, { ...fields, anchoredAt });
}

/**
 * Anchors one document with the client's signer and returns its receipt. The document is VALID at once, or
 * PENDING when its type needs countersignatures (see approve).
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
 * const receipt = await client.register(await hashFile("invoice.pdf"), 380);
 * ```
 */
export async function register(ctx: ClientContext, { docHash, docType, reference }: RegisterParameters): Promise<RegisterReturnType> {
  const hash = normalizeDocHash(docHash);
  const code = parseDocType(docType);
  // The reference is checked, and the signer's organisation read, before anything is sent.
  const filed = reference ? receiptReference(await signerOrganisation(ctx, "register"), reference) : undefined;
  const tx = await send(ctx, "register", () => ctx.registry.register.populateTransaction(hash, code));
  if (filed) await attachReferences(ctx, hash, [{ docHash: hash, commitment: filed.commitment }]);
  const receipt = await makeReceipt(ctx, {
    docHash: hash,
    docType: code,
    root: hash,
    proof: [],
    txHash: tx.hash as Hex,
    blockNumber: tx.blockNumber,
    issuer: tx.from,
  });
  return filed ? { ...receipt, reference: filed } : receipt;
}
