// The schema of a lookup by the number printed on a document.
import { Hash, VerificationResult, z } from "../schemas.js";

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
