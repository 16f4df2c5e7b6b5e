// Check a Tradeproof anchor credential the way any verifier of W3C credentials can, from the specifications alone
// (no Tradeproof code): VC-JOSE-COSE for the envelope, did:web for the key, Bitstring Status List for the status.
// Run: TRADEPROOF_API=http://127.0.0.1:8080 node verify-credential.mjs FILE.credential.jwt
// Needs the npm package jose. Prints VALID, REVOKED or SUPERSEDED and exits 0 only for VALID.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { compactVerify, decodeProtectedHeader, importJWK } from "jose";

const api = process.env.TRADEPROOF_API ?? "http://127.0.0.1:8080";
const jwt = readFileSync(process.argv[2], "utf8").trim();

// The ledger you trust is the one whose did:web is its API's origin: did:web:<host>%3A<port>.
const origin = new URL(api);
const trusted = `did:web:${origin.port ? `${origin.hostname}%3A${origin.port}` : origin.hostname}`;
// did:web resolution: https://<host>/.well-known/did.json (plain http only for a ledger on this machine).
const didUrl = `${origin.hostname === "127.0.0.1" || origin.hostname === "localhost" ? "http" : "https"}://${origin.host}/.well-known/did.json`;
const didDocument = await (await fetch(didUrl)).json();
if (didDocument.id !== trusted) throw new Error(`${didUrl} holds the DID document of ${didDocument.id}, not of ${trusted}`);

/** Verifies a vc+jwt against the DID document: the header's kid must be one of its assertion methods, not revoked. */
async function verify(token) {
  const { kid, typ, alg } = decodeProtectedHeader(token);
  if (typ !== "vc+jwt" || alg !== "ES256" || !kid?.startsWith(`${trusted}#`)) throw new Error(`not a credential of ${trusted}`);
  const method = didDocument.verificationMethod.find((m) => m.id === kid);
  if (!method || method.revoked || !didDocument.assertionMethod.includes(kid)) throw new Error(`${kid} is not a usable key of ${trusted}`);
  const { payload } = await compactVerify(token, await importJWK(method.publicKeyJwk, "ES256"));
  return JSON.parse(new TextDecoder().decode(payload));
}

const credential = await verify(jwt);
if (credential.issuer?.id !== trusted || credential.iss !== trusted) throw new Error(`the credential's issuer and iss are not ${trusted}`);
const subject = credential.credentialSubject;
console.log(`document ${subject.docHash} (${subject.documentType.name ?? subject.documentType.code}), anchored ${subject.anchor.anchoredAt} by ${subject.issuedBy.name}`);

// Each status entry names a list credential; the list is a GZIP bitstring, multibase base64url ("u"), index 0 leftmost.
let verdict = "VALID";
for (const entry of credential.credentialStatus) {
  const list = await verify(await (await fetch(entry.statusListCredential)).text());
  // It must be the list the entry names, for the entry's purpose, and not past its validUntil (a list without one is refused).
  if (list.id !== entry.statusListCredential) throw new Error(`${entry.statusListCredential} served another list: ${list.id}`);
  if ((list.issuer?.id ?? list.issuer) !== trusted || list.iss !== trusted) throw new Error(`the status list ${list.id} is not issued by ${trusted}`);
  if (list.credentialSubject.statusPurpose !== entry.statusPurpose) throw new Error(`the status list ${list.id} is for ${list.credentialSubject.statusPurpose}, not ${entry.statusPurpose}`);
  if (!(Date.parse(list.validUntil) > Date.now())) throw new Error(`the status list ${list.id} is not valid now (validUntil: ${list.validUntil})`);
  const bits = gunzipSync(Buffer.from(list.credentialSubject.encodedList.slice(1), "base64url"));
  const index = Number(entry.statusListIndex);
  const set = (bits[index >> 3] & (0x80 >> (index % 8))) !== 0;
  if (set && entry.statusPurpose === "revocation") verdict = "REVOKED";
  else if (set && verdict === "VALID") verdict = entry.statusMessage?.find((m) => m.status === "0x1")?.message.toUpperCase() ?? "FLAGGED";
}
console.log(verdict);
process.exitCode = verdict === "VALID" ? 0 : 1;
