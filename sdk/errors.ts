import type { CodedEthersError, ErrorCode, Interface } from "ethers";
import type { Hex } from "./types.js";

// ethers' `isError` is exactly this test of the error's code. Written here so that this module does not load
// ethers: the SDK's hashing (and hashFiles' worker threads) import it, and loading ethers took half a second.
const isError = <K extends ErrorCode>(e: unknown, code: K): e is CodedEthersError<K> =>
  typeof e === "object" && e !== null && (e as { code?: unknown }).code === code;

/**
 * Base class of every error the SDK throws. `shortMessage` is one sentence for people, `details` adds what
 * the cause said, `code` is stable for programs (the API maps it to `{ error: { code, message } }`).
 *
 * @example
 * ```ts
 * import { TradeproofError, hashFile } from "./sdk/index.js";
 *
 * try {
 *   await hashFile("missing.pdf");
 * } catch (e) {
 *   if (e instanceof TradeproofError) console.error(e.code, e.shortMessage);
 * }
 * ```
 */
export class TradeproofError extends Error {
  /** One sentence, without the cause's details. */
  shortMessage: string;
  /** What the underlying library or node said, when there was one. */
  details?: string;
  override cause?: unknown;
  /** Stable machine-readable code, e.g. "NODE_UNREACHABLE" or a custom-error name such as "DocumentRegistryNotIssuer". */
  code: string;

  constructor(shortMessage: string, opts: { code?: string; name?: string; cause?: unknown; details?: string } = {}) {
    const details = opts.details ?? causeMessage(opts.cause);
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, { cause: opts.cause });
    this.name = opts.name ?? "TradeproofError";
    this.shortMessage = shortMessage;
    if (details !== undefined) this.details = details;
    this.cause = opts.cause;
    this.code = opts.code ?? "UNKNOWN";
  }
}

function causeMessage(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (typeof cause === "object" && "shortMessage" in cause && typeof cause.shortMessage === "string") return cause.shortMessage;
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/** A value that should be a document hash (`0x` + 64 hex digits) is not one. */
export class InvalidHashError extends TradeproofError {
  constructor({ value }: { value: unknown }) {
    super(`${JSON.stringify(String(value)).slice(0, 80)} is not a document hash (0x followed by 64 hex digits).`, {
      code: "INVALID_HASH",
      name: "InvalidHashError",
    });
  }
}

/** A document cannot be read or hashed: a missing file, bad JSON in a `.json` file, a value JCS cannot encode. */
export class InvalidDocumentError extends TradeproofError {
  constructor(shortMessage: string, opts: { cause?: unknown } = {}) {
    super(shortMessage, { code: "INVALID_DOCUMENT", name: "InvalidDocumentError", cause: opts.cause });
  }
}

/** A receipt is not a `tradeproof-receipt/v1` document. */
export class InvalidReceiptError extends TradeproofError {
  constructor(shortMessage: string, opts: { cause?: unknown; details?: string } = {}) {
    super(shortMessage, { code: "INVALID_RECEIPT", name: "InvalidReceiptError", ...opts });
  }
}

/** An argument other than a hash, document or receipt is out of range (document type, outcome, chunk size...). */
export class InvalidArgumentError extends TradeproofError {
  constructor(shortMessage: string) {
    super(shortMessage, { code: "INVALID_ARGUMENT", name: "InvalidArgumentError" });
  }
}

/** The JSON-RPC node did not answer, or answered with a transport or server error. Never a verdict. */
export class NodeUnreachableError extends TradeproofError {
  constructor(opts: { cause?: unknown; url?: string } = {}) {
    super(`The blockchain node${opts.url ? ` at ${opts.url}` : ""} did not answer; no verdict was reached.`, {
      code: "NODE_UNREACHABLE",
      name: "NodeUnreachableError",
      cause: opts.cause,
    });
  }
}

/** The node serves another chain than the deployment's, or there is no registry code at the deployment's address. */
export class WrongChainError extends TradeproofError {
  constructor(shortMessage: string) {
    super(shortMessage, { code: "WRONG_CHAIN", name: "WrongChainError" });
  }
}

/** A write needs a signer but the client was connected with a provider only. */
export class SignerRequiredError extends TradeproofError {
  constructor(action: string) {
    super(`${action} sends a transaction: connect the client with a signer, not a provider.`, {
      code: "SIGNER_REQUIRED",
      name: "SignerRequiredError",
    });
  }
}

/**
 * The signing account cannot pay for a transaction's gas on a chain that charges for it. Consortium networks
 * (Besu with `min-gas-price=0` and a zero base fee, or the embedded chain) charge nothing and never raise this.
 */
export class InsufficientFundsError extends TradeproofError {
  /** The account that would have paid. */
  account: string;
  /** The chain that charges for gas. */
  chainId: number;

  constructor({ account, chainId, cause }: { account: string; chainId: number; cause?: unknown }) {
    super(
      `Account ${account} holds too little ether to pay for gas on chain ${chainId}. A consortium network charges no gas (min-gas-price 0, zero base fee); on this chain, fund the account first.`,
      { code: "INSUFFICIENT_FUNDS", name: "InsufficientFundsError", cause },
    );
    this.account = account;
    this.chainId = chainId;
  }
}

/**
 * A contract call reverted with a custom error. `code` and `errorName` are the custom error's name
 * (e.g. "DocumentRegistryNotIssuer"), `args` its decoded arguments.
 */
export class ContractRevertError extends TradeproofError {
  /** The custom error's name, as in the contract's interface. */
  errorName: string;
  /** The custom error's arguments, in order. */
  args: unknown[];

  constructor(
    { errorName, args, cause }: { errorName: string; args: unknown[]; cause?: unknown },
    shortMessage = `The contract refused the call: ${errorName}(${args.map(String).join(", ")}).`,
    name = "ContractRevertError",
  ) {
    super(shortMessage, { code: errorName, name, cause });
    this.errorName = errorName;
    this.args = args;
  }
}

type RevertInit = { errorName: string; args: unknown[]; cause?: unknown };

/** The account belongs to no member organisation. */
export class NotMemberError extends ContractRevertError {
  constructor(init: RevertInit) {
    super(init, `${init.args[0]} is not an account of any member organisation.`, "NotMemberError");
  }
}
/** The account's organisation is suspended. */
export class OrganisationSuspendedError extends ContractRevertError {
  constructor(init: RevertInit) {
    super(init, `Organisation ${init.args[0]} is suspended and cannot write to the ledger.`, "OrganisationSuspendedError");
  }
}
/** The account's organisation kind may not register this document type. */
export class NotIssuerError extends ContractRevertError {
  constructor(init: RevertInit) {
    super(init, `${init.args[0]} may not register documents of type ${init.args[1]}.`, "NotIssuerError");
  }
}
/** Only customs and agencies attest. */
export class NotAttesterError extends ContractRevertError {
  constructor(init: RevertInit) {
    super(init, `${init.args[0]} is not a customs or agency account and cannot attest.`, "NotAttesterError");
  }
}
/** The account does not belong to the organisation that anchored the hash. */
export class NotIssuingOrganisationError extends ContractRevertError {
  constructor(init: RevertInit) {
    super(init, `${init.args[0]} does not belong to the organisation that anchored ${init.args[1]}.`, "NotIssuingOrganisationError");
  }
}
/** Something is already anchored under this hash. */
export class AlreadyAnchoredError extends ContractRevertError {
  constructor(init: RevertInit) {
    super(init, `${init.args[0]} is already anchored.`, "AlreadyAnchoredError");
  }
}
/** Nothing is anchored under this hash. */
export class UnknownAnchorError extends ContractRevertError {
  constructor(init: RevertInit) {
    super(init, `Nothing is anchored under ${init.args[0]}.`, "UnknownAnchorError");
  }
}
/** The anchor is not waiting for approvals. */
export class NotPendingError extends ContractRevertError {
  constructor(init: RevertInit) {
    super(init, `${init.args[0]} is not waiting for approvals.`, "NotPendingError");
  }
}
/** The account already approved (or registered) this anchor. */
export class AlreadyApprovedError extends ContractRevertError {
  constructor(init: RevertInit) {
    super(init, `${init.args[1]} already approved ${init.args[0]}.`, "AlreadyApprovedError");
  }
}
/** The anchor, or this document of it, is already revoked. */
export class AlreadyRevokedError extends ContractRevertError {
  constructor(init: RevertInit) {
    super(init, `${init.args[1]} is already revoked.`, "AlreadyRevokedError");
  }
}
/** The proof does not lead from the document to the batch root. */
export class InvalidProofError extends ContractRevertError {
  constructor(init: RevertInit) {
    super(init, `The proof does not lead from ${init.args[1]} to the batch root ${init.args[0]}.`, "InvalidProofError");
  }
}
/** The caller is not a governor of the council. */
export class NotGovernorError extends ContractRevertError {
  constructor(init: RevertInit) {
    super(init, `${init.args[0]} is not a governor of the council.`, "NotGovernorError");
  }
}

const REVERT_CLASSES: Record<string, new (init: RevertInit) => ContractRevertError> = {
  DocumentRegistryNotMember: NotMemberError,
  DocumentRegistryOrganisationSuspended: OrganisationSuspendedError,
  DocumentRegistryNotIssuer: NotIssuerError,
  DocumentRegistryNotAttester: NotAttesterError,
  DocumentRegistryNotIssuingOrganisation: NotIssuingOrganisationError,
  DocumentRegistryAlreadyAnchored: AlreadyAnchoredError,
  DocumentRegistryUnknownAnchor: UnknownAnchorError,
  DocumentRegistryNotPending: NotPendingError,
  DocumentRegistryAlreadyApproved: AlreadyApprovedError,
  DocumentRegistryAlreadyRevoked: AlreadyRevokedError,
  DocumentRegistryInvalidProof: InvalidProofError,
  CouncilNotGovernor: NotGovernorError,
};

/** ethers error codes that mean the node could not be asked, rather than that it answered. */
const TRANSPORT_CODES = ["NETWORK_ERROR", "SERVER_ERROR", "TIMEOUT"] as const;
/** Node.js socket error codes of an unreachable host. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT", "EPIPE", "UND_ERR_SOCKET"]);

function socketFailure(e: unknown, depth = 0): boolean {
  if (depth > 5 || typeof e !== "object" || e === null) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && SOCKET_CODES.has(code)) return true;
  if (e instanceof TypeError && /fetch failed/.test(e.message)) return true;
  return socketFailure((e as { cause?: unknown }).cause, depth + 1) || socketFailure((e as { error?: unknown }).error, depth + 1);
}

/** Hex revert data carried by an error from ethers or from an EIP-1193 provider, if any. */
function revertData(e: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof e !== "object" || e === null) return undefined;
  const data = (e as { data?: unknown }).data;
  if (typeof data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(data)) return data;
  if (typeof data === "object" && data !== null) {
    const nested = revertData(data, depth + 1);
    if (nested) return nested;
  }
  for (const key of ["error", "info", "cause"] as const) {
    const nested = revertData((e as Record<string, unknown>)[key], depth + 1);
    if (nested) return nested;
  }
  return undefined;
}

/** Maps a custom error (by name) to its class. Council call failures are unwrapped to the registry revert inside. */
function fromRevert(errorName: string, args: unknown[], cause: unknown, ifaces: Interface[]): ContractRevertError {
  if (errorName === "CouncilCallFailed" && typeof args[2] === "string") {
    for (const iface of ifaces) {
      const inner = iface.parseError(args[2] as string);
      if (inner) return fromRevert(inner.name, [...inner.args], cause, ifaces);
    }
  }
  const Class = REVERT_CLASSES[errorName] ?? ContractRevertError;
  return new Class({ errorName, args, cause });
}

/**
 * The one boundary translator: turns whatever ethers, a node or Node.js threw into a {@link TradeproofError}.
 * Reverts are recognised by their custom-error name (decoded with `ifaces`), never by message text; transport
 * failures become {@link NodeUnreachableError}.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { DocumentRegistry__factory } from "./types/ethers-contracts/index.js";
 * import { toTradeproofError } from "./sdk/index.js";
 *
 * const registry = DocumentRegistry__factory.connect("0x5FbDB2315678afecb367f032d93F642f64180aa3", new JsonRpcProvider("http://127.0.0.1:8545"));
 * try {
 *   await registry.organisation(999);
 * } catch (e) {
 *   throw toTradeproofError(e, registry.interface); // ContractRevertError, code "DocumentRegistryUnknownOrganisation"
 * }
 * ```
 */
export function toTradeproofError(e: unknown, iface?: Interface | Interface[]): TradeproofError {
  if (e instanceof TradeproofError) return e;
  const ifaces = iface === undefined ? [] : Array.isArray(iface) ? iface : [iface];
  if (isError(e, "CALL_EXCEPTION")) {
    if (e.revert?.name) return fromRevert(e.revert.name, [...e.revert.args], e, ifaces);
  }
  // EIP-1193 providers (and some ethers paths) carry the raw revert data without decoding it.
  const data = revertData(e);
  if (data) {
    for (const i of ifaces) {
      const parsed = i.parseError(data);
      if (parsed) return fromRevert(parsed.name, [...parsed.args], e, ifaces);
    }
  }
  if (isError(e, "CALL_EXCEPTION")) {
    return new ContractRevertError({ errorName: "CALL_EXCEPTION", args: [], cause: e }, "The contract call reverted without a known custom error.");
  }
  if (socketFailure(e) || TRANSPORT_CODES.some((code) => isError(e, code))) return new NodeUnreachableError({ cause: e });
  // Anything else keeps ethers' own code (e.g. INSUFFICIENT_FUNDS, NONCE_EXPIRED) so callers can still tell.
  const code = typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : "UNKNOWN";
  // Say what the node or ethers said (its short message, without the request payload), not only that it failed.
  const said = typeof e === "object" && e !== null ? (e as { shortMessage?: unknown; message?: unknown }).shortMessage ?? (e as { message?: unknown }).message : undefined;
  return new TradeproofError(typeof said === "string" && said ? `The operation failed: ${said.replace(/\.$/, "")}.` : "The operation failed.", { cause: e, code });
}

/**
 * Runs `fn`, translating anything it throws with {@link toTradeproofError}.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { atBoundary } from "./sdk/index.js";
 * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
 * const block = await atBoundary(() => provider.getBlockNumber()); // NodeUnreachableError if the node is down
 * ```
 */
export async function atBoundary<T>(fn: () => Promise<T>, iface?: Interface | Interface[]): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toTradeproofError(e, iface);
  }
}

export type { Hex };
