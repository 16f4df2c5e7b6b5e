// Anchor credentials (README, "Anchor credentials", normative): a W3C Verifiable Credential 2.0 that says a document is
// anchored on this ledger, secured as `application/vc+jwt` (VC-JOSE-COSE) by the ledger's did:web, with its status in
// two Bitstring Status Lists. This file holds the format and the verifier; the API issues (api/credentials/).
import { compactVerify, decodeProtectedHeader, importJWK, type JWK, type CryptoKey } from "jose";
import { z } from "zod";
import { Bitstring, STATUS_LIST_SIZE, type StatusPurpose } from "./status-list.js";
import type { Hex, OrgKind } from "./types.js";

export const VC_CONTEXT = "https://www.w3.org/ns/credentials/v2";
export const CREDENTIAL_TYPE = "TradeproofAnchorCredential";
/** The JOSE `typ` of a credential and of a status list (VC-JOSE-COSE, "Securing JSON-LD Verifiable Credentials with JOSE"). */
export const VC_JWT_TYP = "vc+jwt";
export const VC_JWT_MEDIA_TYPE = "application/vc+jwt";
export const HASH_METHOD = "SHA-256 of the file's bytes; of its RFC 8785 (JCS) canonical form for a JSON document";

/** One `credentialStatus` entry (Bitstring Status List, "BitstringStatusListEntry"). */
export interface StatusEntry {
  id: string;
  type: "BitstringStatusListEntry";
  statusPurpose: "revocation" | "message";
  statusListIndex: string;
  statusListCredential: string;
  statusSize?: 1;
  statusMessage?: { status: string; message: string }[];
}

/** What the credential says of the anchored document (its `credentialSubject`). */
export interface AnchorSubject {
  type: "AnchoredDocument";
  docHash: Hex;
  /** The same hash as a Subresource Integrity string (VC 2.0, "Integrity of Related Resources"), for verifiers that check related resources. */
  digestSRI: string;
  hashMethod: string;
  documentType: { code: string; name?: string };
  issuedBy: { organisation: number; name: string; country: string; kind: OrgKind; account: Hex; accounts: Hex[] };
  anchor: { chainId: number; registry: Hex; transaction: Hex; block: number; anchoredAt: string; batch?: { root: Hex; public: boolean } };
  approvals?: { required: number; given: number };
}

/** The credential (the JWT's payload). */
export interface AnchorCredential {
  "@context": [typeof VC_CONTEXT];
  type: ["VerifiableCredential", typeof CREDENTIAL_TYPE];
  issuer: { id: string; name: string };
  validFrom: string;
  credentialSubject: AnchorSubject;
  credentialStatus: [StatusEntry, StatusEntry];
  /** JWT claims beside the credential: the issuer again, and when this copy was signed. */
  iss: string;
  iat: number;
}

/** A status list credential (Bitstring Status List, "BitstringStatusListCredential"), the JWT's payload. */
export interface StatusListCredential {
  "@context": [typeof VC_CONTEXT];
  id: string;
  type: ["VerifiableCredential", "BitstringStatusListCredential"];
  issuer: string;
  validFrom: string;
  validUntil: string;
  credentialSubject: { id: string; type: "BitstringStatusList"; statusPurpose: "revocation" | "message"; encodedList: string; ttl: number };
  iss: string;
  iat: number;
}

/** The list credential's path under the API for a purpose and list number: /v1/status/revocation/0. */
export const statusListPath = (purpose: StatusPurpose, list: number) => `/v1/status/${purpose}/${list}`;

/** The messages of the `superseded` list, whose purpose is `message` with one bit (Bitstring Status List, "BitstringStatusListEntry"). */
export const SUPERSEDED_MESSAGES = [
  { status: "0x0", message: "current" },
  { status: "0x1", message: "superseded" },
];

/** The two status entries of a document with status index `index`, its lists served under `apiUrl`. */
export function statusEntries(apiUrl: string, index: number): [StatusEntry, StatusEntry] {
  const list = Math.floor(index / STATUS_LIST_SIZE);
  const at = String(index % STATUS_LIST_SIZE);
  const url = (purpose: StatusPurpose) => `${apiUrl.replace(/\/$/, "")}${statusListPath(purpose, list)}`;
  return [
    { id: `${url("revocation")}#${at}`, type: "BitstringStatusListEntry", statusPurpose: "revocation", statusListIndex: at, statusListCredential: url("revocation") },
    {
      id: `${url("superseded")}#${at}`, type: "BitstringStatusListEntry", statusPurpose: "message", statusListIndex: at, statusListCredential: url("superseded"),
      statusSize: 1, statusMessage: SUPERSEDED_MESSAGES,
    },
  ];
}

/** The `sha256-<base64>` SRI form of a document hash. */
export const digestSri = (docHash: Hex) => `sha256-${Buffer.from(docHash.slice(2), "hex").toString("base64")}`;

// ---------------------------------------------------------------------------------------------------------------
// Verification

/** A DID document as the ledger publishes it (api/identity/did.ts). */
export interface DidDocument {
  id: string;
  verificationMethod: { id: string; type: string; controller: string; publicKeyJwk: JWK; revoked?: string }[];
  assertionMethod: string[];
}

/** What a verifier has of a status list: its signed credential and when it was fetched. */
export interface FetchedStatusList {
  jwt: string;
  fetchedAt: string;
}

/** Where a verifier gets the issuer's DID document and status lists: the network, or a cache (offline). */
export interface CredentialSources {
  didDocument(did: string): Promise<{ document: DidDocument; fetchedAt: string }>;
  /** The status list credential at `url`, or undefined when it cannot be had. */
  statusList(url: string): Promise<FetchedStatusList | undefined>;
}

export type CredentialVerdict = "VALID" | "REVOKED" | "SUPERSEDED" | "INVALID" | "STATUS_UNKNOWN";

export interface CredentialCheck {
  /** VALID only when the signature, the issuer, both status bits and (when given) the document all check. */
  verdict: CredentialVerdict;
  /** Why, when not VALID: a stable code and a sentence. */
  problem?: { code: string; message: string };
  credential?: AnchorCredential;
  /** The verification method that signed it. */
  signedBy?: string;
  /** Each status list read: its purpose, the bit, when the copy was fetched and how old it is. */
  statuses: { purpose: StatusPurpose; url: string; set?: boolean; fetchedAt?: string; ageSeconds?: number; validUntil?: string; problem?: string }[];
  /** When a document (its hash) was given: whether it is the credential's. */
  documentMatches?: boolean;
  /** The issuer's DID document the signature was checked with: when that copy was fetched and how old it is. */
  didDocument?: { id: string; fetchedAt: string; ageSeconds: number };
}

/** Seconds from `fetchedAt` to `now`, never negative. */
const ageAt = (now: Date, fetchedAt: string) => Math.max(0, Math.round((now.getTime() - Date.parse(fetchedAt)) / 1000));

const fail = (code: string, message: string, rest: Partial<CredentialCheck> = {}): CredentialCheck => ({ verdict: "INVALID", problem: { code, message }, statuses: [], ...rest });

const keyCache = new Map<string, CryptoKey | Uint8Array>();
const keyId = (jwk: JWK) => `${jwk.crv}:${jwk.x}:${jwk.y}`;

async function keyOf(jwk: JWK): Promise<CryptoKey | Uint8Array> {
  const id = keyId(jwk);
  let key = keyCache.get(id);
  if (!key) keyCache.set(id, (key = await importJWK({ ...jwk, ext: true }, jwk.alg ?? "ES256")));
  return key;
}

type Problem = { problem: { code: string; message: string } };
type Method = DidDocument["verificationMethod"][number];

/** The verification method `kid` when it may verify now: a key of `did`, listed, an assertion method, and not revoked. */
function usableMethod(kid: string, did: string, document: DidDocument): { method: Method } | Problem {
  if (!kid.startsWith(`${did}#`)) return { problem: { code: "OTHER_ISSUER", message: `It is signed by ${kid || "an unnamed key"}, not by a key of ${did}.` } };
  const method = document.verificationMethod.find((m) => m.id === kid);
  if (!method) return { problem: { code: "UNKNOWN_KEY", message: `${did} lists no key ${kid}.` } };
  if (method.revoked) return { problem: { code: "RETIRED_KEY", message: `The key ${kid} was retired on ${method.revoked}; it verifies nothing.` } };
  if (!document.assertionMethod.includes(kid)) return { problem: { code: "UNKNOWN_KEY", message: `${kid} is not an assertion method of ${did}.` } };
  return { method };
}

/**
 * Checks a compact JWS against the DID document: its `kid` must be a usable method ({@link usableMethod}), and the
 * signature must verify with it. Returns the payload and the method, or a problem.
 */
async function verifyJws(jwt: string, did: string, document: DidDocument, expectedTyp: string): Promise<{ payload: Record<string, unknown>; method: Method } | Problem> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    return { problem: { code: "MALFORMED", message: "This is not a compact JWS (three base64url parts with a JSON header)." } };
  }
  if (header.typ !== expectedTyp) return { problem: { code: "MALFORMED", message: `The JOSE header's typ is ${JSON.stringify(header.typ)}, not "${expectedTyp}".` } };
  const usable = usableMethod(typeof header.kid === "string" ? header.kid : "", did, document);
  if ("problem" in usable) return usable;
  try {
    const { payload } = await compactVerify(jwt, await keyOf(usable.method.publicKeyJwk), { algorithms: ["ES256"] });
    return { payload: JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>, method: usable.method };
  } catch {
    return { problem: { code: "BAD_SIGNATURE", message: "The signature does not verify: the credential was altered or not signed by this key." } };
  }
}

/** DID documents already checked for their shape (a verifier of many credentials is handed the same copy each time). */
const checkedDocuments = new WeakSet<object>();

/**
 * Status lists already verified and decoded, by their JWS, with the key that signed them: a verifier of many
 * credentials decodes each list once, yet asks each time whether that key still verifies (it may have been retired).
 */
const decodedLists = new Map<string, { list: Bitstring; purpose: string; validUntil: string; id: string; issuers: string[]; signer: { kid: string; key: string } }>();

/** Whether the key that signed a list still verifies for `did`: the same key, still a usable method of the document. */
function stillSigns(signer: { kid: string; key: string }, did: string, document: DidDocument): boolean {
  const usable = usableMethod(signer.kid, did, document);
  return "method" in usable && keyId(usable.method.publicKeyJwk) === signer.key;
}

/**
 * Verifies an anchor credential: the envelope and signature against the issuer's DID document, that the issuer is the
 * ledger the caller trusts (`trustedIssuer`), each status bit from its signed list (an expired or missing list gives
 * STATUS_UNKNOWN, never VALID), and when `docHash` is given that the document is the credential's.
 */
export async function verifyCredential(jwt: string, opts: { trustedIssuer: string; sources: CredentialSources; docHash?: Hex; now?: Date }): Promise<CredentialCheck> {
  const now = opts.now ?? new Date();
  const { trustedIssuer, sources } = opts;
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(Buffer.from(jwt.trim().split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return fail("MALFORMED", "This is not a vc+jwt credential (a compact JWS with a JSON payload).");
  }
  const issuer = (payload.issuer as { id?: unknown } | undefined)?.id ?? payload.issuer;
  if (typeof issuer !== "string") return fail("MALFORMED", "The credential names no issuer.");
  if (issuer !== trustedIssuer) return fail("OTHER_LEDGER", `The credential was issued by ${issuer}, not by this ledger (${trustedIssuer}).`);
  let did: Awaited<ReturnType<CredentialSources["didDocument"]>>;
  try {
    did = await sources.didDocument(issuer);
  } catch (e) {
    // The signature cannot be checked at all: never a verdict that implies it was good.
    return fail("NO_DID_DOCUMENT", `The signature cannot be checked: the DID document of ${issuer} cannot be had: ${(e as Error).message}`);
  }
  if (!checkedDocuments.has(did.document)) {
    const shape = DidDocumentShape.safeParse(did.document);
    if (!shape.success) return fail("NO_DID_DOCUMENT", `The signature cannot be checked: what was had as the DID document of ${issuer} is not one (${firstIssue(shape.error)}).`);
    checkedDocuments.add(did.document);
  }
  // did:web resolution ends at a URL: the document found there must say it is this DID's (Controlled Identifiers, "Subjects").
  if (did.document.id !== issuer) return fail("OTHER_DID_DOCUMENT", `The DID document had for ${issuer} is that of ${did.document.id}.`);
  // Offline, how old the copy is matters as much as the lists' age: a key retired since is still trusted by it.
  const didDocument = { id: issuer, fetchedAt: did.fetchedAt, ageSeconds: ageAt(now, did.fetchedAt) };
  const checked = await verifyJws(jwt.trim(), issuer, did.document, VC_JWT_TYP);
  if ("problem" in checked) return fail(checked.problem.code, checked.problem.message, { didDocument });
  const signedBy = checked.method.id;
  // VC-JOSE-COSE: the JWT claim iss, when present, must be the credential's issuer; ours always carries it.
  if (checked.payload.iss !== issuer) {
    return fail("ISSUER_MISMATCH", `The JWT's iss is ${JSON.stringify(checked.payload.iss)}, but the credential's issuer is ${issuer}: they must be the same.`, { signedBy, didDocument });
  }
  const parsed = AnchorCredentialShape.safeParse(checked.payload);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path[0];
    const message = path === "@context" || path === "type" ? `The payload is not a ${CREDENTIAL_TYPE} of the VC 2.0 data model.` : `The credential is malformed: ${firstIssue(parsed.error)}.`;
    return fail("MALFORMED", message, { signedBy, didDocument });
  }
  const credential = checked.payload as unknown as AnchorCredential;
  const result: CredentialCheck = { verdict: "VALID", credential, signedBy, statuses: [], didDocument };
  if (opts.docHash !== undefined) {
    result.documentMatches = opts.docHash.toLowerCase() === credential.credentialSubject.docHash.toLowerCase();
    if (!result.documentMatches) {
      return { ...result, verdict: "INVALID", problem: { code: "OTHER_DOCUMENT", message: `The document's hash is ${opts.docHash}; the credential is of ${credential.credentialSubject.docHash}.` } };
    }
  }
  const entries = credential.credentialStatus;
  for (const [purpose, entry] of [["revocation", entries.find((e) => e.statusPurpose === "revocation")!], ["superseded", entries.find((e) => e.statusPurpose === "message")!]] as const) {
    const status: CredentialCheck["statuses"][number] = { purpose, url: entry.statusListCredential };
    result.statuses.push(status);
    const fetched = await sources.statusList(entry.statusListCredential).catch(() => undefined);
    if (!fetched) {
      status.problem = "the status list cannot be had";
      continue;
    }
    status.fetchedAt = fetched.fetchedAt;
    status.ageSeconds = ageAt(now, fetched.fetchedAt);
    let list = decodedLists.get(fetched.jwt);
    // A list decoded before is taken again only while the key that signed it still verifies; else it is checked in full, and refused.
    if (list && !stillSigns(list.signer, issuer, did.document)) list = undefined;
    if (!list) {
      const signed = await verifyJws(fetched.jwt, issuer, did.document, VC_JWT_TYP);
      if ("problem" in signed) {
        status.problem = `the status list does not verify: ${signed.problem.message}`;
        continue;
      }
      const listShape = StatusListShape.safeParse(signed.payload);
      if (!listShape.success) {
        status.problem = `the status list is malformed: ${firstIssue(listShape.error)}`;
        continue;
      }
      const { id, validUntil, credentialSubject: subject } = listShape.data;
      // The list's issuer, as VC 2.0 writes it (a URL, or an object with an id), and the JWT's iss beside it.
      const named = listShape.data.issuer;
      const issuers = [typeof named === "string" ? named : named.id, ...(listShape.data.iss !== undefined ? [listShape.data.iss] : [])];
      try {
        list = { list: Bitstring.decode(subject.encodedList), purpose: subject.statusPurpose, validUntil, id, issuers, signer: { kid: signed.method.id, key: keyId(signed.method.publicKeyJwk) } };
      } catch (e) {
        status.problem = `the status list is malformed: ${(e as Error).message}`;
        continue;
      }
      if (decodedLists.size > 64) decodedLists.clear();
      decodedLists.set(fetched.jwt, list);
    }
    status.validUntil = list.validUntil;
    // Signed by the issuer's key, yet saying it is another's: not this issuer's list (Bitstring Status List, "Validate Algorithm").
    const otherIssuer = list.issuers.find((i) => i !== issuer);
    if (otherIssuer !== undefined) {
      status.problem = `the status list names ${JSON.stringify(otherIssuer)} as its issuer, not ${issuer}`;
      continue;
    }
    if (list.id !== entry.statusListCredential || list.purpose !== entry.statusPurpose) {
      status.problem = `the list at ${entry.statusListCredential} is another list (${list.id}, ${list.purpose})`;
      continue;
    }
    if (!(Date.parse(list.validUntil) > now.getTime())) {
      status.problem = `the status list expired at ${list.validUntil}`;
      continue;
    }
    status.set = list.list.get(Number(entry.statusListIndex));
  }
  const revoked = result.statuses.find((s) => s.purpose === "revocation");
  const superseded = result.statuses.find((s) => s.purpose === "superseded");
  if (revoked?.set) return { ...result, verdict: "REVOKED", problem: { code: "REVOKED", message: "The ledger has revoked this document." } };
  if (superseded?.set) return { ...result, verdict: "SUPERSEDED", problem: { code: "SUPERSEDED", message: "The ledger has replaced this document by a newer version." } };
  const unknown = result.statuses.find((s) => s.problem);
  if (unknown) return { ...result, verdict: "STATUS_UNKNOWN", problem: { code: "STATUS_UNKNOWN", message: `The signature is good, but its status is unknown: ${unknown.purpose}: ${unknown.problem}.` } };
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// What a verifier reads of a signed payload, checked before it is read: a payload the ledger would never sign is
// MALFORMED, never an exception. Other members are let through (a later version of the format may add some).

/** The first thing wrong, as `path: message`. */
const firstIssue = (error: z.ZodError) => {
  const issue = error.issues[0]!;
  return `${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`;
};

const DidDocumentShape = z.looseObject({
  id: z.string(),
  verificationMethod: z.array(z.looseObject({ id: z.string(), publicKeyJwk: z.looseObject({}), revoked: z.string().optional() })),
  assertionMethod: z.array(z.unknown()),
});

/** Bitstring Status List, "BitstringStatusListEntry": statusListIndex is a base-10 integer as a string; ours fall within one list. */
const StatusEntryShape = z.looseObject({
  type: z.literal("BitstringStatusListEntry"),
  statusPurpose: z.string(),
  statusListIndex: z
    .string()
    .regex(/^[0-9]+$/, "not a base-10 integer string")
    .refine((index) => Number(index) < STATUS_LIST_SIZE, `beyond the ${STATUS_LIST_SIZE} entries of a list`),
  statusListCredential: z.url(),
});

const AnchorCredentialShape = z.looseObject({
  "@context": z.array(z.unknown()).refine((contexts) => contexts[0] === VC_CONTEXT),
  type: z.array(z.unknown()).refine((types) => types.includes("VerifiableCredential") && types.includes(CREDENTIAL_TYPE)),
  credentialSubject: z.looseObject({
    docHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "not a 0x document hash"),
    documentType: z.looseObject({ code: z.string() }),
    issuedBy: z.looseObject({ organisation: z.number(), name: z.string(), country: z.string(), kind: z.string() }),
    anchor: z.looseObject({ chainId: z.number(), block: z.number(), anchoredAt: z.string() }),
  }),
  credentialStatus: z
    .array(StatusEntryShape)
    .refine((entries) => entries.some((e) => e.statusPurpose === "revocation"), "no entry of statusPurpose revocation")
    .refine((entries) => entries.some((e) => e.statusPurpose === "message"), "no entry of statusPurpose message (superseded)"),
});

const StatusListShape = z.looseObject({
  id: z.string(),
  issuer: z.union([z.string(), z.looseObject({ id: z.string() })]),
  iss: z.string().optional(),
  validUntil: z.string(),
  credentialSubject: z.looseObject({ statusPurpose: z.string(), encodedList: z.string() }),
});
