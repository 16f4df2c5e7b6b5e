import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { InvalidArgumentError, InvalidDocumentError, TradeproofError } from "./errors.js";
import { hashDocument, hashFile, isJsonPath } from "./hash.js";
import type { Hex } from "./types.js";

/** The outcome of hashing one file of {@link hashFiles}: its docHash, or why it has none. */
export type FileHash = { path: string; docHash: Hex } | { path: string; error: TradeproofError };

export interface HashFilesOptions {
  /**
   * Worker threads to hash on. Default: the machine's available parallelism for 2,000 files or more, else 1 (a
   * worker takes a few hundred milliseconds to start, longer than hashing a thousand small files). With 1, or
   * with fewer files than two chunks, the files are hashed on the calling thread and no worker is started.
   */
  threads?: number;
  /** Files per task handed to a worker (default 256): enough to make the message cost negligible. */
  chunkSize?: number;
  /** Called with the number of files hashed so far, in input order or not, at most once per chunk. */
  onProgress?: (done: number) => void;
}

/** How many files make starting worker threads worth it, by default. */
const THREADS_FROM = 2_000;

/** Files up to this size are read with one call; larger ones are streamed in constant memory. */
const READ_WHOLE_LIMIT = 4 << 20;

/**
 * The docHash of one file by DESIGN.md's rule (`.json` by JCS, anything else by its bytes). A small file is read
 * with one synchronous call: fs/promises spends several thread-pool round trips per file, which made hashing
 * 100,000 small documents several times slower than the hashing itself.
 *
 * @example
 * ```ts
 * import { hashOneFile } from "./sdk/index.js";
 * const docHash = await hashOneFile("../shared/samples/commercial-invoice.json");
 * ```
 */
export async function hashOneFile(path: string): Promise<Hex> {
  try {
    let bytes: Buffer | undefined;
    try {
      const fd = openSync(path, "r");
      try {
        if (fstatSync(fd).size <= READ_WHOLE_LIMIT) bytes = readFileSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      throw new InvalidDocumentError(`${path} cannot be read.`, { cause: e });
    }
    return await (bytes ? hashDocument(bytes, { json: isJsonPath(path) }) : hashFile(path));
  } catch (e) {
    // Name the file: the SDK's messages about content speak of "the document".
    if (e instanceof InvalidDocumentError && !e.shortMessage.includes(path)) {
      throw new InvalidDocumentError(`${path}: ${e.shortMessage}`, { cause: e.cause });
    }
    throw e;
  }
}

/** What a worker sends back per file: the hash, or the parts of an InvalidDocumentError (errors do not cross threads whole). */
export type WireFileHash = Hex | { shortMessage: string; details?: string };

/** Hashes one chunk of files; the task a worker of {@link hashFiles} runs (see ./hash-worker.mjs). */
export async function hashFileChunk(paths: readonly string[]): Promise<WireFileHash[]> {
  const out: WireFileHash[] = [];
  for (const path of paths) {
    try {
      out.push(await hashOneFile(path));
    } catch (e) {
      const error = e instanceof TradeproofError ? e : new InvalidDocumentError(`${path} cannot be hashed.`, { cause: e });
      out.push({ shortMessage: error.shortMessage, details: error.details });
    }
  }
  return out;
}

const fromWire = (path: string, h: WireFileHash): FileHash =>
  typeof h === "string"
    ? { path, docHash: h }
    : { path, error: new InvalidDocumentError(h.shortMessage, { cause: h.details === undefined ? undefined : new Error(h.details) }) };

/**
 * The docHash of every file in `paths`, in input order, hashed on worker threads: JCS for JSON is CPU work, so
 * a bulk registration of 100,000 documents goes about as many times faster as there are cores. A file that
 * cannot be read or parsed gets an `error` (an {@link InvalidDocumentError} naming it) instead of failing the
 * whole call. Large files are streamed in constant memory, on the worker.
 *
 * @example
 * ```ts
 * import { hashFiles } from "./sdk/index.js";
 * const hashed = await hashFiles(["a.json", "b.pdf"], { onProgress: (n) => console.log(n) });
 * for (const h of hashed) console.log("docHash" in h ? `${h.docHash}  ${h.path}` : h.error.message);
 * ```
 */
export async function hashFiles(paths: readonly string[], opts: HashFilesOptions = {}): Promise<FileHash[]> {
  const chunkSize = opts.chunkSize ?? 256;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new InvalidArgumentError("chunkSize must be a positive integer.");
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) {
    throw new InvalidArgumentError("threads must be a positive integer.");
  }
  const wanted = opts.threads ?? (paths.length >= THREADS_FROM ? availableParallelism() : 1);
  const threads = Math.max(1, Math.min(wanted, Math.ceil(paths.length / chunkSize)));
  const chunks: string[][] = [];
  for (let i = 0; i < paths.length; i += chunkSize) chunks.push(paths.slice(i, i + chunkSize));
  const results: FileHash[] = new Array(paths.length);
  let done = 0;
  const settle = (start: number, chunk: readonly string[], hashes: WireFileHash[]) => {
    hashes.forEach((h, k) => (results[start + k] = fromWire(chunk[k]!, h)));
    done += chunk.length;
    opts.onProgress?.(done);
  };
  if (threads < 2 || chunks.length < 2) {
    for (const [c, chunk] of chunks.entries()) {
      settle(c * chunkSize, chunk, await hashFileChunk(chunk));
      // Let a progress bar draw between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return results;
  }
  const { Piscina } = await import("piscina");
  const pool = new Piscina<readonly string[], WireFileHash[]>({
    filename: new URL("./hash-worker.mjs", import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
  });
  // A worker that cannot start with no task on it is reported on the pool: without a listener, an uncaught error.
  const failed = new Promise<never>((_, reject) => pool.on("error", reject));
  failed.catch(() => undefined);
  try {
    await Promise.race([Promise.all(chunks.map(async (chunk, c) => settle(c * chunkSize, chunk, await pool.run(chunk)))), failed]);
  } catch (e) {
    throw e instanceof TradeproofError ? e : new TradeproofError("The hashing threads failed.", { code: "HASH_WORKER_FAILED", cause: e });
  } finally {
    await pool.destroy();
  }
  return results;
}
