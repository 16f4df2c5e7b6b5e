/** A 0x-prefixed hex string: a document hash, an address, a transaction hash. */
export type Hex = `0x${string}`;

/** What kind of organisation a member is (the registry's `OrgKind` without NONE). */
export type OrgKind = "TRADER" | "ISSUING_AUTHORITY" | "CUSTOMS" | "AGENCY" | "AUDITOR";

/** Effective status of a document. */
export type Status = "VALID" | "PENDING" | "REVOKED" | "SUPERSEDED" | "NOT_FOUND";

/** Outcome of a border agency's verification. */
export type Outcome = "ACCEPTED" | "REJECTED" | "INSPECTED";

/** The registry's enums, in the contract's order (the order is part of the ABI). */
export const ORG_KINDS = ["NONE", "TRADER", "ISSUING_AUTHORITY", "CUSTOMS", "AGENCY", "AUDITOR"] as const;
export const STATUSES = ["NOT_FOUND", "PENDING", "VALID", "REVOKED", "SUPERSEDED"] as const;
export const ANCHOR_KINDS = ["NONE", "SINGLE", "PRIVATE_BATCH", "PUBLIC_BATCH"] as const;
export const OUTCOMES = ["NONE", "ACCEPTED", "REJECTED", "INSPECTED"] as const;

/**
 * The normative verification result (DESIGN.md): the same shape from the SDK, the CLI's `--json` and the API.
 * Fields that do not apply are left out, never null.
 */
export interface VerificationResult {
  /** The document hash asked about. */
  docHash: Hex;
  /** Effective status of the document. */
  status: Status;
  /** UNTDID 1001 code and name of the document type. */
  docType?: { code: string; name: string };
  /** The account that anchored the document and its organisation as it is now. */
  issuer?: { account: Hex; organisation: string; country: string; kind: OrgKind; status: "ACTIVE" | "SUSPENDED" };
  /** When the anchor was mined, ISO 8601 UTC without milliseconds. */
  anchoredAt?: string;
  /** Block of the anchoring transaction. */
  blockNumber?: number;
  /** The anchoring transaction. */
  txHash?: Hex;
  /** Countersignatures, only for document types that need more than one approval. */
  approvals?: { required: number; given: number };
  /** The batch the document was anchored in, when it was not anchored alone. */
  batch?: { root: Hex; public: boolean };
  /** The anchor that replaced this one. */
  supersededBy?: Hex;
  /** When the document (or its whole batch) was revoked. */
  revokedAt?: string;
  /** The reason given when it was revoked. */
  revocationReason?: string;
  /**
   * Outcomes recorded by customs and agencies, oldest first: all of them, or the latest
   * {@link MAX_LISTED_ATTESTATIONS} when there are more (then `attestationsTotal` says how many there are).
   */
  attestations?: {
    by: Hex;
    organisation: string;
    outcome: Outcome;
    at: string;
    /** Why, when the outcome gave a reason: its code, and its name when it is a listed one ({@link ATTESTATION_REASONS}). */
    reason?: { code: number; name?: string };
  }[];
  /** Only when `attestations` lists the latest of more: how many outcomes were recorded in all (history has every one). */
  attestationsTotal?: number;
}

/** The most outcomes a verification result lists: a document's status stays cheap to read whatever members attach to it. */
export const MAX_LISTED_ATTESTATIONS = 100;

/** A member organisation. */
export interface Organisation {
  id: number;
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  kind: OrgKind;
  status: "ACTIVE" | "SUSPENDED";
  /** Its current signing accounts. */
  accounts: Hex[];
}

/** One lifecycle event of a document, as read from the chain. */
export interface HistoryEntry {
  action: "REGISTERED" | "BATCH_REGISTERED" | "APPROVED" | "REVOKED" | "BATCH_DOCUMENT_REVOKED" | "SUPERSEDED" | "ATTESTED";
  /** The anchor the event is about (the document hash, or the batch root). */
  anchor: Hex;
  /** The document, for document-level events (REGISTERED, BATCH_DOCUMENT_REVOKED, ATTESTED). */
  docHash?: Hex;
  /** The acting account. */
  account: Hex;
  /** The acting account's organisation id. */
  organisation: number;
  /** That organisation's name, as it was admitted (absent where it is not known). */
  organisationName?: string;
  blockNumber: number;
  txHash: Hex;
  logIndex: number;
  /** Block time, ISO 8601 UTC without milliseconds. */
  at: string;
  /** The event's other fields (docType, status, reason, oldAnchor, newAnchor, outcome, reasonCode, ...). */
  details: Record<string, unknown>;
}

/** A mined transaction. */
export interface TxInfo {
  txHash: Hex;
  blockNumber: number;
}

/** A council proposal as seen by auditors. */
export interface ProposalInfo {
  id: bigint;
  proposer: Hex;
  createdAt: string;
  expiresAt: string;
  executed: boolean;
  /** Approvals from current governors. */
  approvals: number;
  description: string;
  calls: { target: Hex; data: Hex }[];
}

/**
 * Seconds since the epoch → ISO 8601 UTC without milliseconds, the normative time format.
 *
 * @example
 * ```ts
 * import { isoSeconds } from "./sdk/index.js";
 * isoSeconds(1795428000); // "2026-11-23T10:00:00Z"
 * ```
 */
export function isoSeconds(seconds: number | bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
