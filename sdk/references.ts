// References: the number printed on a document (a certificate, invoice, transport document or declaration number),
// under which its issuer files it so that an officer holding only a printout or the number can find it.
// Normative (README, "Find a document by the number printed on it"): other systems compute the same commitment.
// This module loads no ethers: the web page and `tradeproof hash` paths may import it.
import { InvalidArgumentError } from "./errors.js";
import { docTypeName } from "./doctypes.js";
import { hashJson } from "./hash.js";
import type { Hex } from "./types.js";

/** The schemes a reference may belong to: what kind of number it is. Part of the commitment: never rename one. */
export const REFERENCE_SCHEMES = {
  certificate: "certificate number given by the issuing body (a certificate of origin, a phytosanitary certificate)",
  invoice: "commercial invoice number",
  transport: "transport document number (bill of lading, air waybill, CMR consignment note)",
  declaration: "customs declaration number (MRN)",
  free: "any other number the issuer prints on its documents",
} as const;
export type ReferenceScheme = keyof typeof REFERENCE_SCHEMES;

/** The most characters of a number as given (before normalisation). */
export const MAX_REFERENCE_LENGTH = 100;
/** The most letters and digits a normalised number keeps. */
export const MAX_NORMALISED_LENGTH = 64;

/** A document's number, as printed on it, and its scheme. */
export interface DocumentReference {
  scheme: ReferenceScheme;
  id: string;
}

/** The reference a receipt carries: the number as given, its scheme, and the commitment that went on chain. */
export interface ReceiptReference extends DocumentReference {
  commitment: Hex;
}

/** The version tag inside every commitment: a later rule gets a new tag, never a changed meaning. */
export const REFERENCE_TYPE = "tradeproof-reference/v1";

/** Checks a scheme name; the error lists the schemes. */
export function parseReferenceScheme(value: string): ReferenceScheme {
  const scheme = value.trim().toLowerCase();
  if (!Object.hasOwn(REFERENCE_SCHEMES, scheme)) {
    throw new InvalidArgumentError(`${JSON.stringify(value).slice(0, 40)} is not a reference scheme: use one of ${Object.keys(REFERENCE_SCHEMES).join(", ")}.`);
  }
  return scheme as ReferenceScheme;
}

/**
 * A number as it is compared: Unicode NFKC (full-width digits become digits), upper case, and only letters and
 * digits kept (spaces, hyphens, slashes, dots and every other separator dropped). "vn-sg 26/01/000123" and
 * "VN-SG 26/01/000123" both become "VNSG2601000123". Throws when nothing is left, or when it is too long.
 *
 * @example
 * ```ts
 * import { normaliseReferenceId } from "./sdk/index.js";
 * normaliseReferenceId("vn-sg 26/01/000123"); // "VNSG2601000123"
 * ```
 */
export function normaliseReferenceId(id: string): string {
  if (typeof id !== "string" || id.trim() === "") throw new InvalidArgumentError("The document number is empty.");
  if (id.length > MAX_REFERENCE_LENGTH) throw new InvalidArgumentError(`The document number is longer than ${MAX_REFERENCE_LENGTH} characters.`);
  const normalised = id.normalize("NFKC").toUpperCase().replace(/[^\p{L}\p{N}]/gu, "");
  if (normalised === "") throw new InvalidArgumentError(`The document number ${JSON.stringify(id)} has no letter or digit.`);
  if ([...normalised].length > MAX_NORMALISED_LENGTH) {
    throw new InvalidArgumentError(`The document number has more than ${MAX_NORMALISED_LENGTH} letters and digits.`);
  }
  return normalised;
}

/**
 * The commitment that goes on chain for a document `organisation` (its id on the ledger) registered under `reference`:
 * SHA-256 of the RFC 8785 form of `{"id": <normalised number>, "organisation": <id>, "scheme": <scheme>, "type":
 * "tradeproof-reference/v1"}`, the same rule as a JSON document's hash, so a browser computes it with the code that
 * hashes documents.
 *
 * @example
 * ```ts
 * import { referenceCommitment } from "./sdk/index.js";
 * referenceCommitment(2, { scheme: "certificate", id: "VN-SG 26/01/000123" }); // "0x…"
 * ```
 */
export function referenceCommitment(organisation: number, reference: DocumentReference): Hex {
  if (!Number.isInteger(organisation) || organisation < 1 || organisation > 0xffffff) {
    throw new InvalidArgumentError(`${organisation} is not an organisation id (1 to 16,777,215).`);
  }
  const scheme = parseReferenceScheme(reference.scheme);
  return hashJson({ id: normaliseReferenceId(reference.id), organisation, scheme, type: REFERENCE_TYPE });
}

/**
 * The scheme a document type's number usually belongs to, from its UNTDID 1001 name: a certificate, an invoice, a
 * bill of lading, waybill or consignment note, a declaration; undefined for any other type (the caller names one).
 *
 * @example
 * ```ts
 * import { defaultReferenceScheme } from "./sdk/index.js";
 * defaultReferenceScheme(861); // "certificate"
 * ```
 */
export function defaultReferenceScheme(docType: string | number): ReferenceScheme | undefined {
  const name = docTypeName(docType)?.toLowerCase() ?? "";
  if (/\binvoice\b/.test(name)) return "invoice";
  if (/bill of lading|waybill|consignment note/.test(name)) return "transport";
  if (/\bdeclaration\b/.test(name)) return "declaration";
  if (/\bcertificate\b/.test(name)) return "certificate";
  return undefined;
}

/** Checks a reference given by a caller (scheme known, number not empty nor too long) and returns it with its scheme normalised. */
export function parseReference(value: { scheme: string; id: string }): DocumentReference {
  const scheme = parseReferenceScheme(value.scheme);
  normaliseReferenceId(value.id);
  return { scheme, id: value.id };
}
