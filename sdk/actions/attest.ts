import { InvalidArgumentError } from "../errors.js";
import { parseOutcome, send, txInfo, type ClientContext } from "../context.js";
import { normalizeDocHash } from "../hash.js";
import type { Hex, Outcome, TxInfo } from "../types.js";

export interface AttestParameters {
  /** The document verified (it need not be on the ledger: a rejection may be why). */
  docHash: Hex;
  /** What the agency decided. */
  outcome: Outcome;
  /** The agency's own reason code, 0 (none) to 65535. */
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
 * await customs.attest(await hashFile("../shared/samples/goods-declaration.json"), "ACCEPTED");
 * ```
 */
export async function attest(ctx: ClientContext, { docHash, outcome, reasonCode = 0 }: AttestParameters): Promise<AttestReturnType> {
  const hash = normalizeDocHash(docHash);
  const code = parseOutcome(outcome);
  if (!Number.isInteger(reasonCode) || reasonCode < 0 || reasonCode > 65535) {
    throw new InvalidArgumentError("reasonCode must be an integer from 0 to 65535.");
  }
  return txInfo(await send(ctx, "attest", () => ctx.registry.attest.populateTransaction(hash, code, reasonCode)));
}
