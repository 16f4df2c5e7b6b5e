// Anchor credentials: a VALID document's credential (vc+jwt), the status lists that say whether it still is, and a
// check of a credential for callers that hold one (the web page).
import { verifyCredential, VC_JWT_MEDIA_TYPE, type DidDocument } from "../../sdk/credentials.js";
import type { Hex, Receipt } from "../../sdk/index.js";
import { STATUS_PURPOSES, type StatusPurpose } from "../../sdk/status-list.js";
import { didDocument } from "../identity/did.js";
import { route, type RouteContext } from "../http.js";
import * as S from "../schemas.js";

const { z } = S;

const Jwt = z.string().describe("A compact JWS: the credential as `application/vc+jwt`");
const Check = z
  .object({
    verdict: z.enum(["VALID", "REVOKED", "SUPERSEDED", "INVALID", "STATUS_UNKNOWN"]),
    problem: z.object({ code: z.string(), message: z.string() }).optional(),
    credential: z.record(z.string(), z.unknown()).optional(),
    signedBy: z.string().optional(),
    statuses: z.array(z.record(z.string(), z.unknown())),
    documentMatches: z.boolean().optional(),
    didDocument: z.object({ id: z.string(), fetchedAt: z.string(), ageSeconds: z.number() }).optional(),
  })
  .openapi("CredentialCheck");

export function credentialRoutes({ v1, registry, deps, limiter, json, err }: RouteContext): void {
  const { credentials, identity } = deps;
  const sendJwt = (res: import("express").Response, jwt: string, maxAgeSeconds = 0) => {
    res.type(VC_JWT_MEDIA_TYPE).set("cache-control", maxAgeSeconds > 0 ? `public, max-age=${maxAgeSeconds}` : "no-store").send(jwt);
  };
  const jwtResponse = (description: string) => ({ description, schema: Jwt, contentType: VC_JWT_MEDIA_TYPE });

  route(v1, registry, {
    method: "get", path: "/documents/:docHash/credential", summary: "The anchor credential of a VALID document (VC 2.0, vc+jwt)", tags: ["credentials"],
    middleware: [limiter], schema: { params: z.object({ docHash: S.Hash }) },
    responses: { 200: jwtResponse("The credential, signed by the ledger's did:web"), 404: err("Not anchored (a private batch's document: POST /v1/credentials with its receipt)"), 409: err("Pending, revoked or superseded") },
    handler: async (req, res) => sendJwt(res, await credentials.credential(req.params.docHash.toLowerCase() as Hex)),
  });
  route(v1, registry, {
    method: "post", path: "/credentials", summary: "The anchor credential of a document given with its receipt (needed for a private batch's)", tags: ["credentials"],
    middleware: [limiter], body: json, schema: { body: z.object({ receipt: S.Receipt }) },
    responses: { 200: jwtResponse("The credential"), 404: err("Not anchored"), 409: err("Pending, revoked or superseded") },
    handler: async (req, res) => {
      const receipt = req.body.receipt as Receipt;
      sendJwt(res, await credentials.credential(receipt.docHash.toLowerCase() as Hex, receipt));
    },
  });
  route(v1, registry, {
    method: "get", path: "/status", summary: "Every status list this ledger publishes (what `tradeproof cache refresh` fetches)", tags: ["credentials"],
    middleware: [limiter], schema: {},
    responses: { 200: { description: "The lists' URLs", schema: z.object({ lists: z.array(z.string()) }) } },
    handler: async () => ({ lists: await credentials.listUrls() }),
  });
  route(v1, registry, {
    method: "get", path: "/status/:purpose/:list", summary: "A status list (BitstringStatusListCredential, vc+jwt): revocation, or superseded (purpose message)", tags: ["credentials"],
    middleware: [limiter],
    schema: { params: z.object({ purpose: z.enum(STATUS_PURPOSES), list: z.coerce.number().int().min(0).max(1_000_000) }) },
    responses: { 200: jwtResponse("The list, built from the chain as the index follows it") },
    handler: async (req, res) => sendJwt(res, await credentials.statusList(req.params.purpose as StatusPurpose, req.params.list), deps.config.statusList.ttlSeconds),
  });
  route(v1, registry, {
    method: "post", path: "/credentials/verify", summary: "Checks an anchor credential of this ledger: signature, key, status bits and, given its hash, the document", tags: ["credentials"],
    middleware: [limiter], body: json,
    schema: { body: z.object({ credential: Jwt.max(64 * 1024), docHash: S.Hash.optional() }) },
    responses: { 200: { description: "The check: VALID only when everything holds", schema: Check } },
    handler: async (req) => {
      const now = new Date().toISOString();
      return verifyCredential(req.body.credential, {
        trustedIssuer: identity.did,
        ...(req.body.docHash ? { docHash: req.body.docHash.toLowerCase() as Hex } : {}),
        sources: {
          didDocument: async () => ({ document: didDocument(identity.did, await identity.keys.get()) as unknown as DidDocument, fetchedAt: now }),
          statusList: async (url) => {
            const m = /\/v1\/status\/(revocation|superseded)\/(\d+)$/.exec(url);
            if (!m || !url.startsWith(deps.config.publicUrl)) return undefined;
            return { jwt: await credentials.statusList(m[1] as StatusPurpose, Number(m[2])), fetchedAt: new Date().toISOString() };
          },
        },
      });
    },
  });
}
