// The audit schemas: a document's history and the indexed events with their filters.
import { ALL_ACTIONS } from "../indexer/decode.js";
import { Address, DocTypeCode, Hash, IsoTime, z } from "../schemas.js";

export const HistoryEntry = z
  .object({
    action: z.enum(["REGISTERED", "BATCH_REGISTERED", "APPROVED", "REVOKED", "BATCH_DOCUMENT_REVOKED", "SUPERSEDED", "ATTESTED"]),
    anchor: Hash, docHash: Hash.optional(), account: Address, organisation: z.number().int(), organisationName: z.string().optional(), blockNumber: z.number().int(),
    txHash: Hash, logIndex: z.number().int(), at: IsoTime, details: z.record(z.string(), z.unknown()),
  })
  .openapi("HistoryEntry");

export const AuditEvent = z
  .object({
    blockNumber: z.number().int(), logIndex: z.number().int(), txHash: Hash, at: IsoTime, contract: z.enum(["registry", "council", "references"]),
    event: z.string(), action: z.string(), anchor: Hash.optional(), docHash: Hash.optional(), related: Hash.optional(),
    organisation: z.number().int().optional(),
    organisationName: z.string().optional(), organisationCountry: z.string().optional(), organisationKind: z.string().optional(),
    account: Address.optional(), docType: z.string().optional(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditEvent");

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
