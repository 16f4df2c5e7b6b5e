import type { Provider, TransactionReceipt, TransactionResponse } from "ethers";
import { ContractRevertError, TradeproofError } from "./errors.js";

/** How long a transaction may stay unmined before the SDK gives up waiting (its fate is then unknown). */
const MINING_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Waits for a transaction's receipt by polling `eth_getTransactionReceipt`, 25 ms at first and backing off to 1 s.
 *
 * Why not `tx.wait()`: ethers waits for a new block event after its first receipt check, and an automining node
 * (anvil, the in-process chain) that mined the transaction a moment after that check mines no further block, so
 * `wait()` could hang for ever (seen in the interop tests). Polling the receipt itself works on every node, QBFT
 * networks included. A transaction mined as failed is replayed at its block to name the custom error.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { waitForReceipt } from "./sdk/index.js";
 * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
 * const signer = await provider.getSigner(0);
 * const receipt = await waitForReceipt(provider, await signer.sendTransaction({ to: signer.address, value: 0n }));
 * ```
 */
export async function waitForReceipt(provider: Provider, tx: TransactionResponse): Promise<TransactionReceipt> {
  const started = Date.now();
  for (let delay = 25; ; delay = Math.min(delay * 1.5, 1000)) {
    const receipt = await provider.getTransactionReceipt(tx.hash);
    if (receipt) {
      if (receipt.status === 1) return receipt;
      // Replaying the call just before its block yields the revert data; if it does not revert there, say so plainly.
      await provider.call({ to: tx.to, from: tx.from, data: tx.data, value: tx.value, blockTag: receipt.blockNumber - 1 });
      throw new ContractRevertError(
        { errorName: "CALL_EXCEPTION", args: [], cause: receipt },
        `Transaction ${tx.hash} was mined but reverted.`,
      );
    }
    if (Date.now() - started > MINING_TIMEOUT_MS) {
      throw new TradeproofError(`Transaction ${tx.hash} was not mined within ${MINING_TIMEOUT_MS / 60_000} minutes.`, {
        code: "TRANSACTION_TIMEOUT",
      });
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
