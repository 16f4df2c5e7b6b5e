import { expect } from "chai";
import { readFileSync } from "node:fs";
import { ethers } from "ethers";
import type { RequestListener } from "node:http";
import { decodeJwt } from "jose";
import { SiweMessage } from "siwe";
import request from "supertest";
import { Auth } from "../../api/auth/auth.js";
import type { Services } from "../../api/services.js";
import { apiFor, siweMessage } from "./app-helpers.js";
import { Anvil, deployConsortium, type Consortium } from "./helpers.js";

const VECTORS = "/work/shared/vectors/siwe";
const vectors = (file: string) => JSON.parse(readFileSync(`${VECTORS}/${file}`, "utf8")) as Record<string, unknown>;

describe("Sign-In with Ethereum", function () {
  this.timeout(60_000);
  let anvil: Anvil;
  let c: Consortium;
  let app: RequestListener;
  let services: Services;
  const nonce = async () => (await request(app).get("/v1/auth/nonce").expect(200)).body.nonce as string;
  const login = async (message: string, signer: ethers.Signer = c.customs) =>
    request(app).post("/v1/auth/login").send({ message, signature: await signer.signMessage(message) });

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    ({ app, services } = await apiFor(c, anvil.url));
  });
  after(async function () {
    await services?.close();
    c?.provider.destroy();
    await anvil?.stop();
  });

  it("the nonce endpoint gives a fresh nonce with the domain, URI and chain to sign for", async function () {
    const a = (await request(app).get("/v1/auth/nonce").expect(200)).body;
    const b = (await request(app).get("/v1/auth/nonce").expect(200)).body;
    expect(a.nonce).to.match(/^[a-zA-Z0-9]{8,}$/);
    expect(a.nonce).to.not.equal(b.nonce);
    expect(a).to.deep.include({ domain: "127.0.0.1:8080", uri: "http://127.0.0.1:8080", chainId: 31337 });
  });

  it("a signed message gives a short-lived session token bound to the address", async function () {
    const res = await login(siweMessage(c.customs.address, await nonce()));
    expect(res.status).to.equal(200);
    expect(res.body.address).to.equal(c.customs.address.toLowerCase());
    const claims = decodeJwt(res.body.token);
    expect(claims.sub).to.equal(c.customs.address.toLowerCase());
    expect(claims.exp! - claims.iat!).to.equal(900);
  });

  it("the session ends no later than the message's expiration time", async function () {
    const expirationTime = new Date(Date.now() + 120_000).toISOString();
    const res = await login(siweMessage(c.customs.address, await nonce(), { expirationTime }));
    expect(res.status).to.equal(200);
    expect(decodeJwt(res.body.token).exp).to.equal(Math.floor(Date.parse(expirationTime) / 1000));
  });

  it("a replayed message is refused: 401 SIWE_NONCE_REPLAYED", async function () {
    const message = siweMessage(c.customs.address, await nonce());
    const signature = await c.customs.signMessage(message);
    await request(app).post("/v1/auth/login").send({ message, signature }).expect(200);
    const { body } = await request(app).post("/v1/auth/login").send({ message, signature }).expect(401);
    expect(body.error.code).to.equal("SIWE_NONCE_REPLAYED");
  });

  it("a nonce the API never gave out is refused: 401 SIWE_UNKNOWN_NONCE", async function () {
    const res = await login(siweMessage(c.customs.address, "abcdefgh12345678"));
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal("SIWE_UNKNOWN_NONCE");
  });

  it("an expired nonce is refused: 401 SIWE_NONCE_EXPIRED", async function () {
    let now = Date.now();
    const auth = new Auth({ store: services.store, publicUrl: "http://127.0.0.1:8080", chainId: 31337, secret: new Uint8Array(32), sessionTtlSec: 900, nonceTtlSec: 60, now: () => now });
    const { nonce: n } = await auth.issueNonce();
    const message = siweMessage(c.customs.address, n);
    now += 61_000;
    const err = await auth.login(message, await c.customs.signMessage(message)).then(() => undefined, (e: { code: string }) => e);
    expect(err?.code).to.equal("SIWE_NONCE_EXPIRED");
  });

  it("a session token past its expiry is refused: 401 SESSION_EXPIRED", async function () {
    let now = Date.now();
    const auth = new Auth({ store: services.store, publicUrl: "http://127.0.0.1:8080", chainId: 31337, secret: new Uint8Array(32).fill(7), sessionTtlSec: 60, nonceTtlSec: 300, now: () => now });
    const message = siweMessage(c.customs.address, (await auth.issueNonce()).nonce);
    const { token } = await auth.login(message, await c.customs.signMessage(message));
    expect((await auth.authenticate(`Bearer ${token}`)).address).to.equal(c.customs.address.toLowerCase());
    now += 61_000;
    const err = await auth.authenticate(`Bearer ${token}`).then(() => undefined, (e: { code: string }) => e);
    expect(err?.code).to.equal("SESSION_EXPIRED");
  });

  it("a token signed with another secret is refused: 401 SESSION_INVALID", async function () {
    const other = new Auth({ store: services.store, publicUrl: "http://127.0.0.1:8080", chainId: 31337, secret: new Uint8Array(32).fill(9), sessionTtlSec: 60, nonceTtlSec: 300 });
    const message = siweMessage(c.auditor.address, (await other.issueNonce()).nonce);
    const { token } = await other.login(message, await c.auditor.signMessage(message));
    const { body } = await request(app).get("/v1/audit/events").set("authorization", `Bearer ${token}`).expect(401);
    expect(body.error.code).to.equal("SESSION_INVALID");
  });

  it("a message for another domain (a foreign site) is refused: 401 SIWE_DOMAIN_MISMATCH", async function () {
    const res = await login(siweMessage(c.customs.address, await nonce(), { domain: "evil.example" }));
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal("SIWE_DOMAIN_MISMATCH");
  });

  it("a message with another URI is refused: 401 SIWE_URI_MISMATCH", async function () {
    const res = await login(siweMessage(c.customs.address, await nonce(), { uri: "https://evil.example/login" }));
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal("SIWE_URI_MISMATCH");
  });

  it("a message for another chain is refused: 400 WRONG_CHAIN", async function () {
    const res = await login(siweMessage(c.customs.address, await nonce(), { chainId: 1 }));
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal("WRONG_CHAIN");
  });

  it("an expired message is refused: 401 SIWE_EXPIRED", async function () {
    const res = await login(siweMessage(c.customs.address, await nonce(), { expirationTime: new Date(Date.now() - 1_000).toISOString() }));
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal("SIWE_EXPIRED");
  });

  it("a message issued long ago is refused: 401 SIWE_EXPIRED", async function () {
    const res = await login(siweMessage(c.customs.address, await nonce(), { issuedAt: new Date(Date.now() - 3_600_000).toISOString() }));
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal("SIWE_EXPIRED");
  });

  it("a message issued in the future or not valid yet is refused: 401 SIWE_NOT_YET_VALID", async function () {
    const future = await login(siweMessage(c.customs.address, await nonce(), { issuedAt: new Date(Date.now() + 3_600_000).toISOString() }));
    expect(future.body.error.code).to.equal("SIWE_NOT_YET_VALID");
    const notBefore = await login(siweMessage(c.customs.address, await nonce(), { notBefore: new Date(Date.now() + 3_600_000).toISOString() }));
    expect(notBefore.body.error.code).to.equal("SIWE_NOT_YET_VALID");
  });

  it("a message signed by another key is refused: 401 SIWE_INVALID_SIGNATURE", async function () {
    const res = await login(siweMessage(c.customs.address, await nonce()), c.outsider);
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal("SIWE_INVALID_SIGNATURE");
  });

  it("a failed login does not burn the nonce, a good one then succeeds once", async function () {
    const n = await nonce();
    const message = siweMessage(c.customs.address, n);
    expect((await login(message, c.outsider)).status).to.equal(401);
    expect((await login(message)).status).to.equal(200);
    expect((await login(message)).status).to.equal(401);
  });

  it("refuses a body without message or signature: 400 VALIDATION_FAILED", async function () {
    const { body } = await request(app).post("/v1/auth/login").send({ message: "x" }).expect(400);
    expect(body.error.code).to.equal("VALIDATION_FAILED");
  });

  describe("EIP-4361 vectors (spruceid/siwe test/)", function () {
    for (const [name, message] of Object.entries(vectors("parsing_negative.json"))) {
      it(`refuses the malformed message "${name}" with 400 SIWE_INVALID_MESSAGE`, async function () {
        const { body } = await request(app).post("/v1/auth/login").send({ message, signature: `0x${"11".repeat(65)}` }).expect(400);
        expect(body.error.code).to.equal("SIWE_INVALID_MESSAGE");
        // What is wrong, in the caller's terms: never the parser's internal state.
        expect(body.error.message).to.match(/^Not an EIP-4361 message: /);
        expect(body.error.message).to.not.match(/\{"success"|maxMatched|max line number/);
      });
    }

    for (const [name, entry] of Object.entries(vectors("parsing_positive.json")) as [string, { message: string }][]) {
      it(`parses the valid message "${name}" but refuses it as foreign (401, domain or URI mismatch)`, async function () {
        const { body } = await request(app).post("/v1/auth/login").send({ message: entry.message, signature: `0x${"11".repeat(65)}` }).expect(401);
        expect(body.error.code).to.be.oneOf(["SIWE_DOMAIN_MISMATCH", "SIWE_URI_MISMATCH"]);
      });
    }

    for (const file of ["verification_positive.json", "verification_negative.json"]) {
      for (const [name, fields] of Object.entries(vectors(file)) as [string, Record<string, unknown>][]) {
        const { signature, time: _time, domainBinding: _binding, matchNonce: _nonce, ...rest } = fields;
        let message: string | undefined;
        try {
          message = new SiweMessage(rest as never).prepareMessage();
        } catch {
          // fields with malformed times cannot be serialised into a message at all: nothing reaches the API
        }
        const kind = file.startsWith("verification_positive") ? "valid" : "invalid";
        if (!message) {
          it(`the ${kind} vector "${name}" cannot even be written as a message`, function () {
            expect(() => new SiweMessage(rest as never).prepareMessage()).to.throw();
          });
          continue;
        }
        // A signature that is not even hex bytes fails the route's schema before any SIWE check.
        const [status, code] = /^0x([0-9a-f]{2})*$/i.test(String(signature)) ? [401, "SIWE_DOMAIN_MISMATCH"] : [400, "VALIDATION_FAILED"];
        it(`refuses the signed ${kind} message "${name}" of login.xyz as foreign (${status} ${code})`, async function () {
          const { body } = await request(app).post("/v1/auth/login").send({ message, signature }).expect(status);
          expect(body.error.code).to.equal(code);
        });
      }
    }
  });
});
