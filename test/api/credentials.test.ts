// Anchor credentials (VC 2.0 as vc+jwt) and their Bitstring Status Lists, checked with libraries Tradeproof's own
// verifier does not use: node:crypto (OpenSSL) for the ES256 envelope, @digitalbazaar/vc-bitstring-status-list for the
// status entries and lists; then Tradeproof's verifier (sdk/credentials.ts) on every negative case the issue lists.
import { _checkCredential } from "@digitalbazaar/vc";
import { decodeList, getCredentialStatus, statusTypeMatches } from "@digitalbazaar/vc-bitstring-status-list";
import { expect } from "chai";
import { ethers } from "ethers";
import { CompactSign, generateKeyPair, importJWK, type JWK } from "jose";
import { createServer, type RequestListener } from "node:http";
import request from "supertest";
import type { Services } from "../../api/services.js";
import { StatusIndexes } from "../../api/credentials/status-indexes.js";
import { StatusLists } from "../../api/credentials/status-lists.js";
import { ledgerKeyFileIn, loadLedgerKeys, retireLedgerKey, rotateLedgerKey } from "../../api/identity/keys.js";
import { onlineSources } from "../../sdk/credential-sources.js";
import { verifyCredential, type AnchorCredential, type CredentialSources, type DidDocument } from "../../sdk/credentials.js";
import { TradeproofClient, type Hex } from "../../sdk/index.js";
import { Bitstring, STATUS_LIST_SIZE } from "../../sdk/status-list.js";
import { independentStatusBit, opensslVerifies, part } from "../support/credentials.js";
import { apiFor } from "./app-helpers.js";
import { Anvil, deployConsortium, DocType, freePort, type Consortium } from "./helpers.js";

const label = (s: string) => ethers.keccak256(ethers.toUtf8Bytes(s)).toLowerCase() as Hex;
const DID = "did:web:127.0.0.1%3A8080";

describe("API: anchor credentials and status lists", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let c: Consortium;
  let app: RequestListener;
  let services: Services;
  let dataDir: string;
  const invoice = label("credential invoice");
  const toRevoke = label("credential invoice, revoked later");
  const toSupersede = label("credential invoice, amended later");
  const amended = label("credential invoice, the amendment");
  const pending = label("credential certificate awaiting its second approval");

  const didDoc = async () => (await request(app).get("/.well-known/did.json").expect(200)).body as DidDocument;
  const credentialOf = async (docHash: Hex) =>
    (await request(app).get(`/v1/documents/${docHash}/credential`).expect(200).expect("content-type", /^application\/vc\+jwt/)).text;
  const statusListAt = async (url: string) => {
    const path = new URL(url).pathname;
    return (await request(app).get(path).expect(200).expect("content-type", /^application\/vc\+jwt/)).text;
  };
  /** The sources a verifier online would use, answered by this app. */
  const sources = (): CredentialSources => ({
    didDocument: async () => ({ document: await didDoc(), fetchedAt: new Date().toISOString() }),
    statusList: async (url) => ({ jwt: await statusListAt(url), fetchedAt: new Date().toISOString() }),
  });
  const check = (jwt: string, opts: { docHash?: Hex; now?: Date; sources?: CredentialSources; trustedIssuer?: string } = {}) =>
    verifyCredential(jwt, { trustedIssuer: opts.trustedIssuer ?? DID, sources: opts.sources ?? sources(), ...opts });
  /** Signs what the ledger never would, with the key it signs with now: the verifier must refuse it for what it says. */
  const signAsLedger = async (payload: object, header: Record<string, unknown> = {}, did = DID) => {
    const keys = await loadLedgerKeys(ledgerKeyFileIn(dataDir));
    const key = keys.keys.find((k) => k.kid === keys.current)!;
    return new CompactSign(Buffer.from(JSON.stringify(payload)))
      .setProtectedHeader({ alg: "ES256", typ: "vc+jwt", kid: `${did}#${key.kid}`, ...header })
      .sign(await importJWK(key.privateJwk, "ES256"));
  };
  /** The ledger's DID document with `change` made to it, as a forged or stale copy would be. */
  const doctored = (change: (doc: DidDocument) => DidDocument): CredentialSources => ({
    ...sources(),
    didDocument: async () => ({ document: change(await didDoc()), fetchedAt: new Date().toISOString() }),
  });

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    for (const h of [invoice, toRevoke, toSupersede, amended]) await (await c.registry.connect(c.trader).register(h, DocType.INVOICE)).wait();
    await (await c.registry.connect(c.officer1).register(pending, DocType.CERTIFICATE_OF_ORIGIN)).wait();
    ({ app, services, dataDir } = await apiFor(c, anvil.url));
    await services.indexer.syncOnce();
  });
  after(async function () {
    await services?.close();
    c?.provider.destroy();
    await anvil?.stop();
  });

  it("issues a VC 2.0 credential as vc+jwt whose signature OpenSSL verifies with the key the did:web document lists", async function () {
    const jwt = await credentialOf(invoice);
    const header = part(jwt, 0);
    expect(header).to.deep.include({ alg: "ES256", typ: "vc+jwt" });
    const doc = await didDoc();
    expect(header.kid).to.equal(doc.assertionMethod[0]);
    expect(opensslVerifies(jwt, doc)).to.equal(true);
    const vc = part(jwt, 1) as AnchorCredential;
    const anchoredAt = (await (await TradeproofClient.connect({ runner: c.provider, deployment: c.deployment })).verify(invoice)).anchoredAt;
    // VC 2.0: contexts, types, issuer, validity period; the ledger's own terms under the credentials context's @vocab.
    expect(vc["@context"]).to.deep.equal(["https://www.w3.org/ns/credentials/v2"]);
    expect(vc.type).to.deep.equal(["VerifiableCredential", "TradeproofAnchorCredential"]);
    expect(vc.issuer).to.deep.equal({ id: DID, name: "Tradeproof ledger" });
    expect(vc.iss).to.equal(DID);
    expect(vc.validFrom).to.equal(anchoredAt);
    expect(vc).to.not.have.property("vc"); // VC-JOSE-COSE: the payload is the credential, never wrapped in a vc claim
    const receipt = await c.provider.getTransactionReceipt((await c.registry.queryFilter(c.registry.filters.DocumentRegistered(invoice)))[0]!.transactionHash);
    expect(vc.credentialSubject).to.deep.equal({
      type: "AnchoredDocument",
      docHash: invoice,
      digestSRI: `sha256-${Buffer.from(invoice.slice(2), "hex").toString("base64")}`,
      hashMethod: "SHA-256 of the file's bytes; of its RFC 8785 (JCS) canonical form for a JSON document",
      documentType: { code: "380", name: "Commercial invoice" },
      issuedBy: { organisation: 1, name: vc.credentialSubject.issuedBy.name, country: vc.credentialSubject.issuedBy.country, kind: "TRADER", account: c.trader.address, accounts: [...(await c.registry.organisation(1)).accounts] },
      anchor: { chainId: 31337, registry: c.deployment.registry.toLowerCase(), transaction: receipt!.hash, block: receipt!.blockNumber, anchoredAt },
    });
    expect(vc.credentialSubject.issuedBy.name).to.be.a("string").and.not.equal("");
    // The data model rules as an independent implementation checks them (contexts, types, issuer URL, validFrom, status entries).
    expect(() => _checkCredential({ credential: vc, mode: "verify" })).to.not.throw();
    expect(() => _checkCredential({ credential: { ...vc, issuer: { name: "no id" } }, mode: "verify" })).to.throw(/issuer/);
  });

  it("gives each document one status index, kept across credentials, and entries an independent status list library reads", async function () {
    const first = part(await credentialOf(invoice), 1) as AnchorCredential;
    const second = part(await credentialOf(invoice), 1) as AnchorCredential;
    const other = part(await credentialOf(toRevoke), 1) as AnchorCredential;
    expect(second.credentialStatus).to.deep.equal(first.credentialStatus);
    expect(other.credentialStatus[0].statusListIndex).to.not.equal(first.credentialStatus[0].statusListIndex);
    expect(statusTypeMatches({ credential: first })).to.equal(true);
    const revocation = getCredentialStatus({ credential: first, statusPurpose: "revocation" });
    const superseded = getCredentialStatus({ credential: first, statusPurpose: "message" });
    expect(revocation).to.include({ type: "BitstringStatusListEntry", statusListCredential: "http://127.0.0.1:8080/v1/status/revocation/0" });
    expect(superseded).to.deep.include({ statusListCredential: "http://127.0.0.1:8080/v1/status/superseded/0", statusSize: 1 });
    expect(superseded.statusMessage).to.deep.equal([{ status: "0x0", message: "current" }, { status: "0x1", message: "superseded" }]);
    expect(Number(revocation.statusListIndex)).to.be.within(0, STATUS_LIST_SIZE - 1);
    expect(revocation.statusListIndex).to.equal(superseded.statusListIndex);
  });

  it("serves status lists as signed BitstringStatusListCredentials of at least 131,072 entries, with validUntil and ttl", async function () {
    const vc = part(await credentialOf(invoice), 1) as AnchorCredential;
    for (const [entry, purpose] of [[vc.credentialStatus[0], "revocation"], [vc.credentialStatus[1], "message"]] as const) {
      const jwt = await statusListAt(entry.statusListCredential);
      expect(part(jwt, 0)).to.deep.include({ alg: "ES256", typ: "vc+jwt" });
      expect(opensslVerifies(jwt, await didDoc())).to.equal(true);
      const list = part(jwt, 1);
      expect(list).to.deep.include({ "@context": ["https://www.w3.org/ns/credentials/v2"], id: entry.statusListCredential, issuer: DID, type: ["VerifiableCredential", "BitstringStatusListCredential"] });
      expect(list.credentialSubject).to.deep.include({ id: `${entry.statusListCredential}#list`, type: "BitstringStatusList", statusPurpose: purpose, ttl: 300_000 });
      expect(Date.parse(list.validUntil) - Date.parse(list.validFrom)).to.equal(172_800_000);
      expect(() => _checkCredential({ credential: list, mode: "verify" })).to.not.throw();
      const bits = await decodeList({ encodedList: list.credentialSubject.encodedList });
      expect(bits.length).to.be.at.least(STATUS_LIST_SIZE);
      expect(bits.getStatus(Number(entry.statusListIndex))).to.equal(false);
    }
    expect((await check(await credentialOf(invoice), { docHash: invoice })).verdict).to.equal("VALID");
  });

  it("sets the revocation bit once the ledger revokes the document, and the superseded bit once it is replaced", async function () {
    const revokedJwt = await credentialOf(toRevoke);
    const supersededJwt = await credentialOf(toSupersede);
    await (await c.registry.connect(c.trader).revoke(toRevoke, "issued in error")).wait();
    await (await c.registry.connect(c.trader).supersede(toSupersede, amended)).wait();
    await services.indexer.syncOnce();
    const bit = async (jwt: string, purpose: "revocation" | "message") =>
      independentStatusBit(part(jwt, 1), purpose, await statusListAt(getCredentialStatus({ credential: part(jwt, 1), statusPurpose: purpose }).statusListCredential));
    expect(await bit(revokedJwt, "revocation")).to.equal(true);
    expect(await bit(revokedJwt, "message")).to.equal(false);
    expect(await bit(supersededJwt, "message")).to.equal(true);
    expect(await bit(supersededJwt, "revocation")).to.equal(false);
    expect(await bit(await credentialOf(invoice), "revocation")).to.equal(false);
    expect((await check(revokedJwt)).verdict).to.equal("REVOKED");
    expect((await check(supersededJwt)).verdict).to.equal("SUPERSEDED");
    expect((await check(await credentialOf(invoice))).verdict).to.equal("VALID");
  });

  it("an instance started on the same store continues from the stored bits, reading no document again", async function () {
    const jwt = await credentialOf(invoice);
    const entry = getCredentialStatus({ credential: part(jwt, 1), statusPurpose: "revocation" });
    const second = await apiFor(c, anvil.url, { dataDir });
    try {
      await second.services.indexer.syncOnce();
      let read = 0;
      const verify = second.services.documents.verify.bind(second.services.documents);
      second.services.documents.verify = async (hashes) => ((read += hashes.length), verify(hashes));
      const list = (await request(second.app).get(new URL(entry.statusListCredential).pathname).expect(200)).text;
      const before = (await request(app).get(new URL(entry.statusListCredential).pathname).expect(200)).text;
      expect(part(list, 1).credentialSubject.encodedList).to.equal(part(before, 1).credentialSubject.encodedList);
      expect(part(list, 1).credentialSubject.encodedList).to.not.equal(new Bitstring().encode()); // the revocation of an earlier test is in it
      expect(read).to.equal(0);
    } finally {
      await second.services.close();
    }
  });

  it("a document given its index after a build had read past its revocation gets its bit at the next build", async function () {
    const late = label("credential invoice, revoked before it had an index");
    await (await c.registry.connect(c.trader).register(late, DocType.INVOICE)).wait();
    await (await c.registry.connect(c.trader).revoke(late, "issued in error")).wait();
    await services.indexer.syncOnce();
    const indexes = new StatusIndexes(services.store);
    const lists = new StatusLists(services.store, indexes, () => services.indexer.cursor());
    await lists.refresh(); // reads the revocation while the document has no index
    const { index } = await indexes.assign(late, late);
    const bit = () => lists.list("revocation", Math.floor(index / STATUS_LIST_SIZE)).get(index % STATUS_LIST_SIZE);
    expect(bit()).to.equal(false);
    await lists.refresh();
    expect(bit()).to.equal(true);
  });

  it("issues no credential for a document that is not anchored, awaits approvals, or was revoked or replaced", async function () {
    const refused = async (h: Hex, status: number) => (await request(app).get(`/v1/documents/${h}/credential`).expect(status)).body.error.code;
    expect(await refused(label("never anchored"), 404)).to.equal("NOT_FOUND");
    expect(await refused(pending, 409)).to.equal("PENDING");
    expect(await refused(toRevoke, 409)).to.equal("REVOKED");
    expect(await refused(toSupersede, 409)).to.equal("SUPERSEDED");
    expect((await request(app).get("/v1/documents/0x1234/credential").expect(400)).body.error.code).to.equal("INVALID_HASH");
    expect((await request(app).get("/v1/status/suspension/0").expect(400)).body.error.code).to.equal("VALIDATION_FAILED");
    expect((await request(app).get("/v1/status/revocation/7").expect(404)).body.error.code).to.equal("NO_SUCH_LIST");
  });

  it("issues a private batch's document from its receipt, and follows its revocation within the batch", async function () {
    const client = await TradeproofClient.connect({ runner: c.trader, deployment: c.deployment });
    const docs = ["private credential a", "private credential b"].map(label);
    const receipts = await client.registerBatch(docs, DocType.INVOICE);
    await services.indexer.syncOnce();
    expect((await request(app).get(`/v1/documents/${docs[0]}/credential`).expect(404)).body.error.code).to.equal("NOT_FOUND");
    const jwt = (await request(app).post("/v1/credentials").send({ receipt: receipts[0] }).expect(200).expect("content-type", /^application\/vc\+jwt/)).text;
    const vc = part(jwt, 1) as AnchorCredential;
    expect(vc.credentialSubject.anchor.batch).to.deep.equal({ root: receipts[0]!.root, public: false });
    expect((await check(jwt, { docHash: docs[0] })).verdict).to.equal("VALID");
    await client.revokeInBatch(receipts[0]!, "damaged in transit");
    await services.indexer.syncOnce();
    expect((await check(jwt)).verdict).to.equal("REVOKED");
  });

  describe("Tradeproof's verifier refuses what it must", function () {
    it("a tampered payload, a signature by another key, a credential of another ledger, another document", async function () {
      const jwt = await credentialOf(invoice);
      const [h, p, s] = jwt.split(".");
      const payload = part(jwt, 1);
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, credentialSubject: { ...payload.credentialSubject, docHash: label("forged") } })).toString("base64url")}.${s}`;
      expect((await check(tampered)).problem?.code).to.equal("BAD_SIGNATURE");
      const { privateKey } = await generateKeyPair("ES256");
      const wrongKey = await new CompactSign(Buffer.from(p!, "base64url")).setProtectedHeader(part(jwt, 0)).sign(privateKey);
      expect(await check(wrongKey)).to.deep.include({ verdict: "INVALID", problem: { code: "BAD_SIGNATURE", message: "The signature does not verify: the credential was altered or not signed by this key." } });
      const other = await check(jwt, { trustedIssuer: "did:web:ledger.other-customs.example" });
      expect(other.verdict).to.equal("INVALID");
      expect(other.problem?.code).to.equal("OTHER_LEDGER");
      const mismatch = await check(jwt, { docHash: label("another document") });
      expect(mismatch).to.deep.include({ verdict: "INVALID", documentMatches: false });
      expect(mismatch.problem?.code).to.equal("OTHER_DOCUMENT");
      expect((await check("not.a.jwt")).problem?.code).to.equal("MALFORMED");
    });

    it("a status list that cannot be had, or has expired, is STATUS_UNKNOWN with the reason, never VALID", async function () {
      const jwt = await credentialOf(invoice);
      const none = await check(jwt, { sources: { ...sources(), statusList: async () => undefined } });
      expect(none.verdict).to.equal("STATUS_UNKNOWN");
      expect(none.problem?.message).to.include("the status list cannot be had");
      const later = await check(jwt, { now: new Date(Date.now() + 3 * 86_400_000) });
      expect(later.verdict).to.equal("STATUS_UNKNOWN");
      expect(later.problem?.message).to.match(/the status list expired at \d{4}-\d\d-\d\dT/);
    });

    it("after a rotation old credentials still verify; once their key is retired they do not", async function () {
      const before = await credentialOf(invoice);
      const next = await rotateLedgerKey(ledgerKeyFileIn(dataDir));
      const after = await credentialOf(invoice);
      expect(part(after, 0).kid).to.equal(`${DID}#${next.kid}`);
      expect((await check(before)).verdict).to.equal("VALID");
      await retireLedgerKey(ledgerKeyFileIn(dataDir), part(before, 0).kid.split("#")[1]);
      const retired = await check(before);
      expect(retired).to.deep.include({ verdict: "INVALID" });
      expect(retired.problem?.code).to.equal("RETIRED_KEY");
      expect(opensslVerifies(before, await didDoc())).to.equal(false);
      expect((await check(after)).verdict).to.equal("VALID"); // the lists are signed again by the new key
    });

    it("a JWT whose iss is not the credential's issuer, and a DID document of another DID, are INVALID", async function () {
      const vc = part(await credentialOf(invoice), 1) as AnchorCredential;
      const otherIss = await check(await signAsLedger({ ...vc, iss: "did:web:ledger.other-customs.example" }));
      expect(otherIss).to.deep.include({ verdict: "INVALID" });
      expect(otherIss.problem).to.deep.equal({ code: "ISSUER_MISMATCH", message: `The JWT's iss is "did:web:ledger.other-customs.example", but the credential's issuer is ${DID}: they must be the same.` });
      const { iss: _, ...noIss } = vc;
      expect((await check(await signAsLedger(noIss))).problem?.code).to.equal("ISSUER_MISMATCH");
      const otherDoc = await check(await credentialOf(invoice), { sources: doctored((d) => ({ ...d, id: "did:web:ledger.other-customs.example" })) });
      expect(otherDoc).to.deep.include({ verdict: "INVALID" });
      expect(otherDoc.problem?.code).to.equal("OTHER_DID_DOCUMENT");
      // Resolved over the network: a server at another address answers with the ledger's document, whose id is not its did:web.
      const server = createServer(app);
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      try {
        const there = `did:web:127.0.0.1%3A${port}`;
        const jwt = await signAsLedger({ ...vc, issuer: { ...vc.issuer, id: there }, iss: there }, {}, there);
        const online = await verifyCredential(jwt, { trustedIssuer: there, sources: onlineSources() });
        expect(online).to.deep.include({ verdict: "INVALID" });
        expect(online.problem).to.deep.equal({ code: "OTHER_DID_DOCUMENT", message: `The DID document had for ${there} is that of ${DID}.` });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("a status list seen before is not trusted once the key that signed it is retired, or no longer an assertion method", async function () {
      const vc = part(await credentialOf(invoice), 1) as AnchorCredential;
      // The lists as a cache would keep them, signed by the key that signs now.
      const kept = new Map(await Promise.all(vc.credentialStatus.map(async (e) => [e.statusListCredential, await statusListAt(e.statusListCredential)] as const)));
      const listKid = part([...kept.values()][0]!, 0).kid as string;
      const keptLists = (document?: DidDocument): CredentialSources => ({
        didDocument: async () => ({ document: document ?? (await didDoc()), fetchedAt: new Date().toISOString() }),
        statusList: async (url) => ({ jwt: kept.get(url)!, fetchedAt: new Date().toISOString() }),
      });
      await rotateLedgerKey(ledgerKeyFileIn(dataDir));
      const jwt = await credentialOf(invoice); // signed by the new key
      expect(part(jwt, 0).kid).to.not.equal(listKid);
      expect((await check(jwt, { sources: keptLists() })).verdict).to.equal("VALID"); // the kept lists are decoded, and remembered
      const doc = await didDoc();
      const notAssertion = await check(jwt, { sources: keptLists({ ...doc, assertionMethod: doc.assertionMethod.filter((m) => m !== listKid) }) });
      expect(notAssertion.verdict).to.equal("STATUS_UNKNOWN");
      expect(notAssertion.problem?.message).to.include(`the status list does not verify: ${listKid} is not an assertion method of ${DID}`);
      await retireLedgerKey(ledgerKeyFileIn(dataDir), listKid.split("#")[1]!);
      const retired = await check(jwt, { sources: keptLists() });
      expect(retired.verdict).to.equal("STATUS_UNKNOWN");
      expect(retired.problem?.message).to.include(`the status list does not verify: The key ${listKid} was retired`);
      expect((await check(jwt)).verdict).to.equal("VALID"); // the lists served now are signed by the new key
    });

    it("a signed payload without credentialSubject or credentialStatus, or with a statusListIndex that is no index of a list, is MALFORMED", async function () {
      const vc = part(await credentialOf(invoice), 1) as AnchorCredential;
      const malformed = async (payload: object, docHash?: Hex) => {
        const result = await check(await signAsLedger(payload), docHash ? { docHash } : {});
        expect(result.verdict, JSON.stringify(result.problem)).to.equal("INVALID");
        expect(result.problem?.code).to.equal("MALFORMED");
        return result.problem!.message;
      };
      const { credentialSubject: _s, ...noSubject } = vc;
      expect(await malformed(noSubject, invoice)).to.include("credentialSubject");
      expect(await malformed(noSubject)).to.include("credentialSubject");
      expect(await malformed({ ...vc, credentialSubject: { ...vc.credentialSubject, docHash: "0x1234" } }, invoice)).to.include("credentialSubject.docHash");
      const withIndex = (index: unknown) => ({ ...vc, credentialStatus: vc.credentialStatus.map((e) => ({ ...e, statusListIndex: index })) });
      for (const index of [String(STATUS_LIST_SIZE), "4294967296", "-1", "1.5", "0x10", "1e3", " 7", "", 7, null]) {
        expect(await malformed(withIndex(index)), JSON.stringify(index)).to.include("statusListIndex");
      }
      const { credentialStatus: _c, ...noStatus } = vc;
      expect(await malformed(noStatus)).to.include("credentialStatus");
      expect(await malformed({ ...vc, credentialStatus: "revocation" })).to.include("credentialStatus");
      expect(await malformed({ ...vc, credentialStatus: [vc.credentialStatus[0]] })).to.include("message");
      expect(await malformed({ ...vc, credentialStatus: [null, ...vc.credentialStatus] })).to.include("credentialStatus");
      // A signed status list without its subject: the status cannot be read, and nothing throws.
      const list = part(await statusListAt(vc.credentialStatus[0].statusListCredential), 1);
      const { credentialSubject: _l, ...noList } = list;
      const broken = await signAsLedger(noList);
      const unknown = await check(await credentialOf(invoice), { sources: { ...sources(), statusList: async () => ({ jwt: broken, fetchedAt: new Date().toISOString() }) } });
      expect(unknown.verdict).to.equal("STATUS_UNKNOWN");
      expect(unknown.problem?.message).to.include("the status list is malformed");
    });

    it("a status entry naming another list than the one served, a list naming another issuer, a header typ other than vc+jwt, a kid listed but not an assertion method", async function () {
      const jwt = await credentialOf(invoice);
      const vc = part(jwt, 1) as AnchorCredential;
      const [revocation, superseded] = vc.credentialStatus;
      // The entry names list 1 (or another host's list), and list 0 is what is served.
      const entries = (url: (e: typeof revocation) => string) => ({ ...vc, credentialStatus: vc.credentialStatus.map((e) => ({ ...e, id: `${url(e)}#${e.statusListIndex}`, statusListCredential: url(e) })) });
      const servesListZero: CredentialSources = { ...sources(), statusList: async (url) => ({ jwt: await statusListAt(url.replace(/\/\d+$/, "/0")), fetchedAt: new Date().toISOString() }) };
      const servesOwnList: CredentialSources = { ...sources(), statusList: async (url) => ({ jwt: await statusListAt(new URL(new URL(url).pathname, "http://127.0.0.1:8080").href), fetchedAt: new Date().toISOString() }) };
      for (const [payload, from] of [
        [entries((e) => e.statusListCredential.replace(/\/0$/, "/1")), servesListZero],
        [entries((e) => e.statusListCredential.replace("http://127.0.0.1:8080", "https://status.other-customs.example")), servesOwnList],
      ] as const) {
        const other = await check(await signAsLedger(payload), { sources: from });
        expect(other.verdict).to.equal("STATUS_UNKNOWN");
        expect(other.problem?.message).to.match(/the list at \S+ is another list \(http:\/\/127\.0\.0\.1:8080\/v1\/status\/revocation\/0, revocation\)/);
      }
      // The superseded list served where the revocation list is named.
      const swapped = await check(jwt, { sources: { ...sources(), statusList: async () => ({ jwt: await statusListAt(superseded.statusListCredential), fetchedAt: new Date().toISOString() }) } });
      expect(swapped.verdict).to.equal("STATUS_UNKNOWN");
      expect(swapped.problem?.message).to.include(`revocation: the list at ${revocation.statusListCredential} is another list (${superseded.statusListCredential}, message)`);
      // A list signed by the ledger's key that names another issuer (as issuer, as an object's id, or as iss).
      const listPayload = part(await statusListAt(revocation.statusListCredential), 1);
      for (const [changed, named] of [
        [{ ...listPayload, issuer: "did:web:ledger.other-customs.example" }, "did:web:ledger.other-customs.example"],
        [{ ...listPayload, issuer: { id: "did:web:ledger.other-customs.example" } }, "did:web:ledger.other-customs.example"],
        [{ ...listPayload, iss: "did:web:status.example" }, "did:web:status.example"],
      ] as const) {
        const signedList = await signAsLedger(changed);
        const foreign = await check(jwt, { sources: { ...sources(), statusList: async () => ({ jwt: signedList, fetchedAt: new Date().toISOString() }) } });
        expect(foreign.verdict).to.equal("STATUS_UNKNOWN");
        expect(foreign.problem?.message).to.include(`revocation: the status list names "${named}" as its issuer, not ${DID}`);
      }
      // A header typ other than vc+jwt, or none, on the credential; on a status list, the status is unknown.
      for (const typ of ["JWT", "vc+sd-jwt", undefined]) {
        const result = await check(await signAsLedger(vc, { typ }));
        expect(result).to.deep.include({ verdict: "INVALID", problem: { code: "MALFORMED", message: `The JOSE header's typ is ${JSON.stringify(typ)}, not "vc+jwt".` } });
      }
      const plainList = await signAsLedger(part(await statusListAt(revocation.statusListCredential), 1), { typ: "JWT" });
      const listTyp = await check(jwt, { sources: { ...sources(), statusList: async () => ({ jwt: plainList, fetchedAt: new Date().toISOString() }) } });
      expect(listTyp.verdict).to.equal("STATUS_UNKNOWN");
      expect(listTyp.problem?.message).to.include(`The JOSE header's typ is "JWT"`);
      // A kid the DID document lists as a verification method, but not as an assertion method: it verifies nothing.
      const kid = part(jwt, 0).kid as string;
      const notAssertion = await check(jwt, { sources: doctored((d) => ({ ...d, assertionMethod: d.assertionMethod.filter((m) => m !== kid) })) });
      expect(notAssertion).to.deep.include({ verdict: "INVALID", problem: { code: "UNKNOWN_KEY", message: `${kid} is not an assertion method of ${DID}.` } });
      expect(notAssertion.statuses).to.deep.equal([]);
    });

    it("POST /v1/credentials/verify gives the same check, for callers without a verifier of their own", async function () {
      const jwt = await credentialOf(invoice);
      const { body } = await request(app).post("/v1/credentials/verify").send({ credential: jwt, docHash: invoice }).expect(200);
      expect(body).to.deep.include({ verdict: "VALID", documentMatches: true });
      expect(body.statuses.map((s: { purpose: string; set: boolean }) => [s.purpose, s.set])).to.deep.equal([["revocation", false], ["superseded", false]]);
      const bad = (await request(app).post("/v1/credentials/verify").send({ credential: jwt, docHash: label("x") }).expect(200)).body;
      expect(bad.verdict).to.equal("INVALID");
    });
  });

  it("publishes the routes in the OpenAPI document", async function () {
    const { body } = await request(app).get("/v1/openapi.json").expect(200);
    for (const p of ["/v1/documents/{docHash}/credential", "/v1/credentials", "/v1/status/{purpose}/{list}", "/v1/credentials/verify"]) expect(body.paths).to.have.property(p);
    const jwk = (await didDoc()).verificationMethod[0]!.publicKeyJwk as JWK;
    expect(jwk).to.not.have.property("d");
  });
});
