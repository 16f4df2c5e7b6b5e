// The ledger's identity: its did:web, its DID document from the key file, rotation and retirement.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { compactVerify, CompactSign, importJWK, type JWK } from "jose";
import type { RequestListener } from "node:http";
import request from "supertest";
import { didDocumentPath, didWebFor } from "../../api/identity/did.js";
import { ledgerKeyFileIn, loadLedgerKeys, retireLedgerKey, rotateLedgerKey } from "../../api/identity/keys.js";
import type { Services } from "../../api/services.js";
import { runCli } from "../cli/harness.js";
import { apiFor } from "./app-helpers.js";
import { Anvil, deployConsortium, tempDir, type Consortium } from "./helpers.js";

interface Method { id: string; type: string; controller: string; publicKeyJwk: JWK; revoked?: string }

describe("API: the ledger's identity (did:web)", function () {
  this.timeout(60_000);
  let anvil: Anvil;
  let c: Consortium;
  let app: RequestListener;
  let services: Services;
  let dataDir: string;
  const didDoc = async () => (await request(app).get("/.well-known/did.json").expect(200).expect("content-type", /application\/did\+json/)).body;

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    ({ app, services, dataDir } = await apiFor(c, anvil.url));
  });
  after(async function () {
    await services?.close();
    c?.provider.destroy();
    await anvil?.stop();
  });

  it("derives did:web from the public URL: the port as %3A, a path as more segments", function () {
    expect(didWebFor("http://127.0.0.1:8080")).to.equal("did:web:127.0.0.1%3A8080");
    expect(didWebFor("https://ledger.example.org")).to.equal("did:web:ledger.example.org");
    expect(didWebFor("https://ledger.example.org/customs/tp")).to.equal("did:web:ledger.example.org:customs:tp");
    expect(didDocumentPath("https://ledger.example.org")).to.equal("/.well-known/did.json");
    expect(didDocumentPath("https://ledger.example.org/customs/tp/")).to.equal("/customs/tp/did.json");
  });

  it("publishes a DID document whose one key is created on first use, in a file only its owner reads, with no private part", async function () {
    const doc = await didDoc();
    expect(doc["@context"]).to.deep.equal(["https://www.w3.org/ns/did/v1", "https://www.w3.org/ns/cid/v1"]);
    expect(doc.id).to.equal("did:web:127.0.0.1%3A8080");
    expect(doc.verificationMethod).to.have.length(1);
    const [method] = doc.verificationMethod as Method[];
    expect(method).to.deep.include({ type: "JsonWebKey", controller: doc.id });
    expect(Object.keys(method!.publicKeyJwk).sort()).to.deep.equal(["alg", "crv", "kty", "x", "y"]);
    expect(method!.publicKeyJwk).to.include({ kty: "EC", crv: "P-256", alg: "ES256" });
    expect(doc.assertionMethod).to.deep.equal([method!.id]);
    const file = ledgerKeyFileIn(dataDir);
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect(JSON.stringify(doc)).to.not.include((JSON.parse(await readFile(file, "utf8")).keys[0].privateJwk as JWK).d);
  });

  it("verifies what the current key signs with the key the document lists under the signature's kid", async function () {
    const keys = await loadLedgerKeys(ledgerKeyFileIn(dataDir));
    const current = keys.keys.find((k) => k.kid === keys.current)!;
    const jws = await new CompactSign(new TextEncoder().encode("anchored"))
      .setProtectedHeader({ alg: "ES256", kid: `did:web:127.0.0.1%3A8080#${current.kid}` })
      .sign(await importJWK(current.privateJwk, "ES256"));
    const doc = await didDoc();
    const kid = JSON.parse(Buffer.from(jws.split(".")[0]!, "base64url").toString()).kid as string;
    const method = (doc.verificationMethod as Method[]).find((m) => m.id === kid)!;
    const { payload } = await compactVerify(jws, await importJWK(method.publicKeyJwk, "ES256"));
    expect(new TextDecoder().decode(payload)).to.equal("anchored");
  });

  it("after a rotation the new key signs and the old one still verifies; a retired key is listed as revoked and asserts nothing", async function () {
    const file = ledgerKeyFileIn(dataDir);
    const before = await loadLedgerKeys(file);
    const next = await rotateLedgerKey(file);
    let doc = await didDoc(); // the API reads the changed file without a restart
    expect((doc.verificationMethod as Method[]).map((m) => m.id)).to.deep.equal([`${doc.id}#${before.current}`, `${doc.id}#${next.kid}`]);
    expect(doc.assertionMethod).to.deep.equal([`${doc.id}#${before.current}`, `${doc.id}#${next.kid}`]);
    expect((await loadLedgerKeys(file)).current).to.equal(next.kid);

    let refused = "";
    await retireLedgerKey(file, next.kid).catch((e: Error) => (refused = e.message));
    expect(refused).to.include("signs now: rotate to a new key first");
    const retired = await retireLedgerKey(file, before.current);
    doc = await didDoc();
    const old = (doc.verificationMethod as Method[]).find((m) => m.id.endsWith(before.current))!;
    expect(old.revoked).to.equal(retired.retiredAt);
    expect(doc.assertionMethod).to.deep.equal([`${doc.id}#${next.kid}`]);
  });

  it("tradeproof ledger-keys lists, rotates and retires, and says what is wrong", async function () {
    const file = join(tempDir(), "ledger-keys.json");
    const missing = await runCli(["ledger-keys", "list", "--file", file]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include("no key file at");
    const rotated = await runCli(["ledger-keys", "rotate", "--file", file]);
    expect(rotated.code).to.equal(0);
    const keys = await loadLedgerKeys(file);
    expect(keys.keys).to.have.length(2); // created, then rotated
    const list = await runCli(["ledger-keys", "list", "--file", file, "--json"]);
    const listed = JSON.parse(list.stdout) as { current: string; keys: { kid: string; privateJwk?: unknown }[] };
    expect(listed.current).to.equal(keys.current);
    expect(listed.keys.every((k) => k.privateJwk === undefined)).to.equal(true);
    const now = await runCli(["ledger-keys", "retire", keys.current, "--file", file]);
    expect(now.code).to.equal(2);
    expect(now.stderr).to.include("rotate to a new key first");
    const old = await runCli(["ledger-keys", "retire", keys.keys[0]!.kid, "--file", file]);
    expect(old.code).to.equal(0);
    expect(old.stdout).to.include("retired");
  });
});
