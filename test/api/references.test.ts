// GET /v1/references/:organisation/:commitment and relayed filings: the API's side of finding a document by number.
import { expect } from "chai";
import { ethers } from "ethers";
import type { RequestListener } from "node:http";
import request from "supertest";
import { verifyIndex } from "../../api/indexer/verify.js";
import type { Services } from "../../api/services.js";
import { buildBatch, referenceCommitment, type Hex } from "../../sdk/index.js";
import { apiFor } from "./app-helpers.js";
import { Anvil, deployConsortium, DocType, type Consortium } from "./helpers.js";

const label = (s: string) => ethers.keccak256(ethers.toUtf8Bytes(s)).toLowerCase() as Hex;

describe("API: documents by the number printed on them", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let c: Consortium;
  let app: RequestListener;
  let services: Services;
  const lookup = (organisation: number | string, commitment: string) => request(app).get(`/v1/references/${organisation}/${commitment}`);

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

  /** prepare → sign → POST /v1/requests; returns the request id. */
  async function relay(signer: ethers.HDNodeWallet, body: Record<string, unknown>): Promise<string> {
    const prepared = await request(app).post("/v1/requests/prepare").send({ from: signer.address, ...body });
    if (prepared.status !== 200) throw new Error(`prepare: ${prepared.status} ${JSON.stringify(prepared.body)}`);
    const { domain, types, message } = prepared.body;
    const res = await request(app).post("/v1/requests").send({ request: message, signature: await signer.signTypedData(domain, types, message) }).expect(202);
    return res.body.id as string;
  }

  it("finds a document filed under a number, from the index, with its verification result", async function () {
    const doc = label("invoice 0871");
    await (await c.registry.connect(c.trader).register(doc, DocType.INVOICE)).wait();
    const commitment = referenceCommitment(1, { scheme: "invoice", id: "MCE-INV-2026-0871" });
    await (await c.references.connect(c.trader).fileReferences(doc, [doc], [commitment])).wait();
    await services.indexer.syncOnce();
    const { body } = await lookup(1, commitment).expect(200);
    expect(body.organisation).to.deep.equal({ id: 1, name: (await c.registry.organisation(1)).name });
    expect(body.commitment).to.equal(commitment);
    expect(body.documents.map((d: { result: { docHash: string; status: string } }) => [d.result.docHash, d.result.status])).to.deep.equal([[doc, "VALID"]]);
    expect(body.documents[0].anchor).to.equal(doc);
    // The same commitment under another organisation's number finds nothing.
    expect((await lookup(2, commitment).expect(200)).body.documents).to.deep.equal([]);
  });

  it("relays a register and its filing (two requests of one member, in one relayer transaction), and finds the document by number", async function () {
    const doc = label("relayed invoice 0872");
    const idRegister = await relay(c.trader, { action: "register", docHash: doc, docType: 380 });
    const idFile = await relay(c.trader, { action: "fileReferences", anchor: doc, references: [{ docHash: doc, scheme: "invoice", id: "MCE-INV-2026-0872" }] });
    await services.worker!.processOnce();
    for (const id of [idRegister, idFile]) expect((await request(app).get(`/v1/requests/${id}`).expect(200)).body.status).to.equal("mined");
    const filing = (await request(app).get(`/v1/requests/${idFile}`)).body;
    expect(filing.to).to.equal(c.deployment.references);
    // Queued before the relayer's pass, both ride one relayer transaction.
    expect(filing.txHash).to.equal((await request(app).get(`/v1/requests/${idRegister}`)).body.txHash);
    expect((await request(app).get(`/v1/requests/${idFile}/receipts`).expect(409)).body.error.code).to.equal("NOT_AN_ANCHOR");
    await services.indexer.syncOnce();
    const commitment = referenceCommitment(1, { scheme: "invoice", id: "mce inv 2026 0872" });
    const { body } = await lookup(1, commitment).expect(200);
    expect(body.documents.map((d: { result: { docHash: string } }) => d.result.docHash)).to.deep.equal([doc]);
  });

  it("finds documents of a public batch, and says when one was revoked or superseded, newest first", async function () {
    const docs = [label("bl 1"), label("bl 2")];
    const batch = buildBatch(docs);
    await (await c.registry.connect(c.trader).registerPublicBatch(batch.leaves, DocType.INVOICE)).wait();
    const commitment = referenceCommitment(1, { scheme: "transport", id: "SPL261105CLI0042" });
    await (await c.references.connect(c.trader).fileReferences(batch.root, [docs[0]!], [commitment])).wait();
    const single = label("bl 3");
    await (await c.registry.connect(c.trader).register(single, DocType.INVOICE)).wait();
    await (await c.references.connect(c.trader).fileReferences(single, [single], [commitment])).wait();
    await (await c.registry.connect(c.trader).revoke(single, "duplicate")).wait();
    await services.indexer.syncOnce();
    const { body } = await lookup(1, commitment).expect(200);
    expect(body.documents.map((d: { result: { docHash: string; status: string; batch?: { public: boolean } } }) => [d.result.docHash, d.result.status, d.result.batch?.public ?? false])).to.deep.equal([
      [single, "REVOKED", false],
      [docs[0], "VALID", true],
    ]);
    expect(body.documents[1].anchor).to.equal(batch.root);
  });

  it("leaves out a document whose anchor another organisation made", async function () {
    const authorityDoc = label("authority's certificate");
    await (await c.registry.connect(c.officer1).register(authorityDoc, DocType.CERTIFICATE_OF_ORIGIN)).wait();
    const commitment = referenceCommitment(1, { scheme: "free", id: "NOT-MINE" });
    await (await c.references.connect(c.trader).fileReferences(authorityDoc, [authorityDoc], [commitment])).wait();
    await services.indexer.syncOnce();
    expect((await lookup(1, commitment).expect(200)).body.documents).to.deep.equal([]);
  });

  it("answers bad input with a clear 400, an unknown organisation with 404, and refuses bad relayed filings", async function () {
    expect((await lookup(1, "0x1234").expect(400)).body.error.code).to.equal("INVALID_HASH");
    expect((await lookup("zero", label("x")).expect(400)).body.error.code).to.match(/VALIDATION|INVALID/);
    expect((await lookup(0, label("x")).expect(400)).body.error).to.have.property("message");
    const unknown = await lookup(99, label("x")).expect(404);
    expect(unknown.body.error).to.deep.equal({ code: "UNKNOWN_ORGANISATION", message: `No organisation has the number 99 (there are ${Number(await c.registry.organisationCount())}).` });
    const bad = async (references: unknown[], code: string, message: RegExp) => {
      const res = await request(app).post("/v1/requests/prepare").send({ from: c.trader.address, action: "fileReferences", anchor: label("a"), references });
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      expect(res.body.error.code).to.equal(code);
      expect(res.body.error.message).to.match(message);
    };
    await bad([{ docHash: label("a"), scheme: "licence", id: "1" }], "INVALID_REFERENCE", /references\[0\]: "licence" is not a reference scheme/);
    await bad([{ docHash: label("a"), scheme: "invoice", id: "" }], "INVALID_REFERENCE", /document number is empty/);
    await bad([{ docHash: label("a"), scheme: "invoice", id: "x".repeat(101) }], "VALIDATION_FAILED", /./);
    const outsider = await request(app).post("/v1/requests/prepare").send({ from: c.outsider.address, action: "fileReferences", anchor: label("a"), references: [{ docHash: label("a"), scheme: "invoice", id: "1" }] });
    expect(outsider.status).to.equal(403);
  });

  it("index verify covers the filings", async function () {
    const report = await verifyIndex({ provider: c.provider, contracts: c.deployment, store: services.store });
    expect(report.differences).to.deep.equal([]);
    const filings = (await services.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE name = 'DocumentReferenced'"))!;
    expect(filings.n).to.be.at.least(5);
    // A filing removed from the index is reported missing.
    const first = (await services.store.one<{ block: number; log_index: number }>("SELECT block, log_index FROM events WHERE name = 'DocumentReferenced' ORDER BY block LIMIT 1"))!;
    await services.store.run("DELETE FROM events WHERE block = ? AND log_index = ?", [first.block, first.log_index]);
    const after = await verifyIndex({ provider: c.provider, contracts: c.deployment, store: services.store });
    expect(after.differences).to.deep.equal([{ kind: "missing", block: first.block, logIndex: first.log_index, name: "DocumentReferenced" }]);
  });
});
