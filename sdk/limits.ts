/**
 * What one transaction may carry on the network, and the largest public batch that fits. Besu 26.8 and later refuse
 * a transaction over 128 KiB; under Osaka (EIP-7825) one transaction may use at most 2^24 gas unless the QBFT network
 * sets its own per-transaction limit. Public batches carry 32 bytes of calldata per document, so they are the writes
 * these limits bind; the SDK, the CLI and the API split or refuse a public batch by them.
 */
export interface TransactionLimits {
  /** Largest signed transaction the network's nodes accept, in bytes. */
  maxTxBytes: number;
  /** Most gas one transaction may use. */
  maxTxGas: number;
}

/** Besu's defaults: 128 KiB per transaction, 16,777,216 gas (EIP-7825). */
export const DEFAULT_TRANSACTION_LIMITS: TransactionLimits = { maxTxBytes: 131_072, maxTxGas: 16_777_216 };

/**
 * A signed EIP-1559 transaction's bytes besides its calldata: type, chain id, nonce, three fee and gas fields, the
 * address, value, an empty access list, the signature and the RLP headers. About 120 bytes; 250 leaves room for
 * large nonces and fee values.
 */
const ENVELOPE_BYTES = 250;
/** `registerPublicBatch(bytes32[], uint16)` besides its 32 bytes a document: selector, offset, type, length. */
const PUBLIC_BATCH_CALLDATA_BYTES = 4 + 3 * 32;
/**
 * `forwarder.executeBatch(ForwardRequestData[], refundReceiver)` around the registry call, as the API's relayer
 * sends a request that fills a transaction alone: selector, the array's offset, the refund receiver, the array's
 * length, the tuple's offset and seven head words, the data's length and padding, the 65-byte signature with its
 * length and padding.
 */
const RELAY_WRAPPER_BYTES = 4 + 32 + 32 + 32 + 32 + 7 * 32 + 32 + 32 + 32 + 96;
/** Gas of a public batch per document (calldata, leaf hash, tree, event), rounded up from the gas snapshot (1,298). */
export const PUBLIC_GAS_PER_DOCUMENT = 2_000;
/** Fixed gas of a public batch transaction (intrinsic, permission check, record, events), rounded up. */
export const PUBLIC_GAS_BASE = 100_000;
/** What relaying through the forwarder adds (signature check, nonce, the call), rounded up. */
const RELAY_GAS = 60_000;

/** The largest public batch of one transaction under `limits`, and which limit binds. */
export function maxPublicBatch(
  limits: TransactionLimits = DEFAULT_TRANSACTION_LIMITS,
  opts: { relayed?: boolean } = {},
): { documents: number; binding: "maxTxBytes" | "maxTxGas" } {
  const wrapper = opts.relayed ? RELAY_WRAPPER_BYTES : 0;
  const byBytes = Math.floor((limits.maxTxBytes - ENVELOPE_BYTES - wrapper - PUBLIC_BATCH_CALLDATA_BYTES) / 32);
  const byGas = Math.floor((limits.maxTxGas - PUBLIC_GAS_BASE - (opts.relayed ? RELAY_GAS : 0)) / PUBLIC_GAS_PER_DOCUMENT);
  const documents = Math.max(0, Math.min(byBytes, byGas));
  return { documents, binding: byBytes <= byGas ? "maxTxBytes" : "maxTxGas" };
}

/** Gas to give a public batch of `documents` (the same conservative figures). */
export function publicBatchGas(documents: number): bigint {
  return BigInt(PUBLIC_GAS_BASE + PUBLIC_GAS_PER_DOCUMENT * documents);
}

/** Limits from TRADEPROOF_MAX_TX_BYTES and TRADEPROOF_MAX_TX_GAS, else Besu's defaults; a bad value names its variable. */
export function transactionLimitsFromEnv(env: Record<string, string | undefined> = process.env): TransactionLimits {
  const read = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${name}: expected a whole number of at least ${min}, got "${raw}"`);
    return n;
  };
  return {
    maxTxBytes: read("TRADEPROOF_MAX_TX_BYTES", DEFAULT_TRANSACTION_LIMITS.maxTxBytes, 4_096),
    maxTxGas: read("TRADEPROOF_MAX_TX_GAS", DEFAULT_TRANSACTION_LIMITS.maxTxGas, 1_000_000),
  };
}
