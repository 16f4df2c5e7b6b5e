import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { docTypeName } from "../sdk/index.js";

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
export const UINT256_MAX = 2n ** 256n - 1n;
export const Uint = z
  .union([z.string().regex(/^\d{1,78}$/, "a whole number in decimal"), z.number().int().nonnegative()])
  .refine((v) => BigInt(v) <= UINT256_MAX, "at most 2^256 - 1 (uint256)")
  .transform((v) => String(v))
  .openapi({ type: "string" });

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).openapi("Error");

export const OrgKind = z.enum(["TRADER", "ISSUING_AUTHORITY", "CUSTOMS", "AGENCY", "AUDITOR"]);
export const IsoTime = z.string().openapi({ example: "2026-11-23T10:00:00Z" });

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

export const Outcome = z.enum(["ACCEPTED", "REJECTED", "INSPECTED"]);
export const Receipt = z
  .object({
    type: z.literal("tradeproof-receipt/v1"), docHash: Hash, docType: z.string(), root: Hash, proof: z.array(Hash), chainId: z.number().int(),
    registry: Address, txHash: Hash, blockNumber: z.number().int(), anchoredAt: z.string(), issuer: Address,
    reference: z.object({ scheme: z.string(), id: z.string(), commitment: Hash }).optional().openapi({ description: "The number the document was filed under, when its issuer gave one" }),
  })
  .openapi("Receipt", { description: "DESIGN.md's receipt, one per anchored document" });

export { z };
