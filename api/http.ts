import type { IncomingMessage } from "node:http";
import type { OpenAPIRegistry, ResponseConfig } from "@asteasolutions/zod-to-openapi";
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from "express";
import { rateLimit } from "express-rate-limit";
import type { Logger } from "pino";
import { z } from "zod";
import { ApiError, badRequest, databaseUnavailable, unsupportedMediaType } from "./errors.js";
import { SharedRateLimitStore } from "./rate-limit-store.js";
import { StoreUnavailableError, type Store } from "./store.js";
import { ErrorBody, INVALID_HASH } from "./schemas.js";

/** A route's one schema, shaped `{ params, query, body }`. */
export interface RouteSchema {
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
}

export type Parsed<S extends RouteSchema> = {
  params: S["params"] extends z.ZodType ? z.output<S["params"]> : Record<string, never>;
  query: S["query"] extends z.ZodType ? z.output<S["query"]> : Record<string, never>;
  body: S["body"] extends z.ZodType ? z.output<S["body"]> : undefined;
};

export interface RouteDef<S extends RouteSchema> {
  method: "get" | "post";
  /** Express path, e.g. /v1/documents/:docHash. */
  path: string;
  summary: string;
  tags: string[];
  schema: S;
  /** Body kind: JSON (parsed, 415 otherwise) or a stream of bytes of the given types, left unread for the handler. */
  body?: { kind: "json"; limit: number } | { kind: "stream"; limit: number; types: string[] };
  /** Needs a session (Bearer token): documented as such. */
  auth?: boolean;
  middleware?: RequestHandler[];
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handler: (req: Request & Parsed<S>, res: Response) => Promise<unknown> | unknown;
}

/** Maps a zod failure to one 400 with a code: INVALID_HASH for hashes, VALIDATION_FAILED otherwise. */
function validationError(where: string, error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const path = [where, ...issue.path.map(String)].join(".");
  if (error.issues.some((i) => i.message === INVALID_HASH)) {
    const bad = error.issues.find((i) => i.message === INVALID_HASH)!;
    return badRequest("INVALID_HASH", `${[where, ...bad.path.map(String)].join(".")} must be 0x followed by 64 hex digits.`);
  }
  return badRequest("VALIDATION_FAILED", `${path}: ${issue.message}`);
}

/** The validator: parses params, query and body with the route's schema and replaces them on `req`. */
function validate(schema: RouteSchema): RequestHandler {
  return (req, _res, next) => {
    for (const where of ["params", "query", "body"] as const) {
      const s = schema[where];
      if (!s) continue;
      const parsed = s.safeParse(where === "body" ? (req.body ?? undefined) : req[where]);
      if (!parsed.success) throw validationError(where, parsed.error);
      // Express 5 defines req.query as a getter; redefine it so handlers see the parsed values.
      Object.defineProperty(req, where, { value: parsed.data, writable: true, configurable: true, enumerable: true });
    }
    next();
  };
}

export const tooLarge = () => new ApiError(413, "PAYLOAD_TOO_LARGE", "The body is larger than this endpoint accepts.");

/**
 * The request body as it arrives, stopped with 413 once it passes `limit` bytes: the file is hashed
 * while it streams in, so memory stays constant whatever its size.
 */
export async function* limitedBody(req: IncomingMessage, limit: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    seen += chunk.length;
    if (seen > limit) throw tooLarge();
    yield chunk;
  }
}

/** The request's media type without parameters, lower case ("" when absent). */
export const mediaType = (req: IncomingMessage) => (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();

function bodyParser(body: NonNullable<RouteDef<RouteSchema>["body"]>): RequestHandler[] {
  if (body.kind === "json") {
    return [
      (req, _res, next) => {
        if (mediaType(req) !== "application/json") throw unsupportedMediaType("Send the body as application/json.");
        next();
      },
      express.json({ limit: body.limit, type: "application/json", strict: true }),
    ];
  }
  return [
    (req, _res, next) => {
      if (!body.types.includes(mediaType(req))) throw unsupportedMediaType(`Send the file as one of: ${body.types.join(", ")}.`);
      if (Number(req.headers["content-length"] ?? 0) > body.limit) throw tooLarge();
      next();
    },
  ];
}

/** Mounts a route on the router and documents it in the OpenAPI registry, from the same schema. */
export function route<S extends RouteSchema>(router: express.Router, registry: OpenAPIRegistry, def: RouteDef<S>): void {
  const handlers: RequestHandler[] = [...(def.middleware ?? []), ...(def.body ? bodyParser(def.body) : []), validate(def.schema)];
  router[def.method](def.path, ...handlers, async (req, res) => {
    const out = await def.handler(req as Request & Parsed<S>, res);
    if (out !== undefined && !res.headersSent) res.json(out);
  });
  const responses: Record<number, ResponseConfig> = {};
  for (const [status, r] of Object.entries(def.responses)) {
    responses[Number(status)] = {
      description: r.description,
      ...(r.schema ? { content: { [r.contentType ?? "application/json"]: { schema: r.schema } } } : {}),
    };
  }
  for (const [status, description] of [[400, "Malformed request"], [429, "Rate limited"], [503, "Ledger node or database unreachable"]] as const) {
    responses[status] ??= { description, content: { "application/json": { schema: ErrorBody } } };
  }
  registry.registerPath({
    method: def.method,
    path: def.path.replace(/:(\w+)/g, "{$1}"),
    summary: def.summary,
    tags: def.tags,
    ...(def.auth ? { security: [{ session: [] }] } : {}),
    request: {
      ...(def.schema.params ? { params: def.schema.params } : {}),
      ...(def.schema.query ? { query: def.schema.query } : {}),
      ...(def.schema.body && def.body?.kind === "json" ? { body: { content: { "application/json": { schema: def.schema.body } } } } : {}),
      ...(def.body?.kind === "stream"
        ? { body: { content: Object.fromEntries(def.body.types.map((t) => [t, { schema: { type: "string", format: "binary" } }])) } }
        : {}),
    },
    responses,
  });
}

/** body-parser's errors, by their `type`. */
const PARSER_ERRORS: Record<string, [number, string, string]> = {
  "entity.too.large": [413, "PAYLOAD_TOO_LARGE", "The body is larger than this endpoint accepts."],
  "entity.parse.failed": [400, "INVALID_JSON", "The body is not valid JSON."],
  "encoding.unsupported": [415, "UNSUPPORTED_CONTENT_TYPE", "The body's encoding is not supported."],
  "charset.unsupported": [415, "UNSUPPORTED_CONTENT_TYPE", "The body's charset is not supported."],
  "request.aborted": [400, "REQUEST_ABORTED", "The request was aborted."],
  "request.size.invalid": [400, "INVALID_BODY", "The body's length does not match Content-Length."],
};

/** The one error middleware: typed errors become `{ error: { code, message } }`; anything else is a logged 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (err instanceof StoreUnavailableError) e = databaseUnavailable();
    else if (typeof err?.type === "string" && PARSER_ERRORS[err.type]) e = new ApiError(...PARSER_ERRORS[err.type]);
    else if (typeof err?.code === "string" && err.code.startsWith("Z_")) {
      // zlib, while inflating a body sent with Content-Encoding gzip, deflate or br that is not what it says.
      e = new ApiError(400, "INVALID_BODY", `The body is not valid ${String(req.headers["content-encoding"] ?? "compressed data")}: send it as its Content-Encoding says, or uncompressed.`);
    } else if (Number.isInteger(err?.status) && err.status >= 400 && err.status < 500 && err.expose === true) {
      // Any other refusal of the body by the parser: its status, in our shape.
      e = new ApiError(err.status, "INVALID_BODY", "The body could not be read.");
    } else {
      logger.error({ err, method: req.method, path: req.path }, "unhandled error");
      e = new ApiError(500, "INTERNAL", "Internal error; it has been logged.");
    }
    if (e.status >= 500 && e.status !== 500) logger.warn({ code: e.code, path: req.path }, e.message);
    if (res.headersSent) return res.end();
    res.status(e.status).json({ error: { code: e.code, message: e.message } });
  };
}

/**
 * What each feature's routes (api/<feature>/routes.ts) are mounted with: the /v1 router, the OpenAPI registry, the
 * services, the guards the app shares, and the shapes every route uses.
 */
export interface RouteContext {
  v1: express.Router;
  registry: OpenAPIRegistry;
  deps: import("./services.js").Services;
  /** The general per-address rate limit of the open endpoints. */
  limiter: RequestHandler;
  /** Signed in with an account of an active customs, agency or auditor organisation. */
  requireAuditor: RequestHandler;
  /** This instance has a relayer key (writes are on). */
  requireRelayer: RequestHandler;
  /** A JSON body within the configured limit. */
  json: { kind: "json"; limit: number };
  /** An error response of the OpenAPI document. */
  err: (description: string) => { description: string; schema: typeof ErrorBody };
}

/**
 * A per-client limit of `perMinute` requests a minute answering 429 RATE_LIMITED with `message`; none when 0. On
 * PostgreSQL the counts are kept there under `shared.prefix`, so that they add up across instances; while it cannot be
 * reached requests pass uncounted (the limit protects the node, and the chain still answers). On SQLite (one instance)
 * they stay in memory.
 */
export function perMinuteLimit(
  perMinute: number,
  message: string,
  shared?: { store: Store; prefix: string; beforeClose?: (hook: () => Promise<void>) => void },
): RequestHandler | undefined {
  if (perMinute <= 0) return undefined;
  let store: SharedRateLimitStore | undefined;
  if (shared?.store.dialect === "postgres") {
    store = new SharedRateLimitStore(shared.store, shared.prefix);
    shared.beforeClose?.(() => store!.shutdown());
  }
  return rateLimit({
    windowMs: 60_000, limit: perMinute, standardHeaders: "draft-8", legacyHeaders: false,
    ...(store ? { store, passOnStoreError: true } : {}),
    handler: (_req, _res, next) => next(new ApiError(429, "RATE_LIMITED", message)),
  });
}

/** A middleware that lets every request through. */
export const passThrough: RequestHandler = (_req, _res, next) => next();
