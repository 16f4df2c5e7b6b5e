// Relayed writes: build the EIP-712 request of a write, queue a signed one, follow it, and get its receipts.
import type { Hex } from "../../sdk/index.js";
import { notFound } from "../errors.js";
import { route, type RouteContext } from "../http.js";
import * as S from "../schemas.js";
import { prepareRequest, type PrepareAction } from "./prepare.js";
import { relayedReceipts } from "./receipts.js";
import { ForwardRequest, PrepareBody, PreparedRequest, RelayedReceipts, RelayedRequest } from "./schemas.js";

const { z } = S;

export function relayRoutes({ v1, registry, deps, limiter, requireRelayer, json, err }: RouteContext): void {
  const { config, chain, queue, worker, indexer } = deps;
  route(v1, registry, {
    method: "post", path: "/requests/prepare", summary: "Build the EIP-712 ForwardRequest of a write", tags: ["writes"], middleware: [limiter], body: json,
    schema: { body: PrepareBody },
    responses: { 200: { description: "Typed data to sign", schema: PreparedRequest }, 422: err("The ledger would refuse this write") },
    handler: async (req) => {
      const { from, ...action } = req.body;
      return prepareRequest(chain, queue, from, action as PrepareAction, { ttlSec: config.requestTtlSec, limits: config.limits });
    },
  });
  route(v1, registry, {
    method: "post", path: "/requests", summary: "Queue a signed ForwardRequest for relaying", tags: ["writes"], middleware: [limiter, requireRelayer], body: json,
    schema: { body: z.object({ request: ForwardRequest, signature: S.Hex }) },
    responses: { 202: { description: "Queued", schema: z.object({ id: z.string(), status: z.literal("queued") }) }, 403: err("Not an active member"), 409: err("Stale nonce"), 422: err("The ledger would refuse this write") },
    handler: async (req, res) => {
      const id = await queue.submit(req.body.request as never, req.body.signature as Hex);
      worker?.nudge();
      res.status(202).location(`/v1/requests/${id}`).json({ id, status: "queued" });
    },
  });
  route(v1, registry, {
    method: "get", path: "/requests/:id", summary: "State of a relayed request", tags: ["writes"],
    schema: { params: z.object({ id: z.uuid() }) },
    responses: { 200: { description: "Request", schema: RelayedRequest }, 404: err("Unknown id") },
    handler: async (req) => {
      const r = await queue.get(req.params.id);
      if (!r) throw notFound("REQUEST_NOT_FOUND", "No request has this id.");
      // Read your writes on every instance: one that did not relay the request may not have seen the block that mined
      // it; it moves its head (and so its read cache) there before saying so, with a sync that starts after the block
      // (one under way may have read the head before it). The relaying instance already has.
      if (config.indexer && r.blockNumber !== undefined && (indexer.head ?? -1) < r.blockNumber) await indexer.catchUp(r.blockNumber).catch(() => undefined);
      return r;
    },
  });
  route(v1, registry, {
    method: "get", path: "/requests/:id/receipts", summary: "Receipts of a mined relayed write", tags: ["writes"], middleware: [limiter],
    schema: { params: z.object({ id: z.uuid() }) },
    responses: {
      200: { description: "The anchor, and a receipt per document (register, registerPublicBatch)", schema: RelayedReceipts },
      404: err("Unknown id"), 409: err("Not mined (yet), or not an anchoring write"),
    },
    handler: async (req) => {
      const row = await queue.row(req.params.id);
      if (!row) throw notFound("REQUEST_NOT_FOUND", "No request has this id.");
      return relayedReceipts(chain, row);
    },
  });
}
