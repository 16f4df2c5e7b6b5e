// Turning command-line arguments into document hashes.
import { closeSync, existsSync, fstatSync, openSync, readFileSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { InvalidArgumentError } from "commander";
import {
  docTypeName,
  hashDocument,
  hashFile,
  InvalidDocumentError,
  isDocHash,
  isJsonPath,
  parseReceipt,
  TradeproofError,
  type Hex,
  type Receipt,
} from "../../sdk/index.js";
import { UsageError } from "./errors.js";

/** The hash an argument names: a `0x…` document hash as given, or the hash of the file at that path. */
export async function hashArg(arg: string): Promise<Hex> {
  if (isDocHash(arg) && !existsSync(arg)) return arg.toLowerCase() as Hex;
  if (arg.startsWith("0x") && !existsSync(arg)) {
    throw new UsageError(`${arg} is neither a file nor a document hash (0x and 64 hex digits)`);
  }
  return hashOneFile(arg);
}

/** Files named by `args`: each file as given, each directory's regular files (not recursive, no dot files). */
export async function expandInputs(args: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const arg of args) {
    let info;
    try {
      info = await stat(arg);
    } catch (e) {
      throw new UsageError(`${arg}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : String(e)}`);
    }
    if (!info.isDirectory()) {
      files.push(arg);
      continue;
    }
    const entries = await readdir(arg, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.isFile() && !entry.name.startsWith(".")) files.push(join(arg, entry.name));
    }
  }
  return files;
}

/** The outcome of hashing one file: its hash, or why it could not be hashed. */
export type Hashed = { file: string; docHash: Hex } | { file: string; error: unknown };

/** Files up to this size are read whole; larger ones are streamed by the SDK in constant memory. */
const READ_WHOLE_LIMIT = 4 << 20;

/**
 * The document hash of one file, by the SDK's rule (`isJsonPath` decides JSON or raw bytes). Small files
 * are read with one synchronous call: fs/promises spends several thread-pool round trips per file, which
 * made hashing 100,000 small documents four times slower than the hashing itself.
 */
export async function hashOneFile(file: string): Promise<Hex> {
  let bytes: Buffer;
  try {
    const fd = openSync(file, "r");
    try {
      if (fstatSync(fd).size > READ_WHOLE_LIMIT) return await hashFile(file);
      bytes = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof TradeproofError) throw e;
    throw new InvalidDocumentError(`${file} cannot be read.`, { cause: e });
  }
  return hashDocument(bytes, { json: isJsonPath(file) });
}

/**
 * Hashes `files` in input order. A file that cannot be hashed is reported, not thrown. Yields to the
 * event loop now and then so that a progress bar keeps drawing.
 */
export async function hashFiles(files: string[], onDone?: (done: number) => void): Promise<Hashed[]> {
  const results: Hashed[] = [];
  for (const [i, file] of files.entries()) {
    try {
      results.push({ file, docHash: await hashOneFile(file) });
    } catch (error) {
      results.push({ file, error });
    }
    if (i % 256 === 255) {
      onDone?.(i + 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  onDone?.(files.length);
  return results;
}

/** Reads and validates a receipt file. */
export async function readReceipt(file: string): Promise<Receipt> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read receipt ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`receipt ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseReceipt(json);
}

/** Parses an integer option such as a document type code or an organisation id. */
export function intArg(name: string, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) > max) throw new InvalidArgumentError(`${name} must be a whole number from 0 to ${max}.`);
    return Number(value);
  };
}

/** Parses `--type`: a UNTDID 1001 document name code, e.g. 380 (commercial invoice). */
export function docTypeArg(value: string): string {
  const code = value.trim();
  if (!/^\d+$/.test(code) || docTypeName(code) === undefined) {
    throw new InvalidArgumentError("not a UNTDID 1001 document name code (e.g. 380 commercial invoice, 861 certificate of origin).");
  }
  return String(Number(code));
}
