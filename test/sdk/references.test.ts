// References: the normative commitment (normalisation, hashing) and the SDK's filing and lookup on a real node.
import { createHash } from "node:crypto";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import { deployDemoLedger, demoWallet, seedDemoConsortium } from "../../scripts/demo.js";
import { FREE_GAS_FLAGS } from "../../scripts/embedded/anvil.js";
import { InvalidArgumentError, parseReceipt, TradeproofClient, type Deployment, type Hex } from "../../sdk/index.js";
import { normaliseReferenceId, referenceCommitment, REFERENCE_SCHEMES } from "../../sdk/references.js";
import { startAnvil, type Anvil } from "../cli/harness.js";
import { rejection } from "./client.behavior.js";

const AUTHORITY = "Regional Export-Import Management Office, Ho Chi Minh City";
const randomHash = () => Wallet.createRandom().privateKey as Hex;

describe("references: the commitment", function () {
  it("normalises case, width, spaces and separators, and nothing else", function () {
    expect(normaliseReferenceId("VN-SG 26/01/000123")).to.equal("VNSG2601000123");
    expect(normaliseReferenceId("vn-sg 26/01/000123")).to.equal("VNSG2601000123");
    expect(normaliseReferenceId(" VN‐SG　２６/01/000123 ")).to.equal("VNSG2601000123"); // Unicode hyphen, ideographic space, full-width digits
    expect(normaliseReferenceId("MCE-INV-2026-0871")).to.equal("MCEINV20260871");
    expect(normaliseReferenceId("số 12/ĐK")).to.equal("SỐ12ĐK"); // letters of any script are kept
    expect(normaliseReferenceId("0012")).to.not.equal(normaliseReferenceId("12")); // leading zeros are part of a number
  });

  it("is SHA-256 of the RFC 8785 form of {id, organisation, scheme, type}, written out here byte for byte", function () {
    const expected = `0x${createHash("sha256")
      .update('{"id":"VNSG2601000123","organisation":2,"scheme":"certificate","type":"tradeproof-reference/v1"}')
      .digest("hex")}`;
    expect(referenceCommitment(2, { scheme: "certificate", id: "VN-SG 26/01/000123" })).to.equal(expected);
    expect(referenceCommitment(2, { scheme: "certificate", id: "vn-sg 26/01/000123" })).to.equal(expected);
    // Another organisation, another scheme: another commitment.
    expect(referenceCommitment(3, { scheme: "certificate", id: "VN-SG 26/01/000123" })).to.not.equal(expected);
    expect(referenceCommitment(2, { scheme: "free", id: "VN-SG 26/01/000123" })).to.not.equal(expected);
  });

  it("refuses an empty number, one too long, one without letters or digits, an unknown scheme and a bad organisation", function () {
    const refuse = (f: () => unknown, message: RegExp) => expect(f).to.throw(InvalidArgumentError, message);
    refuse(() => normaliseReferenceId(""), /is empty/);
    refuse(() => normaliseReferenceId("   "), /is empty/);
    refuse(() => normaliseReferenceId("x".repeat(101)), /longer than 100 characters/);
    refuse(() => normaliseReferenceId("1".repeat(65)), /more than 64 letters and digits/);
    refuse(() => normaliseReferenceId("--//--"), /has no letter or digit/);
    refuse(() => referenceCommitment(2, { scheme: "licence" as "free", id: "1" }), /not a reference scheme: use one of certificate, invoice, transport, declaration, free/);
    refuse(() => referenceCommitment(0, { scheme: "free", id: "1" }), /not an organisation id/);
    expect(Object.keys(REFERENCE_SCHEMES)).to.deep.equal(["certificate", "invoice", "transport", "declaration", "free"]);
  });
});

describe("references: filing and finding with the SDK", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let provider: JsonRpcProvider;
  let deployment: Deployment;
  const client = (role: Parameters<typeof demoWallet>[0]) => TradeproofClient.connect({ runner: demoWallet(role, provider), deployment });

  before(async function () {
    anvil = await startAnvil(FREE_GAS_FLAGS);
    provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
    deployment = await deployDemoLedger(provider);
    await seedDemoConsortium({ provider, deployment });
  });
  after(async function () {
    provider?.destroy();
    await anvil?.stop();
  });

  it("a register with a reference: its receipt carries it, and the number finds the document, in any letter case", async function () {
    const officer1 = await client("officer1");
    const doc = randomHash();
    const receipt = await officer1.register(doc, 861, { reference: { scheme: "certificate", id: "VN-SG 26/01/000123" } });
    expect(receipt.reference).to.deep.equal({
      scheme: "certificate",
      id: "VN-SG 26/01/000123",
      commitment: referenceCommitment(2, { scheme: "certificate", id: "VN-SG 26/01/000123" }),
    });
    expect(parseReceipt(JSON.parse(JSON.stringify(receipt)))).to.deep.equal(receipt);

    const anyone = await TradeproofClient.connect({ runner: provider, deployment });
    const found = await anyone.findByReference({ issuer: AUTHORITY.toUpperCase(), scheme: "certificate", id: "vn-sg 26/01/000123" });
    expect(found.organisation).to.deep.equal({ id: 2, name: AUTHORITY });
    expect(found.reference).to.include({ scheme: "certificate", normalised: "VNSG2601000123" });
    expect(found.documents.map((d) => [d.result.docHash, d.result.status])).to.deep.equal([[doc, "PENDING"]]);
    expect(found.documents[0]!.result.issuer?.organisation).to.equal(AUTHORITY);
    // By the organisation's number too.
    expect((await anyone.findByReference({ issuer: 2, scheme: "certificate", id: "VN-SG 26/01/000123" })).documents).to.have.length(1);
  });

  it("does not find a number under another organisation, another scheme or a near number", async function () {
    const anyone = await TradeproofClient.connect({ runner: provider, deployment });
    const trader = await client("trader");
    await trader.register(randomHash(), 380, { reference: { scheme: "invoice", id: "MCE-INV-2026-0001" } });
    for (const params of [
      { issuer: AUTHORITY, scheme: "invoice", id: "MCE-INV-2026-0001" },
      { issuer: "Mekong Coffee Export JSC", scheme: "free", id: "MCE-INV-2026-0001" },
      { issuer: "Mekong Coffee Export JSC", scheme: "invoice", id: "MCE-INV-2026-000" },
    ]) {
      expect((await anyone.findByReference(params)).documents, JSON.stringify(params)).to.deep.equal([]);
    }
    expect((await anyone.findByReference({ issuer: "Mekong Coffee Export JSC", scheme: "invoice", id: "mce inv 2026 0001" })).documents).to.have.length(1);
  });

  it("a document filed by one organisation under another's number is not shown (the registry names the issuer)", async function () {
    const trader = await client("trader");
    const doc = randomHash();
    await trader.register(doc, 380);
    // The trader files its own document under a commitment made with the authority's id: the event carries the trader's
    // organisation, so a lookup under the authority finds nothing.
    const forged = referenceCommitment(2, { scheme: "certificate", id: "FORGED-1" });
    await (await trader.references!.fileReferences(doc, [doc], [forged])).wait();
    const anyone = await TradeproofClient.connect({ runner: provider, deployment });
    expect((await anyone.findByReference({ issuer: 2, scheme: "certificate", id: "FORGED-1" })).documents).to.deep.equal([]);
    // And a document of another organisation filed by the trader under its own number is dropped: the issuer differs.
    const authorityDoc = randomHash();
    await (await client("officer1")).register(authorityDoc, 861);
    const own = referenceCommitment(1, { scheme: "free", id: "NOT-MINE" });
    await (await trader.references!.fileReferences(authorityDoc, [authorityDoc], [own])).wait();
    expect((await anyone.findByReference({ issuer: 1, scheme: "free", id: "NOT-MINE" })).documents).to.deep.equal([]);
  });

  it("shows every document under one number, newest first, and says when one was revoked or superseded", async function () {
    const trader = await client("trader");
    const reference = { scheme: "invoice" as const, id: "MCE-INV-2026-0900" };
    const first = randomHash();
    const second = randomHash();
    const third = randomHash();
    await trader.register(first, 380, { reference });
    await trader.register(second, 380, { reference });
    await trader.supersede(first, second);
    await trader.register(third, 380, { reference });
    await trader.revoke(third, "issued in error");
    const found = await trader.findByReference({ issuer: 1, ...reference });
    expect(found.documents.map((d) => [d.result.docHash, d.result.status])).to.deep.equal([
      [third, "REVOKED"],
      [second, "VALID"],
      [first, "SUPERSEDED"],
    ]);
    expect(found.documents[2]!.result.supersededBy).to.equal(second);
    expect(found.documents[0]!.result.revocationReason).to.equal("issued in error");
  });

  it("a public batch files each document under its number; a private batch keeps them in the receipts only", async function () {
    const trader = await client("trader");
    const docs = [randomHash(), randomHash(), randomHash()];
    const references = [{ scheme: "transport" as const, id: "SPL261105CLI0042" }, undefined, { scheme: "transport" as const, id: "SPL261105CLI0043" }];
    const receipts = await trader.registerBatch(docs, 705, { public: true, references });
    expect(receipts.map((r) => r.reference?.id)).to.deep.equal(["SPL261105CLI0042", undefined, "SPL261105CLI0043"]);
    const found = await trader.findByReference({ issuer: 1, scheme: "transport", id: "spl261105cli0042" });
    expect(found.documents.map((d) => [d.result.docHash, d.result.status, d.result.batch?.public])).to.deep.equal([[docs[0], "VALID", true]]);

    const privateDocs = [randomHash(), randomHash()];
    const privateReceipts = await trader.registerBatch(privateDocs, 705, { references: [{ scheme: "transport", id: "PRIVATE-1" }, undefined] });
    expect(privateReceipts[0]!.reference?.id).to.equal("PRIVATE-1");
    expect((await trader.findByReference({ issuer: 1, scheme: "transport", id: "PRIVATE-1" })).documents).to.deep.equal([]);
  });

  it("refuses bad references before sending anything, and an unknown issuer with what to give", async function () {
    const trader = await client("trader");
    const before = await provider.getTransactionCount(demoWallet("trader").address);
    const doc = randomHash();
    expect((await rejection(trader.register(doc, 380, { reference: { scheme: "licence" as "free", id: "1" } }))).message).to.match(/not a reference scheme/);
    expect((await rejection(trader.register(doc, 380, { reference: { scheme: "invoice", id: "" } }))).message).to.match(/document number is empty/);
    expect((await rejection(trader.registerBatch([doc], 380, { references: [] }))).message).to.match(/0 references for 1 documents/);
    expect(await provider.getTransactionCount(demoWallet("trader").address)).to.equal(before);
    expect((await rejection(trader.findByReference({ issuer: "Nobody Ltd", scheme: "invoice", id: "1" }))).message).to.match(/No member organisation is called "Nobody Ltd"/);
    expect((await rejection(trader.findByReference({ issuer: 99, scheme: "invoice", id: "1" }))).message).to.match(/no organisation 99/);
  });

  it("asks for the number of an organisation whose name another organisation shares", async function () {
    const governors = await Promise.all((["governor1", "governor2"] as const).map((role) => client(role)));
    const { addOrganisationCall } = await import("../../sdk/index.js");
    const id = await governors[0]!.propose(
      [addOrganisationCall(deployment, { name: "Mekong Coffee Export JSC", country: "SG", kind: "TRADER", accounts: [Wallet.createRandom().address] })],
      "a namesake in Singapore",
    );
    await governors[1]!.approveProposal(id);
    await governors[1]!.executeProposal(id);
    const anyone = await TradeproofClient.connect({ runner: provider, deployment });
    expect((await rejection(anyone.findByReference({ issuer: "mekong coffee export jsc", scheme: "invoice", id: "1" }))).message).to.match(
      /^2 organisations are called "mekong coffee export jsc" \(1, VN; 6, SG\): give the number of the one that issued the document\.$/,
    );
    expect((await anyone.findByReference({ issuer: 1, scheme: "invoice", id: "MCE-INV-2026-0001" })).documents).to.have.length(1);
  });

  it("says references are unavailable on a deployment made before them", async function () {
    const { references: _none, ...older } = deployment;
    const old = await TradeproofClient.connect({ runner: provider, deployment: older });
    expect((await rejection(old.findByReference({ issuer: 1, scheme: "invoice", id: "1" }))).message).to.match(/no references contract/);
  });
});
