// Issues anchor credentials and status list credentials (README, "Anchor credentials"), signed by the ledger's current
// key as vc+jwt (VC-JOSE-COSE: typ "vc+jwt", kid the DID URL of the verification method).
import { CompactSign, importJWK, type CryptoKey } from "jose";
import {
  CREDENTIAL_TYPE, HASH_METHOD, VC_CONTEXT, VC_JWT_TYP, digestSri, statusEntries, statusListPath,
  type AnchorCredential, type StatusListCredential,
} from "../../sdk/credentials.js";
import { docTypeName, type Hex, type Organisation, type Receipt, type VerificationResult } from "../../sdk/index.js";
import { STATUS_PURPOSES, type StatusPurpose } from "../../sdk/status-list.js";
import type { Chain } from "../chain.js";
import { onChain } from "../chain.js";
import type { Documents } from "../documents/documents.js";
import { conflict, notFound, unprocessable } from "../errors.js";
import type { LedgerKeys } from "../identity/keys.js";
import type { StatusIndexes } from "./status-indexes.js";
import type { StatusLists } from "./status-lists.js";

/** How long a status list credential is valid, and how often verifiers online should fetch it again. */
export interface StatusListTiming {
  validitySeconds: number;
  ttlSeconds: number;
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const MAX_CACHED = 50_000;

export class CredentialIssuer {
  private readonly signers = new Map<string, CryptoKey | Uint8Array>();
  /** Signed credentials by document, for the head they were read at and the key that signed them. */
  private readonly issued = new Map<string, { head: number; kid: string; jwt: string }>();
  private readonly organisations = new Map<string, { head: number; org: Promise<Organisation> }>();
  private readonly lists = new Map<string, { block: number; kid: string; signedAt: number; jwt: string }>();

  constructor(
    private readonly deps: {
      did: string;
      publicUrl: string;
      keys: LedgerKeys;
      chain: Chain;
      documents: Documents;
      indexes: StatusIndexes;
      statusLists: StatusLists;
      /** The chain head reads are memoised at (undefined: no memo). */
      head: () => number | undefined;
      timing: StatusListTiming;
    },
  ) {}

  /** Signs `payload` as vc+jwt with the key that signs now. */
  private async sign(payload: object): Promise<{ jwt: string; kid: string }> {
    const keys = await this.deps.keys.get();
    const key = keys.keys.find((k) => k.kid === keys.current)!;
    let signer = this.signers.get(key.kid);
    if (!signer) this.signers.set(key.kid, (signer = await importJWK(key.privateJwk, "ES256")));
    const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: "ES256", typ: VC_JWT_TYP, kid: `${this.deps.did}#${key.kid}` })
      .sign(signer);
    return { jwt, kid: key.kid };
  }

  /** The credential of a VALID document (its receipt needed only for a private batch's). */
  async credential(docHash: Hex, receipt?: Receipt): Promise<string> {
    const head = this.deps.head();
    const keys = await this.deps.keys.get();
    const cached = receipt ? undefined : this.issued.get(docHash);
    if (cached && head !== undefined && cached.head === head && cached.kid === keys.current) return cached.jwt;
    const read = async () =>
      receipt ? await onChain(async () => (await this.deps.chain.sdk()).verify(docHash, { receipt })) : (await this.deps.documents.verify([docHash]))[0]!;
    let result = await read();
    refuseUnlessValid(result);
    const anchor = (result.batch?.root ?? docHash) as Hex;
    const { index, created } = await this.deps.indexes.assign(docHash, anchor, result.batch && !result.batch.public ? receipt : undefined);
    // A document's first index is stored before the verdict the credential states is read again: a status list built
    // while the row did not exist yet may have passed over a revocation that came in between, and this read sees it.
    if (created) refuseUnlessValid((result = await read()));
    const org = await this.organisationOf(result.issuer!.account, head);
    const { deployment } = this.deps.chain;
    const credential: AnchorCredential = {
      "@context": [VC_CONTEXT],
      type: ["VerifiableCredential", CREDENTIAL_TYPE],
      issuer: { id: this.deps.did, name: "Tradeproof ledger" },
      validFrom: result.anchoredAt!,
      credentialSubject: {
        type: "AnchoredDocument",
        docHash,
        digestSRI: digestSri(docHash),
        hashMethod: HASH_METHOD,
        documentType: { code: result.docType!.code, ...(docTypeName(result.docType!.code) ? { name: docTypeName(result.docType!.code) } : {}) },
        issuedBy: { organisation: org.id, name: org.name, country: org.country, kind: org.kind, account: result.issuer!.account, accounts: org.accounts },
        anchor: {
          chainId: deployment.chainId, registry: deployment.registry.toLowerCase() as Hex, transaction: result.txHash!, block: result.blockNumber!,
          anchoredAt: result.anchoredAt!, ...(result.batch ? { batch: result.batch } : {}),
        },
        ...(result.approvals ? { approvals: result.approvals } : {}),
      },
      credentialStatus: statusEntries(this.deps.publicUrl, index),
      iss: this.deps.did,
      iat: Math.floor(Date.now() / 1000),
    };
    const { jwt, kid } = await this.sign(credential);
    if (!receipt && head !== undefined) {
      if (this.issued.size >= MAX_CACHED) this.issued.clear();
      this.issued.set(docHash, { head, kid, jwt });
    }
    return jwt;
  }

  /** The organisation an account belongs to, read once per head. */
  private organisationOf(account: Hex, head: number | undefined): Promise<Organisation> {
    const hit = this.organisations.get(account);
    if (hit && head !== undefined && hit.head === head) return hit.org;
    const org = onChain(async () => {
      const [id] = await this.deps.chain.registry.accountOf(account);
      return (await this.deps.chain.sdk()).organisation(Number(id));
    });
    org.catch(() => this.organisations.delete(account));
    if (head !== undefined) this.organisations.set(account, { head, org });
    return org;
  }

  /** Brings the status lists up to date in the background (an instance starting): the first list asked for is then quick. */
  warm(onError: (e: unknown) => void): void {
    this.deps.statusLists.refresh().catch(onError);
  }

  /** The URL of every status list in use, both purposes. */
  async listUrls(): Promise<string[]> {
    const last = await this.deps.indexes.lastList();
    return Array.from({ length: last + 1 }, (_, list) => STATUS_PURPOSES.map((p) => `${this.deps.publicUrl}${statusListPath(p, list)}`)).flat();
  }

  /**
   * The status list credential of a purpose and list number, from bits brought up to the index's cursor; signed again
   * when the bits moved, the key changed, or a tenth of its validity has passed.
   */
  async statusList(purpose: StatusPurpose, list: number): Promise<string> {
    // Only lists in use exist: a list asked for by any number would otherwise be built, signed and kept for each.
    const last = await this.deps.indexes.lastList();
    if (list > last) throw notFound("NO_SUCH_LIST", `There is no ${purpose} list ${list}: lists 0 to ${last} are in use (GET /v1/status).`);
    await this.deps.statusLists.refresh();
    const block = this.deps.statusLists.block ?? 0;
    const keys = await this.deps.keys.get();
    const key = `${purpose}:${list}`;
    const { validitySeconds, ttlSeconds } = this.deps.timing;
    const cached = this.lists.get(key);
    if (cached && cached.block === block && cached.kid === keys.current && Date.now() - cached.signedAt < (validitySeconds * 1000) / 10) return cached.jwt;
    const now = Date.now();
    const id = `${this.deps.publicUrl}${statusListPath(purpose, list)}`;
    const payload: StatusListCredential = {
      "@context": [VC_CONTEXT],
      id,
      type: ["VerifiableCredential", "BitstringStatusListCredential"],
      issuer: this.deps.did,
      validFrom: isoSeconds(now),
      validUntil: isoSeconds(now + validitySeconds * 1000),
      credentialSubject: {
        id: `${id}#list`,
        type: "BitstringStatusList",
        statusPurpose: purpose === "revocation" ? "revocation" : "message",
        encodedList: this.deps.statusLists.list(purpose, list).encode(),
        ttl: ttlSeconds * 1000,
      },
      iss: this.deps.did,
      iat: Math.floor(now / 1000),
    };
    const { jwt, kid } = await this.sign(payload);
    this.lists.set(key, { block, kid, signedAt: now, jwt });
    return jwt;
  }
}

/** A credential says a document is anchored and in force: none for one that is not found, pending, revoked or replaced. */
function refuseUnlessValid(result: VerificationResult): void {
  switch (result.status) {
    case "VALID":
      return;
    case "NOT_FOUND":
      throw notFound("NOT_FOUND", "No document with this hash is anchored (a private batch's document needs its receipt: POST /v1/credentials).");
    case "PENDING":
      throw conflict("PENDING", `The document awaits approvals (${result.approvals?.given ?? 0} of ${result.approvals?.required ?? "?"}); a credential is issued once it is valid.`);
    case "REVOKED":
      throw conflict("REVOKED", "The document was revoked; no credential is issued for it.");
    case "SUPERSEDED":
      throw conflict("SUPERSEDED", `The document was replaced by ${result.supersededBy}; ask for the new version's credential.`);
    default:
      throw unprocessable("NOT_VALID", `The document is ${result.status as string}.`);
  }
}

