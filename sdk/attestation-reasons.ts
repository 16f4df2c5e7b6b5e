import { InvalidArgumentError } from "./errors.js";

/**
 * The reasons an outcome can give (`attest(docHash, outcome, reasonCode)`): why customs or an agency checked a
 * document, or why it refused it. The contract stores any code from 0 to 65,535; this list names codes 1 to 999
 * for every member alike (README: "Attestation reasons"), and 1,000 to 65,535 are an administration's own,
 * shown by number. 0 gives no reason. A code, once listed, keeps its meaning: new reasons take new codes.
 */
export const ATTESTATION_REASONS = [
  { code: 1, id: "DOCUMENTARY_CHECK", name: "Documentary check" },
  { code: 2, id: "PHYSICAL_EXAMINATION", name: "Physical examination of the goods" },
  { code: 3, id: "CONFIRMED_WITH_ISSUER", name: "Confirmed with the issuing body" },
  { code: 4, id: "RISK_SELECTION", name: "Selected by risk profiling" },
  { code: 5, id: "RANDOM_SELECTION", name: "Selected at random" },
  { code: 20, id: "NOT_ANCHORED", name: "Not found on the ledger" },
  { code: 21, id: "CONTENT_MISMATCH", name: "Does not match the declaration or the goods" },
  { code: 22, id: "REVOKED_OR_REPLACED", name: "Revoked or replaced before it was presented" },
  { code: 23, id: "ISSUER_NOT_AUTHORISED", name: "Issuer not authorised for this document" },
  { code: 24, id: "OUT_OF_VALIDITY", name: "Outside its period of validity" },
  { code: 25, id: "SUSPECTED_FORGERY", name: "Suspected forgery" },
  { code: 26, id: "INCOMPLETE", name: "Incomplete or illegible" },
] as const;

export type AttestationReasonId = (typeof ATTESTATION_REASONS)[number]["id"];

/** The first code an administration may use for reasons of its own. */
export const OWN_REASON_CODES_FROM = 1_000;

/**
 * A reason code as a verification result shows it: its code, and its name when the list has one; undefined for
 * 0 (no reason given).
 *
 * @example
 * ```ts
 * import { attestationReason } from "./sdk/index.js";
 * attestationReason(21);   // { code: 21, name: "Does not match the declaration or the goods" }
 * attestationReason(4711); // { code: 4711 } (an administration's own code)
 * ```
 */
export function attestationReason(code: number): { code: number; name?: string } | undefined {
  if (code === 0) return undefined;
  const listed = ATTESTATION_REASONS.find((r) => r.code === code);
  return listed ? { code, name: listed.name } : { code };
}

/**
 * The code of a reason given by its id (`"CONTENT_MISMATCH"`, any case) or its number (1 to 65,535; 0 for none).
 * Throws InvalidArgumentError, listing the ids, for anything else, a number from 1 to 999 that the list does not
 * name included (those codes are kept for the list).
 */
export function parseAttestationReason(reason: string | number): number {
  const text = String(reason).trim();
  if (/^\d+$/.test(text)) {
    const code = Number(text);
    if (code === 0 || (code >= OWN_REASON_CODES_FROM && code <= 65_535) || ATTESTATION_REASONS.some((r) => r.code === code)) return code;
    throw new InvalidArgumentError(
      code > 65_535
        ? `The reason code ${code} is too large: codes go up to 65535.`
        : `The reason code ${code} is not on the list; codes below ${OWN_REASON_CODES_FROM} are kept for it. Give one of ${reasonIds()}, or a code of your administration's own from ${OWN_REASON_CODES_FROM} to 65535.`,
    );
  }
  const listed = ATTESTATION_REASONS.find((r) => r.id === text.toUpperCase().replace(/[\s-]+/g, "_"));
  if (listed) return listed.code;
  throw new InvalidArgumentError(`Unknown reason "${text}". Give one of ${reasonIds()}, or a code of your administration's own from ${OWN_REASON_CODES_FROM} to 65535.`);
}

const reasonIds = () => ATTESTATION_REASONS.map((r) => r.id).join(", ");

/**
 * An ATTESTED event's details with the reason's name beside its code when the list names it
 * (`{ outcome, reasonCode: 21, reason: "Does not match the declaration or the goods" }`): how history and audit
 * show it. Other details come back as they are.
 */
export function withReasonName<T extends Record<string, unknown>>(details: T): T & { reason?: string } {
  const name = typeof details.reasonCode === "number" ? attestationReason(details.reasonCode)?.name : undefined;
  return name === undefined ? details : { ...details, reason: name };
}
