import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { ErrorRequestHandler, Express, RequestHandler } from "express";
import type { Hex } from "../../sdk/index.js";
import { NOT_FOUND_HINT, type Documents } from "./documents.js";
import { mediaType, tooLarge } from "../http.js";
import { FILE_TYPES, hashUploadedFile } from "./uploaded-file.js";

/** The route as Express names it (its metrics label). */
export const DOCUMENT_ROUTE = "/v1/documents/:docHash";
/**
 * The one spelling the hot path answers: a well-formed hash (the route schema's pattern), no query,
 * no trailing slash, no percent-encoding. Any other request, a malformed hash included, is Express's.
 */
const DOCUMENT_PATH = /^\/v1\/documents\/(0x[0-9a-fA-F]{64})$/;
/** POST /v1/verify, taken by the hot path when its body is a file type the route hashes and is not compressed. */
export const FILE_ROUTE = "/v1/verify";
const JSON_TYPE = "application/json; charset=utf-8";

/** Records an answered request (metrics and log line), the same way for both paths. */
export type RecordRequest = (method: string, route: string, status: number, path: string, seconds: number) => void;

export interface HotPathOptions {
  /** Answers every request the hot path does not take. */
  app: Express;
  documents: Documents;
  /** The largest file POST /v1/verify hashes, in bytes (the Express route's limit). */
  fileLimit: number;
  /** The headers the app's helmet sets on every answer, in its order ({@link staticHeaders}). */
  securityHeaders: [string, string][];
  /** The route's rate limiter, the very instance Express's routes use (one count per client); absent when limits are off. */
  limiter?: RequestHandler;
  /** The app's error middleware: a refused or failed request is answered by it, as on the Express route. */
  onError: ErrorRequestHandler;
  record: RecordRequest;
}

/**
 * The request listener of the API: GET /v1/documents/:docHash with a well-formed hash, and POST
 * /v1/verify with an uncompressed file of a type it hashes, are answered here, from the result's JSON
 * text serialised once per block (api/documents.ts), without Express; everything else goes to the
 * Express app.
 *
 * Why: per request, Express 5 costs about three times what Node's HTTP server does (it re-links the
 * prototypes of every request and response, parses the URL, walks the middleware stack); these two
 * routes are the API's busiest (a lookup by hash, an officer's dropped file) and need none of it. Each answer is its Express route's, byte for
 * byte: status, body, helmet's headers, the rate limit (the same limiter), the error body (the same
 * error middleware), the metrics and the log line.
 */
export function withHotPath({ app, documents, fileLimit, securityHeaders, limiter, onError, record }: HotPathOptions): RequestListener {
  const security = securityHeaders.flat();
  const done = (req: IncomingMessage, res: ServerResponse, start: number) => () =>
    record(req.method!, req.method === "GET" ? DOCUMENT_ROUTE : FILE_ROUTE, res.statusCode, req.url!, (performance.now() - start) / 1000);

  const send = (req: IncomingMessage, res: ServerResponse, json: string, start: number) => {
    const length = String(Buffer.byteLength(json));
    // Quotes inside a JSON string are escaped, so only the result's own status can read like this.
    const hint = json.includes('"status":"NOT_FOUND"') ? NOT_FOUND_HINT : [];
    // No header set yet (no limiter): writeHead takes the list as it is, Node's cheapest way.
    res.writeHead(200, limiter ? [...hint, "Content-Type", JSON_TYPE, "Content-Length", length] : [...security, ...hint, "Content-Type", JSON_TYPE, "Content-Length", length]);
    res.end(json, done(req, res, start));
  };
  // The request and response as Express hands them to a route (its prototypes: req.ip, res.append, res.json).
  const asExpress = (req: IncomingMessage, res: ServerResponse) => {
    if (Object.getPrototypeOf(req) === app.request) return;
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    Object.assign(req, { res });
    Object.assign(res, { req });
  };
  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown, start: number) => {
    asExpress(req, res);
    for (let i = 0; i < security.length; i += 2) res.setHeader(security[i], security[i + 1]);
    res.once("finish", done(req, res, start));
    onError(error, req as never, res as never, () => undefined);
  };
  const answer = (req: IncomingMessage, res: ServerResponse, docHash: Hex, start: number) => {
    const json = documents.cachedJson(docHash);
    if (json !== undefined) return send(req, res, json, start);
    documents
      .verifyJson(docHash)
      .then((j) => send(req, res, j, start), (e: unknown) => fail(req, res, e, start))
      .catch(() => res.destroy()); // sending failed, or the error middleware did: nothing sane is left to send
  };

  const verifyFile = (req: IncomingMessage, res: ServerResponse, start: number) => {
    if (Number(req.headers["content-length"] ?? 0) > fileLimit) return fail(req, res, tooLarge(), start);
    hashUploadedFile(req, fileLimit).then((docHash) => answer(req, res, docHash.toLowerCase() as Hex, start), (e: unknown) => fail(req, res, e, start));
  };

  return (req, res) => {
    let route: (req: IncomingMessage, res: ServerResponse, start: number) => void;
    if (req.method === "GET") {
      // A conditional GET is Express's: its res.send answers 304 when `fresh` says so (If-None-Match: * is fresh).
      const conditional = req.headers["if-none-match"] !== undefined || req.headers["if-modified-since"] !== undefined;
      const match = conditional ? null : DOCUMENT_PATH.exec(req.url!);
      if (!match) return void app(req, res);
      const docHash = match[1].toLowerCase() as Hex;
      route = (q, s, start) => answer(q, s, docHash, start);
    } else if (req.method === "POST" && req.url === FILE_ROUTE && req.headers["content-encoding"] === undefined && FILE_TYPES.includes(mediaType(req))) {
      route = verifyFile;
    } else return void app(req, res);
    const start = performance.now();
    if (!limiter) return route(req, res, start);
    // Helmet's headers, then the limiter's, as on the Express route; a refused request reads nothing.
    asExpress(req, res);
    for (let i = 0; i < security.length; i += 2) res.setHeader(security[i], security[i + 1]);
    void limiter(req as never, res as never, (error?: unknown) => (error === undefined ? route(req, res, start) : fail(req, res, error, start)));
  };
}

/**
 * The headers a helmet middleware sets, in its order, read once by running it on a recording
 * response. Helmet's default policies are constants; one built with per-request directives (a CSP
 * nonce function) would need the hot path to run it on every request instead.
 */
export function staticHeaders(helmet: RequestHandler): [string, string][] {
  const headers = new Map<string, [string, string]>();
  const recorder = {
    setHeader: (name: string, value: unknown) => void headers.set(name.toLowerCase(), [name, String(value)]),
    removeHeader: (name: string) => void headers.delete(name.toLowerCase()),
  };
  let failure: unknown = "helmet did not call next";
  void helmet({} as never, recorder as never, (error?: unknown) => void (failure = error));
  if (failure !== undefined) throw new Error(`cannot read helmet's headers: ${String(failure)}`);
  return [...headers.values()];
}
