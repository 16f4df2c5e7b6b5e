// Documents and verification: a document by its hash, a file hashed here, many hashes, a document with its receipt.
import type express from "express";
import type { Receipt } from "../../sdk/index.js";
import { onChain } from "../chain.js";
import { unprocessable } from "../errors.js";
import { route, type RouteContext } from "../http.js";
import * as S from "../schemas.js";
import { NOT_FOUND_HINT } from "./documents.js";
import { FILE_TYPES, hashUploadedFile } from "./uploaded-file.js";

const { z } = S;

/** A NOT_FOUND result goes out with the hint that a private batch's document needs its receipt. */
function withHint<T extends { status: string }>(res: express.Response, result: T): T {
  if (result.status === "NOT_FOUND") res.setHeader(...NOT_FOUND_HINT);
  return result;
}

export function documentRoutes({ v1, registry, deps, limiter, json, err }: RouteContext): void {
  const { config, chain, documents } = deps;
  const DocParams = z.object({ docHash: S.Hash });
  route(v1, registry, {
    // Well-formed requests are answered by the hot path (api/documents/hot-path.ts), the same way: keep the two in step.
    method: "get", path: "/documents/:docHash", summary: "Verify a document by its hash", tags: ["reads"], middleware: [limiter],
    schema: { params: DocParams },
    responses: { 200: { description: "Verification result", schema: S.VerificationResult } },
    handler: async (req, res) => withHint(res, (await documents.verify([req.params.docHash]))[0]!),
  });
  route(v1, registry, {
    method: "post", path: "/verify", summary: "Verify a file: hashed here (JCS for JSON), never stored", tags: ["reads"], middleware: [limiter],
    body: { kind: "stream", limit: config.fileLimitBytes, types: FILE_TYPES }, schema: {},
    responses: { 200: { description: "Verification result", schema: S.VerificationResult }, 413: err("File too large"), 415: err("Unsupported content type") },
    handler: async (req, res) => {
      const docHash = await hashUploadedFile(req, config.fileLimitBytes);
      return withHint(res, (await documents.verify([docHash]))[0]!);
    },
  });
  route(v1, registry, {
    method: "post", path: "/verify/batch", summary: "Verify up to 1,000 hashes in one call", tags: ["reads"], middleware: [limiter], body: json,
    schema: { body: z.object({ docHashes: z.array(S.Hash).min(1).max(1_000) }) },
    responses: { 200: { description: "Results, in order", schema: z.object({ results: z.array(S.VerificationResult) }) } },
    handler: async (req) => ({ results: await documents.verify(req.body.docHashes) }),
  });
  route(v1, registry, {
    method: "post", path: "/verify/receipt", summary: "Verify a document with its receipt (a private batch's document needs it)", tags: ["reads"],
    middleware: [limiter], body: json,
    schema: { body: z.object({ receipt: S.Receipt }) },
    responses: {
      200: { description: "Verification result: the contract checks the receipt's proof against its root", schema: S.VerificationResult },
      422: err("A receipt of another ledger"),
    },
    handler: async (req) => {
      const { receipt } = req.body;
      // A receipt names its ledger; the SDK would call another one a wrong chain, which here is the caller's input.
      if (receipt.chainId !== chain.deployment.chainId || receipt.registry !== chain.deployment.registry.toLowerCase()) {
        throw unprocessable("OTHER_LEDGER", `The receipt is of chain ${receipt.chainId}, registry ${receipt.registry}; this API serves chain ${chain.deployment.chainId}, registry ${chain.deployment.registry}.`);
      }
      const client = await chain.sdk();
      return onChain(() => client.verify(receipt.docHash, { receipt: receipt as Receipt }));
    },
  });
  // Lookups by number get a tenth of the general budget: each is a guess at a number, so their pace is what bounds
  // someone trying numbers in turn (the commitment itself can be computed by anyone who knows issuer and number).
}
