import { existsSync } from "node:fs";
import type { RequestListener } from "node:http";
import { fileURLToPath } from "node:url";
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import express, { type RequestHandler } from "express";
import helmet from "helmet";
import { auditRoutes } from "./audit/routes.js";
import { AUDIT_KINDS, roleRefused, type Session } from "./auth/auth.js";
import { authRoutes } from "./auth/routes.js";
import { onChain } from "./chain.js";
import { credentialRoutes } from "./credentials/routes.js";
import { staticHeaders, withHotPath, type RecordRequest } from "./documents/hot-path.js";
import { documentRoutes } from "./documents/routes.js";
import { ApiError, databaseUnavailable, notFound, unavailable } from "./errors.js";
import { errorHandler, passThrough, perMinuteLimit, type RouteContext } from "./http.js";
import { didDocument, didDocumentPath } from "./identity/did.js";
import { memberRoutes } from "./members/routes.js";
import { referenceRoutes } from "./references/routes.js";
import { relayRoutes } from "./relay/routes.js";
import * as S from "./schemas.js";
import { StoreUnavailableError } from "./store.js";
import { webRoutes } from "./web/routes.js";
import type { Services } from "./services.js";

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
 * Returns the request listener: Express 5 behind a hot path (api/documents/hot-path.ts) that answers
 * GET /v1/documents/:docHash without Express, with the same bytes.
 */
export function createApp(deps: Services): RequestListener {
  const { config, logger, chain, indexer, documents, auth, worker, metrics } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false); // answers change with the chain, not with a client's cached copy
  // Behind load balancers every client would otherwise share the balancer's address, and so one rate limit.
  app.set("trust proxy", config.trustProxy > 0 ? config.trustProxy : false);
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

  const rateLimiter = perMinuteLimit(config.rateLimitPerMinute, "Too many requests; slow down.", { store: deps.store, prefix: "general:", beforeClose: deps.beforeClose });
  const limiter: RequestHandler = rateLimiter ?? passThrough;

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
  const context: RouteContext = {
    v1, registry, deps, limiter, requireAuditor, requireRelayer,
    json: { kind: "json", limit: config.jsonLimitBytes },
    err: (description) => ({ description, schema: S.ErrorBody }),
  };
  // Each feature's routes and schemas live in its folder.
  authRoutes(context);
  relayRoutes(context);
  documentRoutes(context);
  referenceRoutes(context);
  credentialRoutes(context);
  memberRoutes(context);
  auditRoutes(context);

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
    const cursor = await indexer.cursor().catch((e: unknown) => {
      if (e instanceof StoreUnavailableError) return undefined;
      throw e;
    });
    const database = { reachable: cursor !== undefined, ...(deps.leadership ? { leads: deps.leadership.leads } : {}) };
    try {
      const head = await onChain(() => chain.provider.getBlockNumber());
      if (cursor === undefined) throw databaseUnavailable();
      res.json({ status: "ok", chainId: deps.deployment.chainId, node: { reachable: true, head }, database, index: { block: cursor, lag: Math.max(0, head - cursor) } });
    } catch (e) {
      const code = e instanceof ApiError ? e.code : "NODE_UNREACHABLE";
      const node = code === "DATABASE_UNAVAILABLE" ? { reachable: true } : { reachable: false };
      res.status(503).json({ status: "unavailable", error: { code, message: (e as Error).message }, node, database, ...(cursor === undefined ? {} : { index: { block: cursor } }) });
    }
  });
  // The ledger's DID document (did:web): at /.well-known/did.json, or <path>/did.json when the public URL has a path.
  const didJson: RequestHandler = async (_req, res) => {
    res.type("application/did+json").send(JSON.stringify(didDocument(deps.identity.did, await deps.identity.keys.get())));
  };
  app.get([...new Set(["/.well-known/did.json", didDocumentPath(config.publicUrl)])], didJson);
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
