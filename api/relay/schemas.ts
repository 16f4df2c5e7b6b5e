// The relayed writes' schemas: what POST /v1/requests/prepare takes and gives, a signed request, its state and receipts.
import { ATTESTATION_REASONS, parseAttestationReason } from "../../sdk/index.js";
import { Address, DocTypeCode, Hash, Hex, Outcome, Receipt, Uint, z } from "../schemas.js";

export const ForwardRequest = z
  .object({
    from: Address, to: Address, value: Uint, gas: Uint, nonce: Uint,
    deadline: z.number().int().positive().max(2 ** 48 - 1, "at most 2^48 - 1 (uint48, seconds since 1970)"), data: Hex,
  })
  .openapi("ForwardRequest");

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

export const RelayedReceipts = z
  .object({
    anchor: z.object({
      root: Hash, docType: z.string(), chainId: z.number().int(), registry: Address, txHash: Hash, blockNumber: z.number().int(), anchoredAt: z.string(), issuer: Address,
    }),
    receipts: z.array(Receipt).optional().openapi({ description: "For register and registerPublicBatch; a private batch's proofs come from the member's own tree" }),
  })
  .openapi("RelayedReceipts");
