import { parseAttestationReason, type AttestationReasonId } from "../attestation-reasons.js";
import { parseOutcome, send, txInfo, type ClientContext } from "../context.js";
import { normalizeDocHash } from "../hash.js";
import type { Hex, Outcome, TxInfo } from "../types.js";

export interface AttestParameters {
  /** The document verified (it need not be on the ledger: a rejection may be why). */
  docHash: Hex;
  /** What the agency decided. */
  outcome: Outcome;
  /**
   * Why: a listed reason by its id or code (`"CONTENT_MISMATCH"` or 21, see ATTESTATION_REASONS), or a code of the
   * administration's own from 1,000 to 65,535. None by default.
   */
  reason?: AttestationReasonId | number;
  /** The reason as a number, as before `reason` took ids too; `reason` wins when both are given. */
  reasonCode?: number;
}
export type AttestReturnType = TxInfo;
/** NotAttesterError, NodeUnreachableError, InvalidArgumentError. */
export type AttestErrorType = import("../errors.js").TradeproofError;

/**
 * Records the outcome of a verification, as customs or an agency. It never changes the document's status.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider, Wallet } from "ethers";
 * import { TradeproofClient, hashFile, loadDeployment } from "./sdk/index.js";
 * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
 * const customs = await TradeproofClient.connect({
 *   runner: new Wallet(process.env.TRADEPROOF_KEY!, provider),
 *   deployment: await loadDeployment("data/deployment.json"),
 * });
 * await customs.attest(await hashFile("../shared/samples/goods-declaration.json"), "ACCEPTED", "DOCUMENTARY_CHECK");
 * ```
 */
export async function attest(ctx: ClientContext, { docHash, outcome, reason, reasonCode }: AttestParameters): Promise<AttestReturnType> {
  const hash = normalizeDocHash(docHash);
  const code = parseOutcome(outcome);
  const why = parseAttestationReason(reason ?? reasonCode ?? 0);
  return txInfo(await send(ctx, "attest", () => ctx.registry.attest.populateTransaction(hash, code, why)));
}
