// Turning command-line arguments into document hashes.
import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { InvalidArgumentError } from "commander";
import { docTypeName } from "../../sdk/doctypes.js";
import { hashOneFile } from "../../sdk/files.js";
import { isDocHash } from "../../sdk/hash.js";
import type { Hex, Receipt } from "../../sdk/index.js";
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
  const { parseReceipt } = await import("../../sdk/receipt.js"); // loads ethers: only when a receipt is read
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

/** A value at a dotted path of a JSON value ("issuingAuthority.name"), or undefined. */
function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);
}

/** The number a JSON document carries at `field` (a dotted path), for --reference-field; names the file when it has none. */
export async function referenceFromDocument(file: string, field: string): Promise<string> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch {
    throw new UsageError(`${file}: --reference-field reads JSON documents, and this one is not JSON`);
  }
  const value = at(json, field);
  if (typeof value === "string" && value.trim() !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  throw new UsageError(`${file} has no ${field} to file it under (a string or a number): give --reference NUMBER, or another --reference-field`);
}

/** The scheme of --scheme, else the usual one of the document type; a usage error when neither gives one. */
export async function schemeFor(scheme: string | undefined, docType: string): Promise<import("../../sdk/references.js").ReferenceScheme> {
  const { defaultReferenceScheme, parseReferenceScheme } = await import("../../sdk/references.js");
  if (scheme !== undefined) {
    try {
      return parseReferenceScheme(scheme);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const usual = defaultReferenceScheme(docType);
  if (!usual) throw new UsageError(`document type ${docType} has no usual kind of number: name one with --scheme (certificate, invoice, transport, declaration, free)`);
  return usual;
}
