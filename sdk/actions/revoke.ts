import { send, txInfo, type ClientContext } from "../context.js";
import { normalizeDocHash } from "../hash.js";
import { parseReceipt, type Receipt } from "../receipt.js";
import type { Hex, TxInfo } from "../types.js";

export interface RevokeParameters {
  /** A document anchored alone, or a whole batch (its root). */
  anchor: Hex;
  /** Why, for the audit trail (emitted in the event). */
  reason: string;
}
export type RevokeReturnType = TxInfo;
/** AlreadyRevokedError, NotIssuingOrganisationError, UnknownAnchorError, NodeUnreachableError. */
export type RevokeErrorType = import("../errors.js").TradeproofError;

/**
 * Revokes a single document or a whole batch, as its issuing organisation. Revocation is final.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider, Wallet } from "ethers";
 * import { TradeproofClient, loadDeployment } from "./sdk/index.js";
 * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
 * const client = await TradeproofClient.connect({
 *   runner: new Wallet(process.env.TRADEPROOF_KEY!, provider),
 *   deployment: await loadDeployment("data/deployment.json"),
 * });
 * await client.revoke("0x3938e8376576493c46230fba3c7fd850111eddcbad2c4a7606e7edb090fd0fd5", "issued in error");
 * ```
 */
export async function revoke(ctx: ClientContext, { anchor, reason }: RevokeParameters): Promise<RevokeReturnType> {
  const hash = normalizeDocHash(anchor);
  return txInfo(await send(ctx, "revoke", () => ctx.registry.revoke.populateTransaction(hash, reason)));
}

export interface RevokeInBatchParameters {
  /** The receipt of the one document of a batch to revoke (its root and proof). */
  receipt: Receipt;
  reason: string;
}

/**
 * Revokes one document of a batch, proved by its receipt; the rest of the batch stays valid.
 *
 * @example
 * ```ts
 * import { readFile } from "node:fs/promises";
 * import { JsonRpcProvider, Wallet } from "ethers";
 * import { TradeproofClient, loadDeployment, parseReceipt } from "./sdk/index.js";
 * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
 * const client = await TradeproofClient.connect({
 *   runner: new Wallet(process.env.TRADEPROOF_KEY!, provider),
 *   deployment: await loadDeployment("data/deployment.json"),
 * });
 * const receipt = parseReceipt(JSON.parse(await readFile("receipts/invoice-17.json", "utf8")));
 * await client.revokeInBatch(receipt, "wrong consignee");
 * ```
 */
export async function revokeInBatch(ctx: ClientContext, { receipt, reason }: RevokeInBatchParameters): Promise<RevokeReturnType> {
  const r = parseReceipt(receipt);
  return txInfo(await send(ctx, "revokeInBatch", () => ctx.registry.revokeInBatch.populateTransaction(r.root, r.docHash, r.proof, reason)));
}
