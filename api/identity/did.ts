// The ledger's decentralised identifier (did:web) and its DID document: the public keys that verify what the ledger
// signs. Normative for other systems (README, "The ledger's identity").
import type { JWK } from "jose";
import type { LedgerKeyFile } from "./keys.js";

/**
 * The did:web of the API at `publicUrl`: the host (a port written %3A) and the path's segments joined by ":"
 * (W3C did:web method). `http://127.0.0.1:8080` → `did:web:127.0.0.1%3A8080`; `https://ledger.example.org/tp` →
 * `did:web:ledger.example.org:tp`.
 */
export function didWebFor(publicUrl: string): string {
  const url = new URL(publicUrl);
  const host = url.port ? `${url.hostname}%3A${url.port}` : url.hostname;
  const path = url.pathname.split("/").filter(Boolean).map(encodeURIComponent);
  return ["did:web", host, ...path].join(":");
}

/** Where a did:web's document is served: /.well-known/did.json at the root, else <path>/did.json. */
export function didDocumentPath(publicUrl: string): string {
  const path = new URL(publicUrl).pathname.replace(/\/$/, "");
  return path === "" ? "/.well-known/did.json" : `${path}/did.json`;
}

/** The public members of an EC JWK: nothing private ever reaches the document. */
const publicOnly = (jwk: JWK): JWK => ({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, alg: jwk.alg });

/**
 * The DID document: every key as a `JsonWebKey` verification method (W3C Controlled Identifiers 1.0) whose fragment
 * is its JWK thumbprint; the keys not retired are assertion methods (they verify the ledger's credentials, old ones
 * included); a retired key stays listed with `revoked`, and verifies nothing.
 */
export function didDocument(did: string, keys: LedgerKeyFile): Record<string, unknown> {
  const id = (kid: string) => `${did}#${kid}`;
  return {
    "@context": ["https://www.w3.org/ns/did/v1", "https://www.w3.org/ns/cid/v1"],
    id: did,
    verificationMethod: keys.keys.map((k) => ({
      id: id(k.kid),
      type: "JsonWebKey",
      controller: did,
      publicKeyJwk: publicOnly(k.publicJwk),
      ...(k.retiredAt ? { revoked: k.retiredAt } : {}),
    })),
    assertionMethod: keys.keys.filter((k) => !k.retiredAt).map((k) => id(k.kid)),
  };
}
