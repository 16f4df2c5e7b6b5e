import untdid1001 from "./data/untdid1001.json" with { type: "json" };

/** UNTDID 1001 (release D.22A) document name codes: `{ "861": "Certificate of origin", ... }`. */
export const UNTDID_1001: Readonly<Record<string, string>> = untdid1001;

/**
 * The UNTDID 1001 name of a document type code, or undefined for a code the list does not have.
 *
 * @example
 * ```ts
 * import { docTypeName } from "./sdk/index.js";
 * docTypeName(861);   // "Certificate of origin"
 * docTypeName("380"); // "Commercial invoice"
 * ```
 */
export function docTypeName(code: string | number): string | undefined {
  const key = String(code).trim();
  return Object.hasOwn(UNTDID_1001, key) ? UNTDID_1001[key] : undefined;
}
