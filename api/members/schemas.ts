// The members' schemas: organisations with their accounts, and the document-type policies in force.
import { Address, OrgKind, z } from "../schemas.js";

export const Organisation = z
  .object({ id: z.number().int(), name: z.string(), country: z.string(), kind: OrgKind, status: z.enum(["ACTIVE", "SUSPENDED"]), accounts: z.array(Address) })
  .openapi("Organisation");

const PolicyRule = { issuers: z.array(OrgKind), approvals: z.number().int().min(1) };
export const Policies = z
  .object({
    default: z.object(PolicyRule),
    types: z.array(z.object({ docType: z.object({ code: z.string(), name: z.string().optional() }), ...PolicyRule })),
  })
  .openapi("Policies");
