import type { IncomingMessage } from "node:http";
import { hashDocument, hashStream, InvalidDocumentError, type Hex } from "../../sdk/index.js";
import { ApiError, badRequest } from "../errors.js";
import { limitedBody, mediaType, tooLarge } from "../http.js";

/** Content types POST /v1/verify hashes: JSON after JCS, everything else as raw bytes (DESIGN.md). */
export const FILE_TYPES = [
  "application/json", "application/octet-stream", "application/pdf", "application/xml", "text/xml", "text/plain",
  "application/edifact", "application/edi-x12", "image/png", "image/jpeg", "image/tiff",
];

const emptyBody = () => badRequest("EMPTY_BODY", "Send the document's bytes as the body.");

/**
 * The whole body, refused with 413 once it passes `limit` bytes. Read by events, not `for await`: on a
 * 4 KB document, async iteration of the request cost more than parsing and hashing it.
 */
function wholeBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off("data", onData);
      req.resume(); // drained, not kept
      reject(tooLarge());
    };
    req.on("data", onData);
    req.once("end", () => size <= limit && resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once("error", reject);
    req.once("close", () => req.complete || reject(new ApiError(400, "REQUEST_ABORTED", "The request was aborted.")));
  });
}

/**
 * The docHash of the file sent as a request's body, the way POST /v1/verify takes it (its media type
 * already checked against {@link FILE_TYPES}): a JSON body parsed whole (bounded by `limit`) and hashed by
 * the SDK's own JSON path (strict UTF-8, a byte-order mark dropped, JCS), so that the API, the SDK, the CLI
 * and the browser give one hash for one file; any other body hashed while it streams in, in constant memory.
 * Throws 400 EMPTY_BODY, 400 INVALID_JSON or 413 PAYLOAD_TOO_LARGE.
 */
export async function hashUploadedFile(req: IncomingMessage, limit: number): Promise<Hex> {
  if (mediaType(req) === "application/json") {
    const bytes = await wholeBody(req, limit);
    if (bytes.length === 0) throw emptyBody();
    try {
      return await hashDocument(bytes, { json: true });
    } catch (e) {
      if (e instanceof InvalidDocumentError) throw badRequest("INVALID_JSON", `The body is not a JSON document: ${e.shortMessage}`);
      throw e;
    }
  }
  let size = 0;
  const body = (async function* () {
    for await (const chunk of limitedBody(req, limit)) {
      size += chunk.length;
      yield chunk;
    }
  })();
  let docHash: Hex;
  try {
    docHash = await hashStream(body);
  } catch (e) {
    // the SDK wraps a failed read; a read stopped for its size is still a 413
    throw (e as { cause?: unknown }).cause instanceof ApiError ? (e as { cause: ApiError }).cause : e;
  }
  if (size === 0) throw emptyBody();
  return docHash;
}
