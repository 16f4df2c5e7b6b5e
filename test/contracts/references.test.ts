import { expect } from "chai";
import { DocType, deployConsortium, networkHelpers, randomHash, signForwardRequest, type Consortium } from "./fixtures.js";
import { referenceCommitment } from "../../sdk/references.js";

describe("DocumentReferences", function () {
  let c: Consortium;
  beforeEach(async function () {
    c = await networkHelpers.loadFixture(deployConsortium);
  });

  it("emits one DocumentReferenced a document, with the caller's organisation; nothing else is stored", async function () {
    const doc = randomHash();
    await c.registry.connect(c.trader).register(doc, DocType.INVOICE);
    const commitment = referenceCommitment(Number(c.org.trader), { scheme: "invoice", id: "MCE-INV-2026-0871" });
    await expect(c.references.connect(c.trader).fileReferences(doc, [doc], [commitment]))
      .to.emit(c.references, "DocumentReferenced")
      .withArgs(commitment, c.org.trader, doc, doc);
    const logs = await c.references.queryFilter(c.references.filters.DocumentReferenced(commitment, c.org.trader));
    expect(logs.map((l) => l.args.docHash)).to.deep.equal([doc]);
    // Another organisation's filter finds nothing under the same commitment.
    expect(await c.references.queryFilter(c.references.filters.DocumentReferenced(commitment, c.org.otherTrader))).to.deep.equal([]);
  });

  it("files many documents of a public batch in one call, each under its own reference", async function () {
    const docs = [randomHash(), randomHash(), randomHash()];
    const commitments = docs.map((_, i) => referenceCommitment(Number(c.org.trader), { scheme: "invoice", id: `INV-${i}` }));
    const tx = await c.references.connect(c.trader).fileReferences(randomHash(), docs, commitments);
    const receipt = await tx.wait();
    const parsed = receipt!.logs.map((l) => c.references.interface.parseLog(l)!);
    expect(parsed.map((p) => [p.args.commitment, p.args.docHash])).to.deep.equal(docs.map((d, i) => [commitments[i], d]));
  });

  it("refuses an account of no organisation, and one of a suspended organisation", async function () {
    const doc = randomHash();
    await expect(c.references.connect(c.outsider).fileReferences(doc, [doc], [randomHash()]))
      .to.be.revertedWithCustomError(c.references, "DocumentReferencesNotMember")
      .withArgs(c.outsider.address);
    await c.govern([{ target: await c.registry.getAddress(), data: c.registry.interface.encodeFunctionData("setOrganisationActive", [c.org.trader, false]) }]);
    await expect(c.references.connect(c.trader).fileReferences(doc, [doc], [randomHash()])).to.be.revertedWithCustomError(
      c.references,
      "DocumentReferencesNotMember",
    );
  });

  it("refuses lists of different lengths, empty lists and more than 1,024 references", async function () {
    const doc = randomHash();
    await expect(c.references.connect(c.trader).fileReferences(doc, [doc], []))
      .to.be.revertedWithCustomError(c.references, "DocumentReferencesBadLength")
      .withArgs(1, 0);
    await expect(c.references.connect(c.trader).fileReferences(doc, [], [])).to.be.revertedWithCustomError(c.references, "DocumentReferencesBadLength");
    const many = Array.from({ length: 1_025 }, () => doc);
    await expect(c.references.connect(c.trader).fileReferences(doc, many, many))
      .to.be.revertedWithCustomError(c.references, "DocumentReferencesBadLength")
      .withArgs(1_025, 1_025);
  });

  it("takes relayed calls: the member who signed is the one whose organisation is emitted", async function () {
    const doc = randomHash();
    const commitment = referenceCommitment(Number(c.org.authority), { scheme: "certificate", id: "VN-SG 26/01/000123" });
    const request = {
      from: c.officer1.address,
      to: await c.references.getAddress(),
      value: 0n,
      gas: 100_000n,
      nonce: await c.forwarder.nonces(c.officer1.address),
      deadline: 2n ** 47n,
      data: c.references.interface.encodeFunctionData("fileReferences", [doc, [doc], [commitment]]),
    };
    await expect(c.forwarder.connect(c.spare[0]).execute(await signForwardRequest(c.forwarder, c.officer1, request)))
      .to.emit(c.references, "DocumentReferenced")
      .withArgs(commitment, c.org.authority, doc, doc);
  });

  it("knows its registry, and leaves the registry's code as it was (a register without reference costs the same)", async function () {
    expect(await c.references.registry()).to.equal(await c.registry.getAddress());
    expect(await c.references.MAX_REFERENCES()).to.equal(1_024n);
    // The registry's ABI has no reference function: a register is the same call it was.
    expect(c.registry.interface.fragments.some((f) => f.type === "function" && /reference/i.test(f.format()))).to.equal(false);
  });
});
