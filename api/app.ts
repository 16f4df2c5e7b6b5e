import { existsSync } from "node:fs";
import type { RequestListener } from "node:http";
import { fileURLToPath } from "node:url";
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import express, { type RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";
import helmet from "helmet";
import type { Hex, Organisation, Receipt } from "../sdk/index.js";
import { auditCsv, queryAudit } from "./audit.js";
import { AUDIT_KINDS, roleRefused, type Session } from "./auth.js";
import { onChain } from "./chain.js";
import { NOT_FOUND_HINT } from "./documents.js";
import { ApiError, badRequest, notFound, unavailable, unprocessable } from "./errors.js";
import { staticHeaders, withHotPath, type RecordRequest } from "./hot-path.js";
import { errorHandler, route } from "./http.js";
import { prepareRequest, type PrepareAction } from "./relay/prepare.js";
import { relayedReceipts } from "./relay/receipts.js";
import * as S from "./schemas.js";
import { FILE_TYPES, hashUploadedFile } from "./uploaded-file.js";
import { webRoutes } from "./web/routes.js";
import type { Services } from "./services.js";

const { z } = S;
const WEB_DIR = fileURLToPath(new URL("./web/", import.meta.url));
const DOCS_DIR = fileURLToPath(new URL("./docs/", import.meta.url));
declare module "express-serve-static-core" {
  interface Request {
    session?: Session;
  }
}

/**
 * Builds the HTTP API over the services: security headers, structured request logs, Prometheus
 * metrics, rate limits on the open endpoints, one zod schema per route (also the source of the
 * OpenAPI document), and one error middleware that answers `{ error: { code, message } }`.
 * Returns the request listener: Express 5 behind a hot path (api/hot-path.ts) that answers
 * GET /v1/documents/:docHash without Express, with the same bytes.
 */
/** A NOT_FOUND result goes out with the hint that a private batch's document needs its receipt. */
function withHint<T extends { status: string }>(res: express.Response, result: T): T {
  if (result.status === "NOT_FOUND") res.setHeader(...NOT_FOUND_HINT);
  return result;
}

export function createApp(deps: Services): RequestListener {
  const { config, logger, store, chain, indexer, documents, auth, queue, worker, metrics } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false); // answers change with the chain, not with a client's cached copy
  app.set("trust proxy", false);
  app.set("query parser", "simple");
  const security = helmet();
  app.use(security);
  const record: RecordRequest = (method, routeLabel, status, path, seconds) => {
    metrics.requests.inc({ method, route: routeLabel, status });
    metrics.duration.observe({ method, route: routeLabel }, seconds);
    logger.info({ method, path, status, ms: Math.round(seconds * 1e4) / 10 }, "request");
  };
  app.use((req, res, next) => {
    const start = performance.now();
    res.on("finish", () => {
      // A route may answer from inside a router (/v1), which has cut its prefix off req.path into req.baseUrl.
      const routeLabel = req.route?.path ? `${req.baseUrl}${req.route.path}` : "unmatched";
      record(req.method, routeLabel, res.statusCode, `${req.baseUrl}${req.path}`, (performance.now() - start) / 1000);
    });
    next();
  });

  const rateLimiter: RequestHandler | undefined =
    config.rateLimitPerMinute > 0
      ? rateLimit({
          windowMs: 60_000, limit: config.rateLimitPerMinute, standardHeaders: "draft-8", legacyHeaders: false,
          handler: (_req, _res, next) => next(new ApiError(429, "RATE_LIMITED", "Too many requests; slow down.")),
        })
      : undefined;
  const limiter: RequestHandler = rateLimiter ?? ((_req, _res, next) => next());

  const requireAuditor: RequestHandler = async (req, _res, next) => {
    const session = await auth.authenticate(req.headers.authorization);
    const [org, kind, active] = await onChain(() => chain.registry.accountOf(session.address));
    if (org === 0n || !active || !AUDIT_KINDS.has(Number(kind))) throw roleRefused();
    req.session = session;
    next();
  };
  const requireRelayer: RequestHandler = (_req, _res, next) => {
    if (!worker) throw unavailable("RELAYER_DISABLED", "This API instance has no relayer key; writes are off.");
    next();
  };

  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "session", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  const v1 = express.Router();
  const json = { kind: "json" as const, limit: config.jsonLimitBytes };
  const err = (description: string) => ({ description, schema: S.ErrorBody });
  const DocParams = z.object({ docHash: S.Hash });

  route(v1, registry, {
    method: "get", path: "/auth/nonce", summary: "A single-use SIWE nonce", tags: ["auth"], schema: {}, middleware: [limiter],
    responses: { 200: { description: "Nonce", schema: z.object({ nonce: z.string(), expiresAt: z.string(), domain: z.string(), uri: z.string(), chainId: z.number() }) } },
    handler: () => ({ ...auth.issueNonce(), domain: auth.domain, uri: auth.origin, chainId: deps.deployment.chainId }),
  });
  route(v1, registry, {
    method: "post", path: "/auth/login", summary: "Sign in with Ethereum (EIP-4361)", tags: ["auth"], middleware: [limiter], body: json,
    schema: { body: z.object({ message: z.string().min(1).max(4_096), signature: S.Hex }) },
    responses: { 200: { description: "Session token", schema: z.object({ token: z.string(), address: S.Address, expiresAt: z.string() }) }, 401: err("Sign-in refused") },
    handler: (req) => auth.login(req.body.message, req.body.signature),
  });
  route(v1, registry, {
    method: "post", path: "/requests/prepare", summary: "Build the EIP-712 ForwardRequest of a write", tags: ["writes"], middleware: [limiter], body: json,
    schema: { body: S.PrepareBody },
    responses: { 200: { description: "Typed data to sign", schema: S.PreparedRequest }, 422: err("The ledger would refuse this write") },
    handler: async (req) => {
      const { from, ...action } = req.body;
      return prepareRequest(chain, queue, from, action as PrepareAction, { ttlSec: config.requestTtlSec, limits: config.limits });
    },
  });
  route(v1, registry, {
    method: "post", path: "/requests", summary: "Queue a signed ForwardRequest for relaying", tags: ["writes"], middleware: [limiter, requireRelayer], body: json,
    schema: { body: z.object({ request: S.ForwardRequest, signature: S.Hex }) },
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
    responses: { 200: { description: "Request", schema: S.RelayedRequest }, 404: err("Unknown id") },
    handler: (req) => queue.get(req.params.id) ?? (() => { throw notFound("REQUEST_NOT_FOUND", "No request has this id."); })(),
  });
  route(v1, registry, {
    method: "get", path: "/requests/:id/receipts", summary: "Receipts of a mined relayed write", tags: ["writes"], middleware: [limiter],
    schema: { params: z.object({ id: z.uuid() }) },
    responses: {
      200: { description: "The anchor, and a receipt per document (register, registerPublicBatch)", schema: S.RelayedReceipts },
      404: err("Unknown id"), 409: err("Not mined (yet), or not an anchoring write"),
    },
    handler: (req) => {
      const row = queue.row(req.params.id);
      if (!row) throw notFound("REQUEST_NOT_FOUND", "No request has this id.");
      return relayedReceipts(chain, row);
    },
  });
  route(v1, registry, {
    // Well-formed requests are answered by the hot path (api/hot-path.ts), the same way: keep the two in step.
    method: "get", path: "/documents/:docHash", summary: "Verify a document by its hash", tags: ["reads"], middleware: [limiter],
    schema: { params: DocParams },
    responses: { 200: { description: "Verification result", schema: S.VerificationResult } },
    handler: async (req, res) => withHint(res, (await documents.verify([req.params.docHash]))[0]!),
  });
  route(v1, registry, {
    method: "get", path: "/documents/:docHash/history", summary: "A document's history and versions", tags: ["audit"], auth: true, middleware: [requireAuditor],
    schema: { params: DocParams },
    responses: { 200: { description: "History", schema: z.object({ docHash: S.Hash, entries: z.array(S.HistoryEntry), versions: z.array(S.Hash) }) }, 401: err("Not signed in"), 403: err("Not customs, agency or auditor") },
    handler: (req) => ({ docHash: req.params.docHash, ...documents.history(req.params.docHash) }),
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
    method: "get", path: "/policies", summary: "Who may register each document type, and how many approvals it needs", tags: ["reads"], middleware: [limiter],
    schema: {},
    responses: { 200: { description: "The policies in force", schema: S.Policies } },
    handler: async () => onChain(async () => (await chain.sdk()).policies()),
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
  const referenceLimiter: RequestHandler =
    config.rateLimitPerMinute > 0
      ? rateLimit({
          windowMs: 60_000, limit: Math.max(10, Math.floor(config.rateLimitPerMinute / 10)), standardHeaders: "draft-8", legacyHeaders: false,
          handler: (_req, _res, next) => next(new ApiError(429, "RATE_LIMITED", "Too many lookups by number; slow down.")),
        })
      : (_req, _res, next) => next();
  route(v1, registry, {
    method: "get", path: "/references/:organisation/:commitment",
    summary: "Documents an organisation filed under a number: the number's commitment is computed by the caller (README, references)", tags: ["reads"],
    middleware: [referenceLimiter],
    schema: { params: z.object({ organisation: z.coerce.number().int().min(1).max(16_777_215), commitment: S.Hash }) },
    responses: {
      200: { description: "The organisation, and each document filed under the commitment with its verification result, newest first (none: an empty list)", schema: S.ReferencedDocuments },
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
  let membersCache: { head: number; organisations: Organisation[] } | undefined;
  route(v1, registry, {
    method: "get", path: "/members", summary: "Member organisations and their accounts", tags: ["reads"], middleware: [limiter], schema: {},
    responses: { 200: { description: "Organisations", schema: z.object({ organisations: z.array(S.Organisation) }) } },
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
  route(v1, registry, {
    method: "get", path: "/audit/events", summary: "Indexed events with filters, cursor pagination and CSV export", tags: ["audit"], auth: true, middleware: [requireAuditor],
    schema: { query: S.AuditQuery },
    responses: {
      200: { description: "A page of events (JSON) or all matching events (CSV)", schema: z.object({ events: z.array(S.AuditEvent), nextCursor: z.string().optional() }) },
      401: err("Not signed in"), 403: err("Not customs, agency or auditor"),
    },
    handler: (req, res) => {
      const q = req.query;
      const filter = {
        organisation: q.organisation, docType: q.docType, action: q.action, cursor: q.cursor,
        from: q.from ? Math.floor(Date.parse(q.from) / 1000) : undefined,
        to: q.to ? Math.floor(Date.parse(q.to) / 1000) : undefined,
      };
      if (q.format === "csv") {
        res.type("text/csv").attachment("tradeproof-audit.csv");
        for (const line of auditCsv(store, filter)) res.write(line);
        res.end();
        return;
      }
      return queryAudit(store, { ...filter, limit: q.limit });
    },
  });

  const document = () =>
    new OpenApiGeneratorV31(registry.definitions).generateDocument({
      openapi: "3.1.0",
      info: { title: "Tradeproof API", version: "1", description: "Verify, register and audit trade documents anchored on the Tradeproof ledger." },
      servers: [{ url: config.publicUrl }],
    });
  let openapi: ReturnType<typeof document> | undefined;
  v1.get("/openapi.json", (_req, res) => {
    openapi ??= document();
    res.json({ ...openapi, paths: Object.fromEntries(Object.entries(openapi.paths ?? {}).map(([p, v]) => [`/v1${p}`, v])) });
  });

  app.get("/health", async (_req, res) => {
    const cursor = indexer.cursor();
    try {
      const head = await onChain(() => chain.provider.getBlockNumber());
      res.json({ status: "ok", chainId: deps.deployment.chainId, node: { reachable: true, head }, index: { block: cursor, lag: Math.max(0, head - cursor) } });
    } catch (e) {
      const code = e instanceof ApiError ? e.code : "NODE_UNREACHABLE";
      res.status(503).json({ status: "unavailable", error: { code, message: (e as Error).message }, node: { reachable: false }, index: { block: cursor } });
    }
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use("/v1", v1);
  app.use("/docs", express.static(DOCS_DIR, { index: "index.html" }));
  app.use(webRoutes());
  if (existsSync(WEB_DIR)) app.use("/", express.static(WEB_DIR));
  app.use((req) => {
    throw notFound("NOT_FOUND", `No route for ${req.method} ${req.path}.`);
  });
  const onError = errorHandler(logger);
  app.use(onError);
  return withHotPath({ app, documents, fileLimit: config.fileLimitBytes, securityHeaders: staticHeaders(security), limiter: rateLimiter, onError, record });
}
