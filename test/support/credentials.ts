// Checks of anchor credentials by libraries Tradeproof's own verifier (sdk/credentials.ts, on jose) does not use:
// OpenSSL through node:crypto for the ES256 envelope, @digitalbazaar/vc-bitstring-status-list for the status lists.
import { createPublicKey, verify as cryptoVerify, type JsonWebKey } from "node:crypto";
import { decodeList, getCredentialStatus } from "@digitalbazaar/vc-bitstring-status-list";
import type { DidDocument } from "../../sdk/credentials.js";

/** The JOSE header (0) or payload (1) of a compact JWS. */
export const part = (jwt: string, i: 0 | 1) => JSON.parse(Buffer.from(jwt.split(".")[i]!, "base64url").toString("utf8"));

/** ES256 verification by OpenSSL through node:crypto, with the JWK the DID document lists under the header's kid. */
export function opensslVerifies(jwt: string, didDoc: DidDocument): boolean {
  const { kid, alg } = part(jwt, 0);
  if (alg !== "ES256") return false;
  const method = didDoc.verificationMethod.find((m) => m.id === kid);
  if (!method || method.revoked || !didDoc.assertionMethod.includes(kid)) return false;
  const [h, p, s] = jwt.split(".");
  const key = createPublicKey({ key: method.publicKeyJwk as JsonWebKey, format: "jwk" });
  return cryptoVerify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(s!, "base64url"));
}

/** The status bit of `credential` for `purpose`, read from the list credential `listJwt` by the independent library. */
export async function independentStatusBit(credential: object, purpose: "revocation" | "message", listJwt: string): Promise<boolean> {
  const entry = getCredentialStatus({ credential, statusPurpose: purpose });
  const list = part(listJwt, 1);
  if (list.id !== entry.statusListCredential) throw new Error(`the list is ${list.id}, the entry names ${entry.statusListCredential}`);
  return (await decodeList({ encodedList: list.credentialSubject.encodedList })).getStatus(Number(entry.statusListIndex));
}
