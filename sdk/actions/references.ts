import { InvalidArgumentError, ReferenceNotMemberError, SignerRequiredError, TradeproofError } from "../errors.js";
import { chunk, read, send, type ClientContext } from "../context.js";
import { normaliseReferenceId, parseReference, referenceCommitment, type DocumentReference, type ReceiptReference } from "../references.js";
import type { Hex, VerificationResult } from "../types.js";
import { anchorRecords, verifyMany } from "./verify.js";
import { members } from "./members.js";

/** Most references one `fileReferences` call of the contract files (its MAX_REFERENCES). */
export const MAX_REFERENCES_PER_CALL = 1024;

/** The deployment has no DocumentReferences contract (made before references existed). */
export class ReferencesUnavailableError extends TradeproofError {
  constructor() {
    super("This ledger's deployment has no references contract: documents cannot be filed or found under their numbers. Deploy it again, or ask its operator.", {
      code: "REFERENCES_UNAVAILABLE",
      name: "ReferencesUnavailableError",
    });
  }
}

function referencesOf(ctx: ClientContext) {
  if (!ctx.references) throw new ReferencesUnavailableError();
  return ctx.references;
}

/** The organisation of the client's signer; refused before any transaction when it has none. */
export async function signerOrganisation(ctx: ClientContext, action: string): Promise<number> {
  if (!ctx.signer) throw new SignerRequiredError(action);
  const account = await ctx.signer.getAddress();
  const [organisation, , active] = await read(ctx, () => ctx.registry.accountOf(account));
  if (organisation === 0n || !active) {
    throw new ReferenceNotMemberError({ errorName: "DocumentReferencesNotMember", args: [account] });
  }
  return Number(organisation);
}

/** The receipt field of `reference`, filed by `organisation`. */
export function receiptReference(organisation: number, reference: DocumentReference): ReceiptReference {
  const checked = parseReference(reference);
  return { ...checked, commitment: referenceCommitment(organisation, checked) };
}

/**
 * Files documents the signer's organisation registered under `anchor` (the document itself, or its public batch's
 * root) under their references' commitments, in calls of at most 1,024.
 */
export async function attachReferences(ctx: ClientContext, anchor: Hex, items: { docHash: Hex; commitment: Hex }[]): Promise<void> {
  const references = referencesOf(ctx);
  for (const part of chunk(items, MAX_REFERENCES_PER_CALL)) {
    await send(ctx, "attach references", () =>
      references.fileReferences.populateTransaction(
        anchor,
        part.map((i) => i.docHash),
        part.map((i) => i.commitment),
      ),
    );
  }
}

/**
 * Files documents the signer's organisation already registered under the numbers printed on them: `anchor` is the
 * document itself (registered alone) or its public batch's root. For a register that forgot its reference, or one
 * whose filing was interrupted. Returns the receipts' reference fields, in order.
 *
 * @example
 * ```ts
 * await client.fileReferences(docHash, [{ docHash, reference: { scheme: "invoice", id: "MCE-INV-2026-0871" } }]);
 * ```
 */
export async function fileReferences(ctx: ClientContext, anchor: Hex, items: { docHash: Hex; reference: DocumentReference }[]): Promise<ReceiptReference[]> {
  if (items.length === 0) throw new InvalidArgumentError("Give at least one document to file.");
  const organisation = await signerOrganisation(ctx, "fileReferences");
  const filed = items.map((i) => receiptReference(organisation, i.reference));
  await attachReferences(ctx, anchor.toLowerCase() as Hex, items.map((i, k) => ({ docHash: i.docHash.toLowerCase() as Hex, commitment: filed[k]!.commitment })));
  return filed;
}

export interface FindByReferenceParameters {
  /** The issuing organisation: its id on the ledger, or its name (exactly, letter case aside). */
  issuer: number | string;
  scheme: string;
  /** The number as printed; normalised before it is hashed. */
  id: string;
}

/** A document filed under a reference, and where the filing was recorded. */
export interface ReferencedDocument {
  /** The normative verification result: VALID, PENDING, REVOKED or SUPERSEDED (with `supersededBy`). */
  result: VerificationResult;
  /** The anchor the document was registered under (itself, or its public batch's root). */
  anchor: Hex;
  /** The transaction that filed the reference, and its block. */
  txHash: Hex;
  blockNumber: number;
}

export interface FindByReferenceReturnType {
  organisation: { id: number; name: string };
  reference: DocumentReference & { normalised: string; commitment: Hex };
  /** Newest first. Empty when nothing was filed under this reference by this organisation. */
  documents: ReferencedDocument[];
}

/** The organisation `issuer` names: an id, or a name compared without regard to letter case or surrounding spaces. */
export async function resolveIssuer(ctx: ClientContext, issuer: number | string): Promise<{ id: number; name: string }> {
  const all = await members(ctx);
  const byId = typeof issuer === "number" || /^\d+$/.test(String(issuer).trim()) ? Number(issuer) : undefined;
  const wanted = String(issuer).trim().toLowerCase();
  const named = byId !== undefined ? [] : all.filter((m) => m.name.trim().toLowerCase() === wanted);
  if (named.length > 1) {
    throw new InvalidArgumentError(`${named.length} organisations are called ${JSON.stringify(String(issuer).trim())} (${named.map((m) => `${m.id}, ${m.country}`).join("; ")}): give the number of the one that issued the document.`);
  }
  const found = byId !== undefined ? all.find((m) => m.id === byId) : named[0];
  if (!found) {
    throw new InvalidArgumentError(
      byId !== undefined ? `There is no organisation ${byId} on this ledger.` : `No member organisation is called ${JSON.stringify(String(issuer))}: give its full name or its number (see members).`,
    );
  }
  return { id: found.id, name: found.name };
}

/**
 * Finds the documents `issuer` registered under a number: the commitment of (issuer, scheme, number) is computed
 * here, the ledger's logs are read for it, and each document found is verified as any other. A document is kept
 * only when the registry names the same organisation as its issuer. Newest first.
 *
 * @example
 * ```ts
 * const found = await client.findByReference({ issuer: "Regional Export-Import Management Office, Ho Chi Minh City",
 *   scheme: "certificate", id: "VN-SG 26/01/000123" });
 * for (const d of found.documents) console.log(d.result.status, d.result.docHash);
 * ```
 */
export async function findByReference(ctx: ClientContext, params: FindByReferenceParameters): Promise<FindByReferenceReturnType> {
  const reference = parseReference({ scheme: params.scheme, id: params.id });
  referencesOf(ctx);
  const organisation = await resolveIssuer(ctx, params.issuer);
  const commitment = referenceCommitment(organisation.id, reference);
  const documents = await findByCommitment(ctx, organisation.id, commitment);
  return { organisation, reference: { ...reference, normalised: normaliseReferenceId(reference.id), commitment }, documents };
}

/**
 * The documents `organisation` filed under `commitment` (a reference's commitment, computed by the caller), newest
 * first, each verified; a document whose anchor another organisation made is left out. What {@link findByReference}
 * does once it has the commitment, for callers that receive only the commitment (the API: the web page hashes the
 * number in the browser).
 */
export async function findByCommitment(ctx: ClientContext, organisation: number, commitment: Hex): Promise<ReferencedDocument[]> {
  const references = referencesOf(ctx);
  const filter = references.filters.DocumentReferenced(commitment, organisation);
  const logs = await read(ctx, () => references.queryFilter(filter, ctx.deployment.startBlock));
  const filings = newestPerDocument(
    logs
      .map((log) => ({ docHash: (log.args.docHash as string).toLowerCase() as Hex, txHash: log.transactionHash as Hex, blockNumber: log.blockNumber, index: log.index }))
      .sort((a, b) => b.blockNumber - a.blockNumber || b.index - a.index),
  );
  const results = await verifyMany(ctx, filings.map((f) => ({ docHash: f.docHash })));
  const records = await anchorRecords(ctx, [...new Set(results.filter((r) => r.status !== "NOT_FOUND").map(anchorOf))]);
  return issuedBy(filings, results, (anchor) => records.get(anchor)?.organisation, organisation);
}

/** A filing of a document under a reference: the document, and the transaction and block that filed it. */
export interface Filing {
  docHash: Hex;
  txHash: Hex;
  blockNumber: number;
}

/** One filing a document, its newest, from filings listed newest first. */
export function newestPerDocument<F extends Filing>(filings: F[]): F[] {
  const seen = new Set<string>();
  return filings.filter((f) => !seen.has(f.docHash) && seen.add(f.docHash));
}

/** The anchor a document was found under: itself, or its public batch's root. */
/** The anchor a verified document stands on: its batch's root, or itself. */
export const anchorOf = (r: VerificationResult) => (r.batch?.root ?? r.docHash).toLowerCase() as Hex;

/**
 * The filed documents that count, with their verification results (`results[i]` of `filings[i]`): those found on the
 * ledger whose anchor `organisation` made (`anchorOrganisation` says who made an anchor). The SDK reads who from the
 * chain's logs, the API from its index.
 */
export function issuedBy(
  filings: Filing[],
  results: VerificationResult[],
  anchorOrganisation: (anchor: Hex) => number | undefined,
  organisation: number,
): ReferencedDocument[] {
  return filings
    .map((f, i) => ({ result: results[i]!, anchor: anchorOf(results[i]!), txHash: f.txHash, blockNumber: f.blockNumber }))
    .filter((d) => d.result.status !== "NOT_FOUND" && anchorOrganisation(d.anchor) === organisation);
}
