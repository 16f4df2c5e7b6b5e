// Documents by the number printed on them: the caller sends the number's commitment, never the number.
import { onChain } from "../chain.js";
import { ApiError, notFound } from "../errors.js";
import { passThrough, perMinuteLimit, route, type RouteContext } from "../http.js";
import * as S from "../schemas.js";
import { ReferencedDocuments } from "./schemas.js";

const { z } = S;

export function referenceRoutes({ v1, registry, deps, err }: RouteContext): void {
  const { config, chain, documents } = deps;
  // A tenth of the general budget: each lookup is a guess at a number, so their pace bounds someone trying numbers in turn.
  const perMinute = config.rateLimitPerMinute > 0 ? Math.max(10, Math.floor(config.rateLimitPerMinute / 10)) : 0;
  const referenceLimiter = perMinuteLimit(perMinute, "Too many lookups by number; slow down.", { store: deps.store, prefix: "references:", beforeClose: deps.beforeClose }) ?? passThrough;
  route(v1, registry, {
    method: "get", path: "/references/:organisation/:commitment",
    summary: "Documents an organisation filed under a number: the number's commitment is computed by the caller (README, references)", tags: ["reads"],
    middleware: [referenceLimiter],
    schema: { params: z.object({ organisation: z.coerce.number().int().min(1).max(16_777_215), commitment: S.Hash }) },
    responses: {
      200: { description: "The organisation, and each document filed under the commitment with its verification result, newest first (none: an empty list)", schema: ReferencedDocuments },
      404: err("No organisation has this number"), 501: err("This ledger's deployment has no references contract"),
    },
    handler: async (req) => {
      const { organisation, commitment } = req.params;
      if (!chain.deployment.references) throw new ApiError(501, "REFERENCES_UNAVAILABLE", "This ledger's deployment has no references contract: documents cannot be found by number.");
      const count = Number(await onChain(() => chain.registry.organisationCount()));
      if (organisation > count) throw notFound("UNKNOWN_ORGANISATION", `No organisation has the number ${organisation} (there are ${count}).`);
      const [info, filed] = await Promise.all([
        onChain(() => chain.registry.organisation(organisation)),
        config.indexer ? documents.byReference(organisation, commitment) : onChain(async () => (await chain.sdk()).findByCommitment(organisation, commitment)),
      ]);
      return { organisation: { id: organisation, name: info.name }, commitment, documents: filed };
    },
  });
}
