import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import canonicalize from "canonicalize";
import { InvalidDocumentError, InvalidHashError } from "./errors.js";
import type { Hex } from "./types.js";

const DOC_HASH = /^0x[0-9a-fA-F]{64}$/;

/**
 * Whether `x` is a document hash: `0x` followed by 64 hex digits (either case; {@link normalizeDocHash} lowers it).
 *
 * @example
 * ```ts
 * import { isDocHash } from "./sdk/index.js";
 * isDocHash("0x" + "ab".repeat(32)); // true
 * isDocHash("ab".repeat(32));        // false
 * ```
 */
export function isDocHash(x: unknown): x is Hex {
  return typeof x === "string" && DOC_HASH.test(x);
}

/**
 * The normative spelling of a document hash (lowercase hex), or {@link InvalidHashError}.
 *
 * @example
 * ```ts
 * import { normalizeDocHash } from "./sdk/index.js";
 * normalizeDocHash("0x" + "AB".repeat(32)); // "0xabab…ab"
 * ```
 */
export function normalizeDocHash(x: unknown): Hex {
  if (!isDocHash(x)) throw new InvalidHashError({ value: x });
  return x.toLowerCase() as Hex;
}

function sha256(data: Uint8Array | string): Hex {
  return `0x${createHash("sha256").update(data).digest("hex")}`;
}

/**
 * The RFC 8785 (JCS) canonical form of a JSON value, or {@link InvalidDocumentError} when JCS cannot encode it
 * (NaN, Infinity, a lone surrogate, a BigInt, a cycle, undefined at the top).
 *
 * @example
 * ```ts
 * import { canonicalJson } from "./sdk/index.js";
 * canonicalJson({ b: 1, a: [1.0, "é"] }); // '{"a":[1,"é"],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  const fast = canonicalPlainJson(value);
  if (fast !== undefined) return fast;
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (e) {
    throw new InvalidDocumentError("The value cannot be written as canonical JSON (RFC 8785).", { cause: e });
  }
  if (text === undefined) throw new InvalidDocumentError("The value is not JSON (undefined, a function or a symbol).");
  return text;
}

/** Signals that a value needs the general canonicaliser (never escapes {@link canonicalPlainJson}). */
const GENERAL_PATH: unknown = Symbol("general path");
/** Deeper than this, the general canonicaliser (iterative) takes over from the recursive copy. */
const MAX_FAST_DEPTH = 256;

/**
 * Sorts keys by UTF-16 code units. Insertion sort with `>` for the few keys an object usually has: a fifth of the
 * time of the whole canonicalisation went to `Array.prototype.sort`'s generic comparison on 4 KB documents.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 32) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * A copy of `value` whose objects hold their members in RFC 8785 order (UTF-16 code units), for plain
 * data only: strings that are well-formed UTF-16, finite numbers, booleans, null, arrays and plain
 * objects. Anything else (toJSON, boxed primitives, undefined, NaN, lone surrogates, cycles and very
 * deep nesting) throws {@link GENERAL_PATH}. So do keys that start with a digit, because V8 lists
 * integer-like keys first in numeric order whatever the insertion order, and `__proto__`, which an
 * assignment would not create as a member.
 */
function sortedCopy(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null) {
    if (typeof value === "string" ? value.isWellFormed() : typeof value === "number" ? Number.isFinite(value) : typeof value === "boolean" || value === null) {
      return value;
    }
    throw GENERAL_PATH;
  }
  if (depth > MAX_FAST_DEPTH) throw GENERAL_PATH;
  if (Array.isArray(value)) {
    // canonicalize honours toJSON on arrays too (an own one, a subclass's, or one added to Array.prototype).
    if (Object.getPrototypeOf(value) !== Array.prototype || typeof (value as { toJSON?: unknown }).toJSON === "function") throw GENERAL_PATH;
    // map defines the elements (an index setter added to a prototype cannot intercept them); a hole stays a
    // hole, which JSON.stringify writes as null, as the library does.
    return value.map((element: unknown) => sortedCopy(element, depth + 1));
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw GENERAL_PATH;
  const source = value as Record<string, unknown>;
  if (typeof source.toJSON === "function") throw GENERAL_PATH;
  const keys = sortKeys(Object.keys(source));
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const first = key.charCodeAt(0);
    if ((first >= 0x30 && first <= 0x39) || key === "__proto__" || !key.isWellFormed()) throw GENERAL_PATH;
    out[key] = sortedCopy(source[key], depth + 1);
  }
  // A setter added to Object.prototype would swallow an assignment (a read-only property there makes it throw):
  // then the library, which builds text rather than objects, takes the value.
  if (Object.keys(out).length !== keys.length) throw GENERAL_PATH;
  return out;
}

/**
 * The JCS form of plain JSON data (anything `JSON.parse` returns, among others), or undefined when the value
 * needs the general path. RFC 8785 serialises strings and numbers exactly as ECMAScript's JSON.stringify does
 * and orders members by UTF-16 code units; so the engine's native JSON.stringify over a copy whose members are
 * inserted in that order gives the canonical text, in about half the time of the `canonicalize` library on
 * 4 KB trade documents. The tests check it against the library on generated JSON and the RFC's vectors.
 */
function canonicalPlainJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(sortedCopy(value, 0));
  } catch {
    // GENERAL_PATH, deep nesting (RangeError), or a getter or Proxy that throws: the library meets the same value
    // and raises what canonicalJson reports, as it did before this path existed.
    return undefined;
  }
}

/**
 * SHA-256 of the RFC 8785 (JCS) canonical form of a JSON value: the docHash of a JSON document.
 *
 * @example
 * ```ts
 * import { hashJson } from "./sdk/index.js";
 * hashJson({ invoice: "INV-1", total: 100 }) === hashJson({ total: 100.0, invoice: "INV-1" }); // true
 * ```
 */
export function hashJson(value: unknown): Hex {
  return sha256(canonicalJson(value));
}

/**
 * SHA-256 of exact bytes: the docHash of a non-JSON document held in memory.
 *
 * @example
 * ```ts
 * import { hashBytes } from "./sdk/index.js";
 * hashBytes(new TextEncoder().encode("abc")); // "0xba7816bf…15ad"
 * ```
 */
export function hashBytes(bytes: Uint8Array): Hex {
  return sha256(bytes);
}

/**
 * SHA-256 of a stream of bytes, chunk by chunk, so any size hashes in constant memory.
 *
 * @example
 * ```ts
 * import { createReadStream } from "node:fs";
 * import { hashStream } from "./sdk/index.js";
 * const docHash = await hashStream(createReadStream("bill-of-lading.pdf"));
 * ```
 */
export async function hashStream(stream: AsyncIterable<Uint8Array | string>): Promise<Hex> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of stream) hash.update(chunk);
  } catch (e) {
    throw new InvalidDocumentError("The document could not be read.", { cause: e });
  }
  return `0x${hash.digest("hex")}`;
}

async function collect(stream: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  } catch (e) {
    throw new InvalidDocumentError("The document could not be read.", { cause: e });
  }
  return Buffer.concat(chunks);
}

/** Strict UTF-8 (a malformed byte throws), a byte-order mark dropped; holds no state between whole decodes. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function parseJsonBytes(bytes: Uint8Array, what: string): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (e) {
    throw new InvalidDocumentError(`${what} is not UTF-8 text.`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidDocumentError(`${what} is not valid JSON.`, { cause: e });
  }
}

/**
 * Whether a file is hashed as JSON: by its `.json` extension (DESIGN.md).
 *
 * @example
 * ```ts
 * import { isJsonPath } from "./sdk/index.js";
 * isJsonPath("invoice.JSON"); // true
 * isJsonPath("invoice.pdf");  // false
 * ```
 */
export function isJsonPath(path: string): boolean {
  return /\.json$/i.test(path);
}

/**
 * The docHash of a file: a `.json` file is parsed and hashed by its JCS form; any other file is hashed by its
 * exact bytes, streamed (a 2 GB file is never held in memory). `opts.json` overrides the extension rule.
 *
 * @example
 * ```ts
 * import { hashFile } from "./sdk/index.js";
 * const docHash = await hashFile("../shared/samples/certificate-of-origin.json");
 * ```
 */
export async function hashFile(path: string, opts: { json?: boolean } = {}): Promise<Hex> {
  if (opts.json ?? isJsonPath(path)) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new InvalidDocumentError(`${path} cannot be read.`, { cause: e });
    }
    return hashJson(parseJsonBytes(bytes, path));
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    return await hashStream(stream);
  } catch (e) {
    throw e instanceof InvalidDocumentError ? new InvalidDocumentError(`${path} cannot be read.`, { cause: e.cause }) : e;
  }
}

function isAsyncIterable(x: unknown): x is AsyncIterable<Uint8Array | string> {
  return typeof x === "object" && x !== null && Symbol.asyncIterator in x;
}

/**
 * The docHash of a document given in any form:
 * - bytes (Uint8Array, Buffer, ArrayBuffer, any typed array, a Blob): their bytes, or, with `{ json: true }`, the
 *   JCS form of the JSON they hold;
 * - a string: a file path (see {@link hashFile});
 * - a readable stream / async iterable of bytes: streamed, or parsed as JSON with `{ json: true }`;
 * - any other value (object, array, number...): a JSON value, hashed by its JCS form.
 *
 * @example
 * ```ts
 * import { readFile } from "node:fs/promises";
 * import { hashDocument } from "./sdk/index.js";
 * const path = "../shared/samples/commercial-invoice.json";
 * const a = await hashDocument(path);
 * const b = await hashDocument(JSON.parse(await readFile(path, "utf8")));
 * const c = await hashDocument(await readFile(path), { json: true });
 * // a === b && b === c
 * ```
 */
export async function hashDocument(input: unknown, opts: { json?: boolean } = {}): Promise<Hex> {
  // Binary containers are bytes, never JSON values (canonicalised, an ArrayBuffer would silently be "{}").
  if (input instanceof ArrayBuffer || input instanceof SharedArrayBuffer) input = new Uint8Array(input);
  else if (ArrayBuffer.isView(input) && !(input instanceof Uint8Array)) input = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  else if (input instanceof Blob) input = input.stream();
  if (input instanceof Uint8Array) return opts.json ? hashJson(parseJsonBytes(input, "The document")) : hashBytes(input);
  if (typeof input === "string") return hashFile(input, opts);
  if (isAsyncIterable(input)) {
    return opts.json ? hashJson(parseJsonBytes(await collect(input), "The document")) : hashStream(input);
  }
  return hashJson(input);
}
