import { send, txInfo, type ClientContext } from "../context.js";
import { normalizeDocHash } from "../hash.js";
import type { Hex, TxInfo } from "../types.js";

export interface ApproveParameters {
  /** The PENDING anchor to countersign: a document hash, or a batch root. */
  anchor: Hex;
}
export type ApproveReturnType = TxInfo;
/** NotPendingError, AlreadyApprovedError, NotIssuingOrganisationError, UnknownAnchorError, NodeUnreachableError. */
export type ApproveErrorType = import("../errors.js").TradeproofError;

/**
 * Countersigns a PENDING anchor as another account of the issuing organisation (the four-eyes principle).
 *
 * @example
 * ```ts
 * import { JsonRpcProvider, Wallet } from "ethers";
 * import { TradeproofClient, loadDeployment } from "./sdk/index.js";
 * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
 * const officer2 = await TradeproofClient.connect({
 *   runner: new Wallet(process.env.TRADEPROOF_KEY!, provider),
 *   deployment: await loadDeployment("data/deployment.json"),
 * });
 * await officer2.approve("0x3938e8376576493c46230fba3c7fd850111eddcbad2c4a7606e7edb090fd0fd5");
 * ```
 */
export async function approve(ctx: ClientContext, { anchor }: ApproveParameters): Promise<ApproveReturnType> {
  const hash = normalizeDocHash(anchor);
  return txInfo(await send(ctx, "approve", () => ctx.registry.approve.populateTransaction(hash)));
}
