import { expect } from "chai";
import { callOf, country, deployConsortium, DocType, Kind, networkHelpers, Outcome, randomHash, randomHashes, standardTree, stateOf, Status } from "./fixtures.js";

const { loadFixture } = networkHelpers;
const COO = DocType.CERTIFICATE_OF_ORIGIN;
const INVOICE = DocType.INVOICE;

describe("four-eyes issuance", function () {
  it("the registering officer cannot approve their own certificate", async function () {
    const c = await loadFixture(deployConsortium);
    const doc = randomHash();
    await c.registry.connect(c.officer1).register(doc, COO);
    await expect(c.registry.connect(c.officer1).approve(doc))
      .to.be.revertedWithCustomError(c.registry, "DocumentRegistryAlreadyApproved")
      .withArgs(doc, c.officer1.address);
  });

  it("an officer of another issuing authority cannot approve it", async function () {
    const c = await loadFixture(deployConsortium);
    const foreign = c.spare[0];
    await c.govern([callOf(c.registry, "addOrganisation", ["Chamber of Commerce Hanoi", country("VN"), Kind.ISSUING_AUTHORITY, [foreign.address]])]);
    const doc = randomHash();
    await c.registry.connect(c.officer1).register(doc, COO);
    for (const other of [foreign, c.trader, c.customs]) {
      await expect(c.registry.connect(other).approve(doc))
        .to.be.revertedWithCustomError(c.registry, "DocumentRegistryNotIssuingOrganisation")
        .withArgs(other.address, doc);
    }
  });

  it("a PENDING certificate does not verify as VALID until a second officer approves it", async function () {
    const c = await loadFixture(deployConsortium);
    const doc = randomHash();
    await c.registry.connect(c.officer1).register(doc, COO);
    const pending = await stateOf(c.registry, doc);
    expect([pending.status, pending.approvalsRequired, pending.approvalsGiven]).to.deep.equal([BigInt(Status.PENDING), 2n, 1n]);
    const [many] = await c.registry.verifyMany([{ docHash: doc, root: doc, proof: [] }]);
    expect(many.status).to.equal(BigInt(Status.PENDING));
    await c.registry.connect(c.officer2).approve(doc);
    const valid = await stateOf(c.registry, doc);
    expect([valid.status, valid.approvalsRequired, valid.approvalsGiven, valid.account]).to.deep.equal([BigInt(Status.VALID), 2n, 2n, c.officer1.address]);
  });

  it("a document of a batch waits for the batch's countersignature", async function () {
    const c = await loadFixture(deployConsortium);
    const docs = randomHashes(3);
    const { root, proof } = standardTree(docs);
    await c.registry.connect(c.officer2).registerBatch(root, 3, COO);
    expect((await stateOf(c.registry, docs[2], root, proof(docs[2]))).status).to.equal(BigInt(Status.PENDING));
    await expect(c.registry.connect(c.officer2).approve(root))
      .to.be.revertedWithCustomError(c.registry, "DocumentRegistryAlreadyApproved")
      .withArgs(root, c.officer2.address);
    await c.registry.connect(c.officer1).approve(root);
    expect((await stateOf(c.registry, docs[2], root, proof(docs[2]))).status).to.equal(BigInt(Status.VALID));
  });
});

describe("suspension", function () {
  /** The trader has a document, a private batch and a public batch on the ledger, and is then suspended. */
  async function deploySuspendedTrader() {
    const c = await deployConsortium();
    const [single, successor] = randomHashes(2);
    const privateDocs = randomHashes(3);
    const privateTree = standardTree(privateDocs);
    const publicTree = standardTree(randomHashes(3));
    await c.registry.connect(c.trader).register(single, INVOICE);
    await c.registry.connect(c.trader).register(successor, INVOICE);
    await c.registry.connect(c.trader).registerBatch(privateTree.root, 3, INVOICE);
    await c.registry.connect(c.trader).registerPublicBatch(publicTree.ordered, INVOICE);
    await c.govern([
      callOf(c.registry, "setOrganisationActive", [c.org.trader, false]),
      callOf(c.registry, "setOrganisationActive", [c.org.customs, false]),
    ]);
    return { ...c, single, successor, privateDocs, privateTree, publicTree };
  }

  it("a suspended organisation cannot register, batch, approve, revoke, supersede or attest", async function () {
    const c = await loadFixture(deploySuspendedTrader);
    const { ordered } = standardTree(randomHashes(2));
    const p = c.privateTree.proof(c.privateDocs[0]);
    const writes: [string, Promise<unknown>, bigint][] = [
      ["register", c.registry.connect(c.trader).register(randomHash(), INVOICE), c.org.trader],
      ["registerBatch", c.registry.connect(c.trader2).registerBatch(randomHash(), 2, INVOICE), c.org.trader],
      ["registerPublicBatch", c.registry.connect(c.trader).registerPublicBatch(ordered, INVOICE), c.org.trader],
      ["approve", c.registry.connect(c.trader2).approve(c.single), c.org.trader],
      ["revoke", c.registry.connect(c.trader2).revoke(c.single, "x"), c.org.trader],
      ["revokeInBatch", c.registry.connect(c.trader).revokeInBatch(c.privateTree.root, c.privateDocs[0], p, "x"), c.org.trader],
      ["supersede", c.registry.connect(c.trader).supersede(c.single, c.successor), c.org.trader],
      ["attest", c.registry.connect(c.customs).attest(c.single, Outcome.ACCEPTED, 0), c.org.customs],
      ["register (customs)", c.registry.connect(c.customs).register(randomHash(), DocType.GOODS_DECLARATION), c.org.customs],
    ];
    for (const [name, write, org] of writes) {
      await expect(write, name).to.be.revertedWithCustomError(c.registry, "DocumentRegistryOrganisationSuspended").withArgs(org);
    }
  });

  it("what a suspended organisation anchored before still verifies, with the issuer reported as suspended", async function () {
    const c = await loadFixture(deploySuspendedTrader);
    const queries = [
      { docHash: c.single, root: c.single, proof: [] },
      { docHash: c.privateDocs[1], root: c.privateTree.root, proof: c.privateTree.proof(c.privateDocs[1]) },
      { docHash: c.publicTree.ordered[2], root: c.publicTree.root, proof: c.publicTree.proof(c.publicTree.ordered[2]) },
    ];
    for (const state of await c.registry.verifyMany(queries)) {
      expect([state.status, state.organisation, state.account, state.organisationKind, state.organisationActive]).to.deep.equal([
        BigInt(Status.VALID),
        c.org.trader,
        c.trader.address,
        BigInt(Kind.TRADER),
        false,
      ]);
    }
  });

  it("a reinstated organisation writes again and its documents report an active issuer", async function () {
    const c = await loadFixture(deploySuspendedTrader);
    await c.govern([callOf(c.registry, "setOrganisationActive", [c.org.trader, true])]);
    const doc = randomHash();
    await expect(c.registry.connect(c.trader2).register(doc, INVOICE))
      .to.emit(c.registry, "DocumentRegistered")
      .withArgs(doc, c.org.trader, c.trader2.address, INVOICE, Status.VALID);
    await expect(c.registry.connect(c.trader).supersede(c.single, c.successor)).to.emit(c.registry, "DocumentSuperseded");
    expect((await stateOf(c.registry, c.single)).organisationActive).to.equal(true);
  });
});

describe("key rotation and removal", function () {
  it("a removed account cannot write, and what it anchored stays the organisation's", async function () {
    const c = await loadFixture(deployConsortium);
    const doc = randomHash();
    await c.registry.connect(c.trader).register(doc, INVOICE);
    await c.govern([callOf(c.registry, "removeAccount", [c.trader.address])]);
    await expect(c.registry.connect(c.trader).register(randomHash(), INVOICE))
      .to.be.revertedWithCustomError(c.registry, "DocumentRegistryNotMember")
      .withArgs(c.trader.address);
    await expect(c.registry.connect(c.trader).revoke(doc, "x"))
      .to.be.revertedWithCustomError(c.registry, "DocumentRegistryNotMember")
      .withArgs(c.trader.address);
    const state = await stateOf(c.registry, doc);
    expect([state.status, state.account, state.organisation, state.organisationActive]).to.deep.equal([BigInt(Status.VALID), c.trader.address, c.org.trader, true]);
    await expect(c.registry.connect(c.trader2).revoke(doc, "x")).to.emit(c.registry, "DocumentRevoked").withArgs(doc, c.org.trader, c.trader2.address, "x");
  });

  it("after a rotation the old key cannot write and the new key acts on the organisation's earlier documents", async function () {
    const c = await loadFixture(deployConsortium);
    const fresh = c.spare[0];
    const [old, pending, next] = randomHashes(3);
    await c.registry.connect(c.officer1).register(old, COO);
    await c.registry.connect(c.officer2).approve(old);
    await c.registry.connect(c.officer2).register(pending, COO);
    await c.govern([callOf(c.registry, "rotateAccount", [c.officer1.address, fresh.address])]);
    await expect(c.registry.connect(c.officer1).approve(pending))
      .to.be.revertedWithCustomError(c.registry, "DocumentRegistryNotMember")
      .withArgs(c.officer1.address);
    await expect(c.registry.connect(fresh).approve(pending))
      .to.emit(c.registry, "DocumentApproved")
      .withArgs(pending, c.org.authority, fresh.address, 2, 2);
    await c.registry.connect(fresh).register(next, COO);
    await c.registry.connect(c.officer2).approve(next);
    await expect(c.registry.connect(fresh).supersede(old, next)).to.emit(c.registry, "DocumentSuperseded").withArgs(old, next, c.org.authority, fresh.address);
    const state = await stateOf(c.registry, old);
    expect([state.status, state.account, state.organisation, state.supersededBy]).to.deep.equal([BigInt(Status.SUPERSEDED), c.officer1.address, c.org.authority, next]);
  });
});
