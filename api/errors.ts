/**
 * Typed errors of the HTTP API. Handlers and services throw these; the one error middleware
 * (api/middleware/errors.ts) turns them into `{ error: { code, message } }` with {@link ApiError.status}.
 */
export class ApiError extends Error {
  constructor(
    /** HTTP status the error answers with. */
    readonly status: number,
    /** Stable machine-readable code, e.g. "INVALID_HASH". */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ApiError";
  }
}

/** 400: the request is malformed (schema, hash, JSON, SIWE message, deadline…). */
export const badRequest = (code: string, message: string) => new ApiError(400, code, message);
/** 401: no valid session, or a sign-in that failed. */
export const unauthorized = (code: string, message: string) => new ApiError(401, code, message);
/** 403: signed in, but the account may not do this. */
export const forbidden = (code: string, message: string) => new ApiError(403, code, message);
/** 404: nothing under this id. */
export const notFound = (code: string, message: string) => new ApiError(404, code, message);
/** 409: the request conflicts with the current state (stale nonce, duplicate). */
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
/** 415: the body's content type is not one the route takes. */
export const unsupportedMediaType = (message: string) => new ApiError(415, "UNSUPPORTED_CONTENT_TYPE", message);
/** 422: well-formed, but the ledger would refuse it (the contract's error name is the code). */
export const unprocessable = (code: string, message: string) => new ApiError(422, code, message);
/** 503: a dependency (node, relayer) is not available; retry later. */
export const unavailable = (code: string, message: string) => new ApiError(503, code, message);
/** 503 for what needs the store while it cannot be reached (what the chain alone answers goes on answering). */
export const databaseUnavailable = () => unavailable("DATABASE_UNAVAILABLE", "The API's database cannot be reached; try again shortly.");
