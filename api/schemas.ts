import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { ATTESTATION_REASONS, docTypeName, parseAttestationReason } from "../sdk/index.js";
import { ALL_ACTIONS } from "./indexer/decode.js";

extendZodWithOpenApi(z);

/** Marker message: the validator answers INVALID_HASH (not VALIDATION_FAILED) for these. */
export const INVALID_HASH = "INVALID_HASH";

export const Hash = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, { error: INVALID_HASH })
  .transform((h) => h.toLowerCase() as `0x${string}`)
  .openapi({ type: "string", pattern: "^0x[0-9a-f]{64}$", example: "0x5f0c6e1c4b3a2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e" });
export const Address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, { error: "not a 0x-prefixed 20-byte address" })
  .transform((a) => a.toLowerCase() as `0x${string}`)
  .openapi({ type: "string", pattern: "^0x[0-9a-fA-F]{40}$" });
export const Hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, { error: "not 0x-prefixed hex bytes" }).openapi({ type: "string" });
export const DocTypeCode = z
  .union([z.string().regex(/^\d{1,5}$/), z.number().int()])
  .transform((v) => Number(v))
  .pipe(z.number().int().refine((code) => docTypeName(code) !== undefined, { error: "not a UNTDID 1001 document name code" }))
  .openapi({ type: "string", example: "861", description: "UNTDID 1001 document name code (the list DESIGN.md names)" });
const UINT256_MAX = 2n ** 256n - 1n;
const Uint = z
  .union([z.string().regex(/^\d{1,78}$/, "a whole number in decimal"), z.number().int().nonnegative()])
  .refine((v) => BigInt(v) <= UINT256_MAX, "at most 2^256 - 1 (uint256)")
  .transform((v) => String(v))
  .openapi({ type: "string" });

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).openapi("Error");

const OrgKind = z.enum(["TRADER", "ISSUING_AUTHORITY", "CUSTOMS", "AGENCY", "AUDITOR"]);
const IsoTime = z.string().openapi({ example: "2026-11-23T10:00:00Z" });

export const VerificationResult = z
  .object({
    docHash: Hash,
    status: z.enum(["VALID", "PENDING", "REVOKED", "SUPERSEDED", "NOT_FOUND"]),
    docType: z.object({ code: z.string(), name: z.string() }).optional(),
    issuer: z.object({ account: Address, organisation: z.string(), country: z.string(), kind: OrgKind, status: z.enum(["ACTIVE", "SUSPENDED"]) }).optional(),
    anchoredAt: IsoTime.optional(),
    blockNumber: z.number().int().optional(),
    txHash: Hash.optional(),
    approvals: z.object({ required: z.number().int(), given: z.number().int() }).optional(),
    batch: z.object({ root: Hash, public: z.boolean() }).optional(),
    supersededBy: Hash.optional(),
    revokedAt: IsoTime.optional(),
    revocationReason: z.string().optional(),
    attestations: z
      .array(
        z.object({
          by: Address, organisation: z.string(), outcome: z.enum(["ACCEPTED", "REJECTED", "INSPECTED"]), at: IsoTime,
          reason: z.object({ code: z.number().int(), name: z.string().optional() }).optional().openapi({ description: "Why, when the outcome gave a reason; `name` for a listed one." }),
        }),
      )
      .optional(),
    attestationsTotal: z.number().int().optional().openapi({ description: "Only when `attestations` lists the latest of more outcomes than the answer holds: how many there are in all (the document's history has every one)." }),
  })
  .openapi("VerificationResult", { description: "The normative verification result of DESIGN.md; fields that do not apply are left out." });

export const HistoryEntry = z
  .object({
    action: z.enum(["REGISTERED", "BATCH_REGISTERED", "APPROVED", "REVOKED", "BATCH_DOCUMENT_REVOKED", "SUPERSEDED", "ATTESTED"]),
    anchor: Hash, docHash: Hash.optional(), account: Address, organisation: z.number().int(), organisationName: z.string().optional(), blockNumber: z.number().int(),
    txHash: Hash, logIndex: z.number().int(), at: IsoTime, details: z.record(z.string(), z.unknown()),
  })
  .openapi("HistoryEntry");

export const Organisation = z
  .object({ id: z.number().int(), name: z.string(), country: z.string(), kind: OrgKind, status: z.enum(["ACTIVE", "SUSPENDED"]), accounts: z.array(Address) })
  .openapi("Organisation");

export const AuditEvent = z
  .object({
    blockNumber: z.number().int(), logIndex: z.number().int(), txHash: Hash, at: IsoTime, contract: z.enum(["registry", "council"]),
    event: z.string(), action: z.string(), anchor: Hash.optional(), docHash: Hash.optional(), related: Hash.optional(),
    organisation: z.number().int().optional(),
    organisationName: z.string().optional(), organisationCountry: z.string().optional(), organisationKind: z.string().optional(),
    account: Address.optional(), docType: z.string().optional(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditEvent");

const PolicyRule = { issuers: z.array(OrgKind), approvals: z.number().int().min(1) };
export const Policies = z
  .object({
    default: z.object(PolicyRule),
    types: z.array(z.object({ docType: z.object({ code: z.string(), name: z.string().optional() }), ...PolicyRule })),
  })
  .openapi("Policies");

export const ForwardRequest = z
  .object({
    from: Address, to: Address, value: Uint, gas: Uint, nonce: Uint,
    deadline: z.number().int().positive().max(2 ** 48 - 1, "at most 2^48 - 1 (uint48, seconds since 1970)"), data: Hex,
  })
  .openapi("ForwardRequest");

export const Outcome = z.enum(["ACCEPTED", "REJECTED", "INSPECTED"]);
const Reason = z.string().min(1).max(1_000);
/** Why an outcome was recorded: a listed reason's id or code, or an administration's own code (1,000 to 65,535). */
const AttestationReason = z
  .union([z.string().max(64), z.number().int()])
  .superRefine((value, ctx) => {
    try {
      parseAttestationReason(value);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
    }
  })
  .openapi({ description: `A listed reason (${ATTESTATION_REASONS.map((r) => `${r.id} = ${r.code}`).join(", ")}) by id or code, or a code of the administration's own from 1000 to 65535.` });

/** The writes POST /v1/requests/prepare can build; `from` is the member who will sign. */
export const PrepareBody = z
  .discriminatedUnion("action", [
    z.object({ action: z.literal("register"), from: Address, docHash: Hash, docType: DocTypeCode }),
    z.object({ action: z.literal("registerBatch"), from: Address, root: Hash, count: z.number().int().min(1), docType: DocTypeCode }),
    z.object({ action: z.literal("registerPublicBatch"), from: Address, docHashes: z.array(Hash).min(1).max(5_000), docType: DocTypeCode }),
    z.object({ action: z.literal("approve"), from: Address, anchor: Hash }),
    z.object({ action: z.literal("revoke"), from: Address, anchor: Hash, reason: Reason }),
    z.object({ action: z.literal("revokeInBatch"), from: Address, root: Hash, docHash: Hash, proof: z.array(Hash).max(64), reason: Reason }),
    z.object({ action: z.literal("supersede"), from: Address, oldAnchor: Hash, newAnchor: Hash }),
    z
      .object({
        action: z.literal("fileReferences"), from: Address,
        anchor: Hash.openapi({ description: "The document itself (registered alone), or the root of its public batch" }),
        references: z
          .array(z.object({ docHash: Hash, scheme: z.string().max(20), id: z.string().max(100).openapi({ description: "The number as printed on the document" }) }))
          .min(1)
          .max(1_024),
      })
      .openapi({ description: "File documents the member's organisation registered under the numbers printed on them (only commitments go on chain)" }),
    z.object({
      action: z.literal("attest"), from: Address, docHash: Hash, outcome: Outcome, reason: AttestationReason.optional(),
      reasonCode: z.number().int().min(0).max(65_535).optional().openapi({ description: "The reason as a number, as before `reason` took ids; `reason` wins." }),
    }),
  ])
  .openapi("PrepareRequest");

export const PreparedRequest = z
  .object({
    domain: z.object({ name: z.string(), version: z.string(), chainId: z.number().int(), verifyingContract: Address }),
    types: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string() }))),
    primaryType: z.literal("ForwardRequest"),
    message: ForwardRequest,
  })
  .openapi("PreparedRequest");

export const RelayedRequest = z
  .object({
    id: z.string(), status: z.enum(["queued", "submitted", "mined", "failed"]), from: Address, to: Address, nonce: z.string(),
    deadline: z.number().int(), txHash: Hash.optional(), blockNumber: z.number().int().optional(), code: z.string().optional(),
    reason: z.string().optional(), createdAt: z.string(), updatedAt: z.string(),
  })
  .openapi("RelayedRequest");

export const Receipt = z
  .object({
    type: z.literal("tradeproof-receipt/v1"), docHash: Hash, docType: z.string(), root: Hash, proof: z.array(Hash), chainId: z.number().int(),
    registry: Address, txHash: Hash, blockNumber: z.number().int(), anchoredAt: z.string(), issuer: Address,
  })
  .openapi("Receipt", { description: "DESIGN.md's receipt, one per anchored document" });

export const RelayedReceipts = z
  .object({
    anchor: z.object({
      root: Hash, docType: z.string(), chainId: z.number().int(), registry: Address, txHash: Hash, blockNumber: z.number().int(), anchoredAt: z.string(), issuer: Address,
    }),
    receipts: z.array(Receipt).optional().openapi({ description: "For register and registerPublicBatch; a private batch's proofs come from the member's own tree" }),
  })
  .openapi("RelayedReceipts");

export const AuditQuery = z.object({
  organisation: z.coerce.number().int().min(1).optional(),
  docType: DocTypeCode.optional(),
  action: z.enum(ALL_ACTIONS as [string, ...string[]]).optional(),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601, inclusive" }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601, inclusive" }),
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  format: z.enum(["json", "csv"]).default("json"),
});

export { z };

/** What `GET /v1/references/:organisation/:commitment` answers. */
export const ReferencedDocuments = z
  .object({
    organisation: z.object({ id: z.number().int(), name: z.string() }),
    commitment: Hash,
    documents: z.array(
      z.object({
        result: VerificationResult,
        anchor: Hash.openapi({ description: "The document itself, or the root of its public batch" }),
        txHash: Hash.openapi({ description: "The transaction that filed the document under the reference" }),
        blockNumber: z.number().int(),
      }),
    ),
  })
  .openapi("ReferencedDocuments");
