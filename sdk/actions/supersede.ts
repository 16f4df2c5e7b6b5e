import { send, txInfo, type ClientContext } from "../context.js";
import { normalizeDocHash } from "../hash.js";
import type { Hex, TxInfo } from "../types.js";

export interface SupersedeParameters {
  /** The anchor being replaced (VALID or PENDING). */
  oldAnchor: Hex;
  /** The amended document's anchor, registered already by the same organisation. */
  newAnchor: Hex;
}
export type SupersedeReturnType = TxInfo;
/** NotSupersedable / InvalidSuccessor (ContractRevertError), NotIssuingOrganisationError, NodeUnreachableError. */
export type SupersedeErrorType = import("../errors.js").TradeproofError;

/**
 * Replaces an anchor by an amended one: the old one becomes SUPERSEDED and points to the new one.
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
 * const amended = await client.register(await hashFile("invoice-v2.pdf"), 380);
 * await client.supersede(await hashFile("invoice-v1.pdf"), amended.docHash);
 * ```
 */
export async function supersede(ctx: ClientContext, { oldAnchor, newAnchor }: SupersedeParameters): Promise<SupersedeReturnType> {
  const older = normalizeDocHash(oldAnchor);
  const newer = normalizeDocHash(newAnchor);
  return txInfo(await send(ctx, "supersede", () => ctx.registry.supersede.populateTransaction(older, newer)));
}
