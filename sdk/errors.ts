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
 * A contract call reverted with a custom error. `errorName` is the custom error's name in the contract
 * (e.g. "DocumentRegistryNotIssuer"), `args` its decoded arguments. `code` is the stable code the SDK, the CLI and
 * the API all use for it: upper snake case of its class (`NotIssuerError` → "NOT_ISSUER"); a revert without a
 * class of its own keeps its error name (e.g. "CALL_EXCEPTION").
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
    const code = name === "ContractRevertError" ? errorName : name.replace(/Error$/, "").replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
    super(shortMessage, { code, name, cause });
    this.errorName = errorName;
    this.args = args;
  }
}

type RevertInit = { errorName: string; args: unknown[]; cause?: unknown };
/** A class of {@link ContractRevertError} for one custom error; `errorName` is that error's name in the ABI. */
export type RevertClass<E extends string = string> = {
  new (init: RevertInit): ContractRevertError & { readonly errorName: E };
  readonly errorName: E;
};

/** One class per custom error, so that callers can narrow with `instanceof`; the sentence says what happened. */
function revertClass<const E extends string>(errorName: E, name: string, say: (a: unknown[]) => string): RevertClass<E> {
  const Class = class extends ContractRevertError {
    static readonly errorName = errorName;
    declare readonly errorName: E;
    constructor(init: RevertInit) {
      super(init, say(init.args), name);
    }
  };
  Object.defineProperty(Class, "name", { value: name });
  return Class;
}

// ---------------------------------------------------------------- DocumentRegistry

/** The account belongs to no member organisation. */
export const NotMemberError = revertClass("DocumentRegistryNotMember", "NotMemberError", (a) => `${a[0]} is not an account of any member organisation.`);
export type NotMemberError = InstanceType<typeof NotMemberError>;
/** The account's organisation is suspended. */
export const OrganisationSuspendedError = revertClass("DocumentRegistryOrganisationSuspended", "OrganisationSuspendedError", (a) => `Organisation ${a[0]} is suspended and cannot write to the ledger.`);
export type OrganisationSuspendedError = InstanceType<typeof OrganisationSuspendedError>;
/** The account's organisation kind may not register this document type. */
export const NotIssuerError = revertClass("DocumentRegistryNotIssuer", "NotIssuerError", (a) => `${a[0]} may not register documents of type ${a[1]}.`);
export type NotIssuerError = InstanceType<typeof NotIssuerError>;
/** Only customs and agencies attest. */
export const NotAttesterError = revertClass("DocumentRegistryNotAttester", "NotAttesterError", (a) => `${a[0]} is not a customs or agency account and cannot attest.`);
export type NotAttesterError = InstanceType<typeof NotAttesterError>;
/** The account does not belong to the organisation that anchored the hash. */
export const NotIssuingOrganisationError = revertClass("DocumentRegistryNotIssuingOrganisation", "NotIssuingOrganisationError", (a) => `${a[0]} does not belong to the organisation that anchored ${a[1]}.`);
export type NotIssuingOrganisationError = InstanceType<typeof NotIssuingOrganisationError>;
/** The hash is zero. */
export const ZeroHashError = revertClass("DocumentRegistryZeroHash", "ZeroHashError", () => "The hash is zero: a document's fingerprint is never 0x00…00.");
export type ZeroHashError = InstanceType<typeof ZeroHashError>;
/** Something is already anchored under this hash. */
export const AlreadyAnchoredError = revertClass("DocumentRegistryAlreadyAnchored", "AlreadyAnchoredError", (a) => `${a[0]} is already anchored.`);
export type AlreadyAnchoredError = InstanceType<typeof AlreadyAnchoredError>;
/** Nothing is anchored under this hash. */
export const UnknownAnchorError = revertClass("DocumentRegistryUnknownAnchor", "UnknownAnchorError", (a) => `Nothing is anchored under ${a[0]}.`);
export type UnknownAnchorError = InstanceType<typeof UnknownAnchorError>;
/** The anchor is not waiting for approvals. */
export const NotPendingError = revertClass("DocumentRegistryNotPending", "NotPendingError", (a) => `${a[0]} is not waiting for approvals.`);
export type NotPendingError = InstanceType<typeof NotPendingError>;
/** The account already approved (or registered) this anchor. */
export const AlreadyApprovedError = revertClass("DocumentRegistryAlreadyApproved", "AlreadyApprovedError", (a) => `${a[1]} already approved ${a[0]}.`);
export type AlreadyApprovedError = InstanceType<typeof AlreadyApprovedError>;
/** The anchor, or this document of it, is already revoked. */
export const AlreadyRevokedError = revertClass("DocumentRegistryAlreadyRevoked", "AlreadyRevokedError", (a) => `${a[1]} is already revoked.`);
export type AlreadyRevokedError = InstanceType<typeof AlreadyRevokedError>;
/** The anchor cannot be superseded in its current status (only a valid anchor can). */
export const NotSupersedableError = revertClass("DocumentRegistryNotSupersedable", "NotSupersedableError", (a) => `${a[0]} cannot be superseded in its current status (${statusName(a[1])}).`);
export type NotSupersedableError = InstanceType<typeof NotSupersedableError>;
/** The successor is not valid yet, or already succeeds another anchor. */
export const InvalidSuccessorError = revertClass("DocumentRegistryInvalidSuccessor", "InvalidSuccessorError", (a) => `${a[0]} cannot be the successor: it must be anchored, valid and not already succeed another document.`);
export type InvalidSuccessorError = InstanceType<typeof InvalidSuccessorError>;
/** The anchor is a single document, not a batch root. */
export const NotBatchError = revertClass("DocumentRegistryNotBatch", "NotBatchError", (a) => `${a[0]} is not the root of a batch.`);
export type NotBatchError = InstanceType<typeof NotBatchError>;
/** The proof does not lead from the document to the batch root. */
export const InvalidProofError = revertClass("DocumentRegistryInvalidProof", "InvalidProofError", (a) => `The proof does not lead from ${a[1]} to the batch root ${a[0]}.`);
export type InvalidProofError = InstanceType<typeof InvalidProofError>;
/** A batch must hold at least one document. */
export const EmptyBatchError = revertClass("DocumentRegistryEmptyBatch", "EmptyBatchError", () => "A batch must hold at least one document.");
export type EmptyBatchError = InstanceType<typeof EmptyBatchError>;
/** Public leaves must come in the tree's order. */
export const UnsortedLeavesError = revertClass("DocumentRegistryUnsortedLeaves", "UnsortedLeavesError", (a) => `The public batch's leaves are not in ascending order at index ${a[0]}.`);
export type UnsortedLeavesError = InstanceType<typeof UnsortedLeavesError>;
/** The outcome of an attestation is NONE. */
export const InvalidOutcomeError = revertClass("DocumentRegistryInvalidOutcome", "InvalidOutcomeError", () => "An attestation needs an outcome (accepted, rejected or under review).");
export type InvalidOutcomeError = InstanceType<typeof InvalidOutcomeError>;
/** No such organisation. */
export const UnknownOrganisationError = revertClass("DocumentRegistryUnknownOrganisation", "UnknownOrganisationError", (a) => `There is no organisation ${a[0]}.`);
export type UnknownOrganisationError = InstanceType<typeof UnknownOrganisationError>;
/** The account already belongs to an organisation, or is the zero address. */
export const AccountUnavailableError = revertClass("DocumentRegistryAccountUnavailable", "AccountUnavailableError", (a) => `${a[0]} cannot be added: it already belongs to an organisation, or is the zero address.`);
export type AccountUnavailableError = InstanceType<typeof AccountUnavailableError>;
/** The country is not ISO 3166-1 alpha-2. */
export const InvalidCountryError = revertClass("DocumentRegistryInvalidCountry", "InvalidCountryError", (a) => `${a[0]} is not a country code of two upper-case letters.`);
export type InvalidCountryError = InstanceType<typeof InvalidCountryError>;
/** The organisation kind is NONE or out of range. */
export const InvalidKindError = revertClass("DocumentRegistryInvalidKind", "InvalidKindError", (a) => `${a[0]} is not an organisation kind.`);
export type InvalidKindError = InstanceType<typeof InvalidKindError>;
/** The organisation name is empty or longer than 128 bytes. */
export const InvalidNameError = revertClass("DocumentRegistryInvalidName", "InvalidNameError", () => "An organisation's name must be 1 to 128 bytes long.");
export type InvalidNameError = InstanceType<typeof InvalidNameError>;
/** A policy needs an allowed kind and 1 to 16 approvals. */
export const InvalidPolicyError = revertClass("DocumentRegistryInvalidPolicy", "InvalidPolicyError", (a) => `The policy (kinds ${a[0]}, approvals ${a[1]}) needs at least one allowed kind and 1 to 16 approvals.`);
export type InvalidPolicyError = InstanceType<typeof InvalidPolicyError>;
/** The organisation holds the most accounts allowed. */
export const TooManyAccountsError = revertClass("DocumentRegistryTooManyAccounts", "TooManyAccountsError", (a) => `Organisation ${a[0]} already holds ${a[1]} accounts, the most allowed: remove one first.`);
export type TooManyAccountsError = InstanceType<typeof TooManyAccountsError>;
/** A page of attestations is larger than the contract serves. */
export const PageTooLargeError = revertClass("DocumentRegistryPageTooLarge", "PageTooLargeError", (a) => `A page of ${a[0]} attestations is more than the ${a[1]} the ledger serves at once.`);
export type PageTooLargeError = InstanceType<typeof PageTooLargeError>;
/** Only the council may do this. */
export const UnauthorizedCouncilError = revertClass("DocumentRegistryUnauthorizedCouncil", "UnauthorizedCouncilError", (a) => `${a[0]} is not the council: only an executed council proposal may do this.`);
export type UnauthorizedCouncilError = InstanceType<typeof UnauthorizedCouncilError>;
/** The new council is not a contract. */
export const InvalidCouncilError = revertClass("DocumentRegistryInvalidCouncil", "InvalidCouncilError", (a) => `${a[0]} is not a contract and cannot become the council.`);
export type InvalidCouncilError = InstanceType<typeof InvalidCouncilError>;

// ---------------------------------------------------------------- Council

/** The caller is not a governor of the council. */
export const NotGovernorError = revertClass("CouncilNotGovernor", "NotGovernorError", (a) => `${a[0]} is not a governor of the council.`);
export type NotGovernorError = InstanceType<typeof NotGovernorError>;
/** Only an executed proposal may change the council. */
export const OnlyCouncilError = revertClass("CouncilOnlySelf", "OnlyCouncilError", (a) => `${a[0]} may not do this: only the council itself, through an executed proposal, may.`);
export type OnlyCouncilError = InstanceType<typeof OnlyCouncilError>;
/** No such proposal. */
export const UnknownProposalError = revertClass("CouncilUnknownProposal", "UnknownProposalError", (a) => `There is no proposal ${a[0]}.`);
export type UnknownProposalError = InstanceType<typeof UnknownProposalError>;
/** The proposal was executed already. */
export const AlreadyExecutedError = revertClass("CouncilAlreadyExecuted", "AlreadyExecutedError", (a) => `Proposal ${a[0]} was executed already.`);
export type AlreadyExecutedError = InstanceType<typeof AlreadyExecutedError>;
/** The proposal expired. */
export const ProposalExpiredError = revertClass("CouncilProposalExpired", "ProposalExpiredError", (a) => `Proposal ${a[0]} expired at ${new Date(Number(a[1]) * 1000).toISOString()}.`);
export type ProposalExpiredError = InstanceType<typeof ProposalExpiredError>;
/** The governor approved the proposal already. */
export const ProposalAlreadyApprovedError = revertClass("CouncilAlreadyApproved", "ProposalAlreadyApprovedError", (a) => `${a[1]} already approved proposal ${a[0]}.`);
export type ProposalAlreadyApprovedError = InstanceType<typeof ProposalAlreadyApprovedError>;
/** The governor has not approved the proposal (nothing to withdraw). */
export const ProposalNotApprovedError = revertClass("CouncilNotApproved", "ProposalNotApprovedError", (a) => `${a[1]} has not approved proposal ${a[0]}.`);
export type ProposalNotApprovedError = InstanceType<typeof ProposalNotApprovedError>;
/** The proposal lacks approvals. */
export const BelowThresholdError = revertClass("CouncilBelowThreshold", "BelowThresholdError", (a) => `Proposal ${a[0]} has ${a[1]} of the ${a[2]} approvals it needs.`);
export type BelowThresholdError = InstanceType<typeof BelowThresholdError>;
/** A proposal makes at least one call. */
export const EmptyProposalError = revertClass("CouncilEmptyProposal", "EmptyProposalError", () => "A proposal must make at least one call.");
export type EmptyProposalError = InstanceType<typeof EmptyProposalError>;
/** The threshold does not fit the council. */
export const InvalidThresholdError = revertClass("CouncilInvalidThreshold", "InvalidThresholdError", (a) => `A threshold of ${a[0]} does not fit a council of ${a[1]}: it must be at least 2 (1 for a council of one) and at most the number of governors.`);
export type InvalidThresholdError = InstanceType<typeof InvalidThresholdError>;
/** The account is a governor already, or the zero address. */
export const GovernorUnavailableError = revertClass("CouncilGovernorUnavailable", "GovernorUnavailableError", (a) => `${a[0]} cannot become a governor: it is one already, or is the zero address.`);
export type GovernorUnavailableError = InstanceType<typeof GovernorUnavailableError>;
/** The proposal lifetime is out of range. */
export const InvalidLifetimeError = revertClass("CouncilInvalidLifetime", "InvalidLifetimeError", (a) => `A proposal lifetime of ${a[0]} s is outside one hour to one year.`);
export type InvalidLifetimeError = InstanceType<typeof InvalidLifetimeError>;
/** A call of the proposal targets an account without contract code. */
export const TargetNotContractError = revertClass("CouncilTargetNotContract", "TargetNotContractError", (a) => `Call ${a[1]} of proposal ${a[0]} targets ${a[2]}, which is not a contract (no code, or an EIP-7702 delegation).`);
export type TargetNotContractError = InstanceType<typeof TargetNotContractError>;
/** A call of the proposal reverted with a reason no interface given to the SDK decodes. */
export const CallFailedError = revertClass("CouncilCallFailed", "CallFailedError", (a) => `Call ${a[1]} of proposal ${a[0]} failed (${a[2]}).`);
export type CallFailedError = InstanceType<typeof CallFailedError>;
/** The council holds the most governors allowed. */
export const TooManyGovernorsError = revertClass("CouncilTooManyGovernors", "TooManyGovernorsError", (a) => `The council already has ${a[0]} governors, the most allowed.`);
export type TooManyGovernorsError = InstanceType<typeof TooManyGovernorsError>;
/** A proposal makes too many calls. */
export const TooManyCallsError = revertClass("CouncilTooManyCalls", "TooManyCallsError", (a) => `A proposal of ${a[0]} calls is more than the ${a[1]} allowed.`);
export type TooManyCallsError = InstanceType<typeof TooManyCallsError>;
/** Removing the governor would leave the council too small. */
export const TooFewGovernorsError = revertClass("CouncilTooFewGovernors", "TooFewGovernorsError", (a) => `Removing this governor would leave ${a[0]}, fewer than the ${a[1]} a council needs: add another governor first.`);
export type TooFewGovernorsError = InstanceType<typeof TooFewGovernorsError>;

// ---------------------------------------------------------------- Forwarder (relayed requests)

/** The relayed request's signature is not the member's. */
export const InvalidSignerError = revertClass("ERC2771ForwarderInvalidSigner", "InvalidSignerError", (a) => `The request claims to come from ${a[1]} but was signed by ${a[0]}.`);
export type InvalidSignerError = InstanceType<typeof InvalidSignerError>;
/** The relayed request's deadline passed. */
export const ExpiredRequestError = revertClass("ERC2771ForwarderExpiredRequest", "ExpiredRequestError", (a) => `The signed request expired at ${new Date(Number(a[0]) * 1000).toISOString()}.`);
export type ExpiredRequestError = InstanceType<typeof ExpiredRequestError>;
/** The relayed request carries a value other than what was sent with it. */
export const MismatchedValueError = revertClass("ERC2771ForwarderMismatchedValue", "MismatchedValueError", (a) => `The request asks for ${a[0]} wei but ${a[1]} was sent.`);
export type MismatchedValueError = InstanceType<typeof MismatchedValueError>;
/** The relayed request's target does not trust the forwarder. */
export const UntrustfulTargetError = revertClass("ERC2771UntrustfulTarget", "UntrustfulTargetError", (a) => `${a[0]} does not accept requests relayed by ${a[1]}.`);
export type UntrustfulTargetError = InstanceType<typeof UntrustfulTargetError>;

// ---------------------------------------------------------------- DocumentReferences

/** The account filing a reference belongs to no active member organisation. */
export const ReferenceNotMemberError = revertClass("DocumentReferencesNotMember", "ReferenceNotMemberError", (a) => `${a[0]} is not an account of an active member organisation: it cannot file documents under their numbers.`);
export type ReferenceNotMemberError = InstanceType<typeof ReferenceNotMemberError>;
/** A call filed no reference, or more than one call may, or documents and commitments differ in number. */
export const ReferenceBadLengthError = revertClass("DocumentReferencesBadLength", "ReferenceBadLengthError", (a) => `${a[0]} documents and ${a[1]} references: give each document one reference, 1 to 1,024 a call.`);
export type ReferenceBadLengthError = InstanceType<typeof ReferenceBadLengthError>;

/** A number given to the contract does not fit the field it is stored in (OpenZeppelin SafeCast). */
export const NumberTooLargeError = revertClass("SafeCastOverflowedUintDowncast", "NumberTooLargeError", (a) => `${a[1]} does not fit in ${a[0]} bits.`);
export type NumberTooLargeError = InstanceType<typeof NumberTooLargeError>;

const STATUS_NAMES = ["NONE", "PENDING", "VALID", "REVOKED", "SUPERSEDED"];
const statusName = (s: unknown) => STATUS_NAMES[Number(s)] ?? String(s);

/** The class of each custom error of the contracts, by the error's name in their ABIs. */
export const REVERT_CLASSES: ReadonlyMap<string, RevertClass> = new Map(
  [NotMemberError, OrganisationSuspendedError, NotIssuerError, NotAttesterError, NotIssuingOrganisationError, ZeroHashError, AlreadyAnchoredError, UnknownAnchorError, NotPendingError, AlreadyApprovedError, AlreadyRevokedError, NotSupersedableError, InvalidSuccessorError, NotBatchError, InvalidProofError, EmptyBatchError, UnsortedLeavesError, InvalidOutcomeError, UnknownOrganisationError, AccountUnavailableError, InvalidCountryError, InvalidKindError, InvalidNameError, InvalidPolicyError, TooManyAccountsError, PageTooLargeError, UnauthorizedCouncilError, InvalidCouncilError, NotGovernorError, OnlyCouncilError, UnknownProposalError, AlreadyExecutedError, ProposalExpiredError, ProposalAlreadyApprovedError, ProposalNotApprovedError, BelowThresholdError, EmptyProposalError, InvalidThresholdError, GovernorUnavailableError, InvalidLifetimeError, TargetNotContractError, CallFailedError, TooManyGovernorsError, TooManyCallsError, TooFewGovernorsError, InvalidSignerError, ExpiredRequestError, MismatchedValueError, UntrustfulTargetError, NumberTooLargeError, ReferenceNotMemberError, ReferenceBadLengthError].map((C) => [C.errorName, C]),
);

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
  const Class = REVERT_CLASSES.get(errorName) ?? ContractRevertError;
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
