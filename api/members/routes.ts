// Members: the organisations with their accounts, and the document-type policies in force.
import type { Organisation } from "../../sdk/index.js";
import { onChain } from "../chain.js";
import { route, type RouteContext } from "../http.js";
import * as S from "../schemas.js";
import { Organisation as OrganisationSchema, Policies } from "./schemas.js";

const { z } = S;

export function memberRoutes({ v1, registry, deps, limiter }: RouteContext): void {
  const { config, chain, indexer } = deps;
  route(v1, registry, {
    method: "get", path: "/policies", summary: "Who may register each document type, and how many approvals it needs", tags: ["reads"], middleware: [limiter],
    schema: {},
    responses: { 200: { description: "The policies in force", schema: Policies } },
    handler: async () => onChain(async () => (await chain.sdk()).policies()),
  });
  let membersCache: { head: number; organisations: Organisation[] } | undefined;
  route(v1, registry, {
    method: "get", path: "/members", summary: "Member organisations and their accounts", tags: ["reads"], middleware: [limiter], schema: {},
    responses: { 200: { description: "Organisations", schema: z.object({ organisations: z.array(OrganisationSchema) }) } },
    handler: async () => {
      const head = config.indexer ? indexer.head : undefined;
      if (head === undefined || membersCache?.head !== head) {
        const client = await chain.sdk();
        const organisations = await onChain(() => client.members());
        membersCache = head === undefined ? undefined : { head, organisations };
        return { organisations };
      }
      return { organisations: membersCache.organisations };
    },
  });
}
