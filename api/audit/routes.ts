// Audit and history (customs, agencies and auditors, signed in): a document's history, the indexed events.
import { route, type RouteContext } from "../http.js";
import * as S from "../schemas.js";
import { auditCsv, queryAudit } from "./audit.js";
import { AuditEvent, AuditQuery, HistoryEntry } from "./schemas.js";

const { z } = S;

export function auditRoutes({ v1, registry, deps, requireAuditor, err }: RouteContext): void {
  const { store, documents } = deps;
  const DocParams = z.object({ docHash: S.Hash });
  route(v1, registry, {
    method: "get", path: "/documents/:docHash/history", summary: "A document's history and versions", tags: ["audit"], auth: true, middleware: [requireAuditor],
    schema: { params: DocParams },
    responses: { 200: { description: "History", schema: z.object({ docHash: S.Hash, entries: z.array(HistoryEntry), versions: z.array(S.Hash) }) }, 401: err("Not signed in"), 403: err("Not customs, agency or auditor") },
    handler: async (req) => ({ docHash: req.params.docHash, ...(await documents.history(req.params.docHash)) }),
  });
  route(v1, registry, {
    method: "get", path: "/audit/events", summary: "Indexed events with filters, cursor pagination and CSV export", tags: ["audit"], auth: true, middleware: [requireAuditor],
    schema: { query: AuditQuery },
    responses: {
      200: { description: "A page of events (JSON) or all matching events (CSV)", schema: z.object({ events: z.array(AuditEvent), nextCursor: z.string().optional() }) },
      401: err("Not signed in"), 403: err("Not customs, agency or auditor"),
    },
    handler: async (req, res) => {
      const q = req.query;
      const filter = {
        organisation: q.organisation, docType: q.docType, action: q.action, cursor: q.cursor,
        from: q.from ? Math.floor(Date.parse(q.from) / 1000) : undefined,
        to: q.to ? Math.floor(Date.parse(q.to) / 1000) : undefined,
      };
      if (q.format === "csv") {
        res.type("text/csv").attachment("tradeproof-audit.csv");
        for await (const line of auditCsv(store, filter)) res.write(line);
        res.end();
        return;
      }
      return queryAudit(store, { ...filter, limit: q.limit });
    },
  });
}
