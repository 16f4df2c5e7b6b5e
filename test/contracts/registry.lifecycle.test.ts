import { expect } from "chai";
import {
  AnchorKind,
  callOf,
  deployConsortium,
  DocType,
  ethers,
  Kind,
  kinds,
  minedAt,
  networkHelpers,
  NOT_FOUND_STATE,
  Outcome,
  plainState,
  randomHash,
  randomHashes,
  standardTree,
  stateOf,
  Status,
  type Consortium,
} from "./fixtures.js";

const { loadFixture } = networkHelpers;
const COO = DocType.CERTIFICATE_OF_ORIGIN;
const INVOICE = DocType.INVOICE;

/** A consortium where the authority's certificates of origin need three approvals and it has a third officer. */
async function deployWithThreeOfficers() {
  const c = await deployConsortium();
  const officer3 = c.spare[0];
  await c.govern([
    callOf(c.registry, "addAccount", [c.org.authority, officer3.address]),
    callOf(c.registry, "setDocumentPolicy", [DocType.BILL_OF_LADING, kinds(Kind.ISSUING_AUTHORITY), 3]),
  ]);
  return { ...c, officer3 };
}

/** Expects `promise` to revert with the registry's `error(args)`. */
async function expectError(c: Consortium, promise: Promise<unknown>, error: string, args: unknown[]) {
  await expect(promise).to.be.revertedWithCustomError(c.registry, error).withArgs(...args);
}

describe("DocumentRegistry lifecycle", function () {
  describe("register", function () {
    it("anchors a document VALID at once when its type needs one approval, recording account, organisation, type, time and status", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      const tx = c.registry.connect(c.trader2).register(doc, INVOICE);
      await expect(tx).to.emit(c.registry, "DocumentRegistered").withArgs(doc, c.org.trader, c.trader2.address, INVOICE, Status.VALID);
      expect(await stateOf(c.registry, doc)).to.deep.equal({
        ...NOT_FOUND_STATE,
        status: BigInt(Status.VALID),
        kind: BigInt(AnchorKind.SINGLE),
        root: doc,
        docType: BigInt(INVOICE),
        account: c.trader2.address,
        organisation: c.org.trader,
        organisationKind: BigInt(Kind.TRADER),
        organisationActive: true,
        anchoredAt: await minedAt(await tx),
        approvalsRequired: 1n,
        approvalsGiven: 1n,
      });
    });

    it("anchors a document PENDING with the registrant's approval when its type needs two", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      await expect(c.registry.connect(c.officer1).register(doc, COO))
        .to.emit(c.registry, "DocumentRegistered")
        .withArgs(doc, c.org.authority, c.officer1.address, COO, Status.PENDING);
      const state = await stateOf(c.registry, doc);
      expect([state.status, state.approvalsRequired, state.approvalsGiven]).to.deep.equal([BigInt(Status.PENDING), 2n, 1n]);
    });

    it("follows the default policy for a type without one", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      await expect(c.registry.connect(c.officer1).register(doc, DocType.BILL_OF_LADING))
        .to.emit(c.registry, "DocumentRegistered")
        .withArgs(doc, c.org.authority, c.officer1.address, DocType.BILL_OF_LADING, Status.VALID);
      await expectError(c, c.registry.connect(c.customs).register(randomHash(), DocType.BILL_OF_LADING), "DocumentRegistryNotIssuer", [
        c.customs.address,
        DocType.BILL_OF_LADING,
      ]);
    });

    it("rejects the zero hash with DocumentRegistryZeroHash", async function () {
      const c = await loadFixture(deployConsortium);
      await expectError(c, c.registry.connect(c.trader).register(ethers.ZeroHash, INVOICE), "DocumentRegistryZeroHash", []);
    });

    it("rejects a hash anchored before, by the same or another organisation, with DocumentRegistryAlreadyAnchored", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      await c.registry.connect(c.trader).register(doc, INVOICE);
      await expectError(c, c.registry.connect(c.trader2).register(doc, INVOICE), "DocumentRegistryAlreadyAnchored", [doc]);
      await expectError(c, c.registry.connect(c.otherTrader).register(doc, INVOICE), "DocumentRegistryAlreadyAnchored", [doc]);
      const { root } = standardTree(randomHashes(3));
      await c.registry.connect(c.trader).registerBatch(root, 3, INVOICE);
      await expectError(c, c.registry.connect(c.trader).register(root, INVOICE), "DocumentRegistryAlreadyAnchored", [root]);
    });

    it("rejects a non-member with DocumentRegistryNotMember, a suspended member with DocumentRegistryOrganisationSuspended and a kind the policy excludes with DocumentRegistryNotIssuer", async function () {
      const c = await loadFixture(deployConsortium);
      await expectError(c, c.registry.connect(c.outsider).register(randomHash(), INVOICE), "DocumentRegistryNotMember", [c.outsider.address]);
      await expectError(c, c.registry.connect(c.officer1).register(randomHash(), INVOICE), "DocumentRegistryNotIssuer", [c.officer1.address, INVOICE]);
      await c.govern([callOf(c.registry, "setOrganisationActive", [c.org.trader, false])]);
      await expectError(c, c.registry.connect(c.trader).register(randomHash(), INVOICE), "DocumentRegistryOrganisationSuspended", [c.org.trader]);
    });
  });

  describe("registerBatch (private)", function () {
    it("anchors a root with its size, and each document verifies with its proof", async function () {
      const c = await loadFixture(deployConsortium);
      const docs = randomHashes(5);
      const { root, proof } = standardTree(docs);
      expect(await c.registry.connect(c.trader).registerBatch.staticCall(root, 5, INVOICE)).to.equal(root);
      const tx = c.registry.connect(c.trader).registerBatch(root, 5, INVOICE);
      await expect(tx).to.emit(c.registry, "BatchRegistered").withArgs(root, c.org.trader, c.trader.address, INVOICE, 5, false, Status.VALID);
      await expect(tx).not.to.emit(c.registry, "BatchLeaves");
      const at = await minedAt(await tx);
      for (const doc of docs) {
        expect(await stateOf(c.registry, doc, root, proof(doc))).to.deep.equal({
          ...NOT_FOUND_STATE,
          status: BigInt(Status.VALID),
          kind: BigInt(AnchorKind.PRIVATE_BATCH),
          root,
          docType: BigInt(INVOICE),
          account: c.trader.address,
          organisation: c.org.trader,
          organisationKind: BigInt(Kind.TRADER),
          organisationActive: true,
          anchoredAt: at,
          approvalsRequired: 1n,
          approvalsGiven: 1n,
        });
      }
    });

    it("anchors a batch PENDING when its type needs countersignature", async function () {
      const c = await loadFixture(deployConsortium);
      const { root } = standardTree(randomHashes(2));
      await expect(c.registry.connect(c.officer2).registerBatch(root, 2, COO))
        .to.emit(c.registry, "BatchRegistered")
        .withArgs(root, c.org.authority, c.officer2.address, COO, 2, false, Status.PENDING);
    });

    it("rejects a count of 0 with DocumentRegistryEmptyBatch, a zero root with DocumentRegistryZeroHash and a known root with DocumentRegistryAlreadyAnchored", async function () {
      const c = await loadFixture(deployConsortium);
      const { root } = standardTree(randomHashes(2));
      await expectError(c, c.registry.connect(c.trader).registerBatch(root, 0, INVOICE), "DocumentRegistryEmptyBatch", []);
      await expectError(c, c.registry.connect(c.trader).registerBatch(ethers.ZeroHash, 2, INVOICE), "DocumentRegistryZeroHash", []);
      await c.registry.connect(c.trader).registerBatch(root, 2, INVOICE);
      await expectError(c, c.registry.connect(c.otherTrader).registerBatch(root, 2, INVOICE), "DocumentRegistryAlreadyAnchored", [root]);
    });

    it("rejects non-members, suspended members and excluded kinds", async function () {
      const c = await loadFixture(deployConsortium);
      await expectError(c, c.registry.connect(c.outsider).registerBatch(randomHash(), 2, INVOICE), "DocumentRegistryNotMember", [c.outsider.address]);
      await expectError(c, c.registry.connect(c.auditor).registerBatch(randomHash(), 2, INVOICE), "DocumentRegistryNotIssuer", [c.auditor.address, INVOICE]);
      await c.govern([callOf(c.registry, "setOrganisationActive", [c.org.trader, false])]);
      await expectError(c, c.registry.connect(c.trader2).registerBatch(randomHash(), 2, INVOICE), "DocumentRegistryOrganisationSuspended", [c.org.trader]);
    });
  });

  describe("registerPublicBatch", function () {
    it("computes the standard tree root, anchors it and emits the leaves in the tree's order", async function () {
      const c = await loadFixture(deployConsortium);
      const { root, ordered, proof } = standardTree(randomHashes(6));
      expect(await c.registry.connect(c.trader).registerPublicBatch.staticCall(ordered, INVOICE)).to.equal(root);
      const tx = c.registry.connect(c.trader).registerPublicBatch(ordered, INVOICE);
      await expect(tx).to.emit(c.registry, "BatchRegistered").withArgs(root, c.org.trader, c.trader.address, INVOICE, 6, true, Status.VALID);
      await expect(tx).to.emit(c.registry, "BatchLeaves").withArgs(root, ordered);
      const state = await stateOf(c.registry, ordered[3], root, proof(ordered[3]));
      expect([state.status, state.kind, state.root]).to.deep.equal([BigInt(Status.VALID), BigInt(AnchorKind.PUBLIC_BATCH), root]);
    });

    it("rejects no documents with DocumentRegistryEmptyBatch and a batch anchored before with DocumentRegistryAlreadyAnchored", async function () {
      const c = await loadFixture(deployConsortium);
      await expectError(c, c.registry.connect(c.trader).registerPublicBatch([], INVOICE), "DocumentRegistryEmptyBatch", []);
      const { root, ordered } = standardTree(randomHashes(3));
      await c.registry.connect(c.trader).registerPublicBatch(ordered, INVOICE);
      await expectError(c, c.registry.connect(c.trader2).registerPublicBatch(ordered, INVOICE), "DocumentRegistryAlreadyAnchored", [root]);
    });

    it("rejects non-members, suspended members and excluded kinds", async function () {
      const c = await loadFixture(deployConsortium);
      const { ordered } = standardTree(randomHashes(3));
      await expectError(c, c.registry.connect(c.outsider).registerPublicBatch(ordered, INVOICE), "DocumentRegistryNotMember", [c.outsider.address]);
      await expectError(c, c.registry.connect(c.customs).registerPublicBatch(ordered, INVOICE), "DocumentRegistryNotIssuer", [c.customs.address, INVOICE]);
      await c.govern([callOf(c.registry, "setOrganisationActive", [c.org.trader, false])]);
      await expectError(c, c.registry.connect(c.trader).registerPublicBatch(ordered, INVOICE), "DocumentRegistryOrganisationSuspended", [c.org.trader]);
    });
  });

  describe("approve", function () {
    it("a second officer of the issuing organisation makes a PENDING document VALID", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      await c.registry.connect(c.officer1).register(doc, COO);
      await expect(c.registry.connect(c.officer2).approve(doc))
        .to.emit(c.registry, "DocumentApproved")
        .withArgs(doc, c.org.authority, c.officer2.address, 2, 2);
      const state = await stateOf(c.registry, doc);
      expect([state.status, state.approvalsRequired, state.approvalsGiven, state.account]).to.deep.equal([
        BigInt(Status.VALID),
        2n,
        2n,
        c.officer1.address,
      ]);
    });

    it("a document needing three approvals stays PENDING after the second and becomes VALID after the third", async function () {
      const c = await loadFixture(deployWithThreeOfficers);
      const doc = randomHash();
      await c.registry.connect(c.officer3).register(doc, DocType.BILL_OF_LADING);
      await expect(c.registry.connect(c.officer1).approve(doc)).to.emit(c.registry, "DocumentApproved").withArgs(doc, c.org.authority, c.officer1.address, 2, 3);
      expect((await stateOf(c.registry, doc)).status).to.equal(BigInt(Status.PENDING));
      await expectError(c, c.registry.connect(c.officer1).approve(doc), "DocumentRegistryAlreadyApproved", [doc, c.officer1.address]);
      await expect(c.registry.connect(c.officer2).approve(doc)).to.emit(c.registry, "DocumentApproved").withArgs(doc, c.org.authority, c.officer2.address, 3, 3);
      expect((await stateOf(c.registry, doc)).status).to.equal(BigInt(Status.VALID));
    });

    it("approves a PENDING batch as a whole", async function () {
      const c = await loadFixture(deployConsortium);
      const docs = randomHashes(4);
      const { root, ordered, proof } = standardTree(docs);
      await c.registry.connect(c.officer1).registerPublicBatch(ordered, COO);
      expect((await stateOf(c.registry, docs[0], root, proof(docs[0]))).status).to.equal(BigInt(Status.PENDING));
      await expect(c.registry.connect(c.officer2).approve(root)).to.emit(c.registry, "DocumentApproved").withArgs(root, c.org.authority, c.officer2.address, 2, 2);
      for (const doc of docs) expect((await stateOf(c.registry, doc, root, proof(doc))).status).to.equal(BigInt(Status.VALID));
    });

    it("rejects an unknown anchor, another organisation's anchor and an anchor that is not PENDING", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      await expectError(c, c.registry.connect(c.officer2).approve(doc), "DocumentRegistryUnknownAnchor", [doc]);
      await c.registry.connect(c.officer1).register(doc, COO);
      await expectError(c, c.registry.connect(c.trader).approve(doc), "DocumentRegistryNotIssuingOrganisation", [c.trader.address, doc]);
      await c.registry.connect(c.officer2).approve(doc);
      await expectError(c, c.registry.connect(c.officer2).approve(doc), "DocumentRegistryNotPending", [doc]);
      const invoice = randomHash();
      await c.registry.connect(c.trader).register(invoice, INVOICE);
      await expectError(c, c.registry.connect(c.trader2).approve(invoice), "DocumentRegistryNotPending", [invoice]);
      await c.registry.connect(c.trader).revoke(invoice, "error");
      await expectError(c, c.registry.connect(c.trader2).approve(invoice), "DocumentRegistryNotPending", [invoice]);
    });

    it("rejects the registrant's own approval with DocumentRegistryAlreadyApproved", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      await c.registry.connect(c.officer1).register(doc, COO);
      await expectError(c, c.registry.connect(c.officer1).approve(doc), "DocumentRegistryAlreadyApproved", [doc, c.officer1.address]);
    });

    it("rejects non-members and suspended members", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      await c.registry.connect(c.officer1).register(doc, COO);
      await expectError(c, c.registry.connect(c.outsider).approve(doc), "DocumentRegistryNotMember", [c.outsider.address]);
      await c.govern([callOf(c.registry, "setOrganisationActive", [c.org.authority, false])]);
      await expectError(c, c.registry.connect(c.officer2).approve(doc), "DocumentRegistryOrganisationSuspended", [c.org.authority]);
    });
  });

  describe("revoke", function () {
    it("revokes a single document for good, by any account of the issuing organisation, with a reason", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      await c.registry.connect(c.trader).register(doc, INVOICE);
      const tx = c.registry.connect(c.trader2).revoke(doc, "issued in error");
      await expect(tx).to.emit(c.registry, "DocumentRevoked").withArgs(doc, c.org.trader, c.trader2.address, "issued in error");
      const state = await stateOf(c.registry, doc);
      expect([state.status, state.account, state.revokedAt, state.revokedBy]).to.deep.equal([
        BigInt(Status.REVOKED),
        c.trader.address,
        await minedAt(await tx),
        c.trader2.address,
      ]);
    });

    it("revokes PENDING and SUPERSEDED documents", async function () {
      const c = await loadFixture(deployConsortium);
      const [pending, old, successor] = randomHashes(3);
      await c.registry.connect(c.officer1).register(pending, COO);
      await expect(c.registry.connect(c.officer1).revoke(pending, "withdrawn")).to.emit(c.registry, "DocumentRevoked");
      expect((await stateOf(c.registry, pending)).status).to.equal(BigInt(Status.REVOKED));
      await c.registry.connect(c.trader).register(old, INVOICE);
      await c.registry.connect(c.trader).register(successor, INVOICE);
      await c.registry.connect(c.trader).supersede(old, successor);
      await expect(c.registry.connect(c.trader).revoke(old, "fraud")).to.emit(c.registry, "DocumentRevoked").withArgs(old, c.org.trader, c.trader.address, "fraud");
      const state = await stateOf(c.registry, old);
      expect([state.status, state.supersededBy]).to.deep.equal([BigInt(Status.REVOKED), successor]);
    });

    it("revokes a whole batch: every document of it verifies REVOKED", async function () {
      const c = await loadFixture(deployConsortium);
      const docs = randomHashes(3);
      const { root, proof } = standardTree(docs);
      await c.registry.connect(c.trader).registerBatch(root, 3, INVOICE);
      await expect(c.registry.connect(c.trader).revoke(root, "wrong consignee")).to.emit(c.registry, "DocumentRevoked").withArgs(root, c.org.trader, c.trader.address, "wrong consignee");
      for (const doc of docs) {
        const state = await stateOf(c.registry, doc, root, proof(doc));
        expect([state.status, state.revokedBy]).to.deep.equal([BigInt(Status.REVOKED), c.trader.address]);
      }
    });

    it("rejects a second revocation, an unknown anchor and another organisation's anchor", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      await expectError(c, c.registry.connect(c.trader).revoke(doc, "x"), "DocumentRegistryUnknownAnchor", [doc]);
      await c.registry.connect(c.trader).register(doc, INVOICE);
      await expectError(c, c.registry.connect(c.otherTrader).revoke(doc, "x"), "DocumentRegistryNotIssuingOrganisation", [c.otherTrader.address, doc]);
      await c.registry.connect(c.trader).revoke(doc, "x");
      await expectError(c, c.registry.connect(c.trader).revoke(doc, "x"), "DocumentRegistryAlreadyRevoked", [doc, doc]);
    });

    it("rejects non-members and suspended members", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      await c.registry.connect(c.trader).register(doc, INVOICE);
      await expectError(c, c.registry.connect(c.outsider).revoke(doc, "x"), "DocumentRegistryNotMember", [c.outsider.address]);
      await c.govern([callOf(c.registry, "setOrganisationActive", [c.org.trader, false])]);
      await expectError(c, c.registry.connect(c.trader).revoke(doc, "x"), "DocumentRegistryOrganisationSuspended", [c.org.trader]);
    });
  });

  describe("revokeInBatch", function () {
    it("revokes one document of a batch and leaves the others VALID", async function () {
      const c = await loadFixture(deployConsortium);
      const docs = randomHashes(5);
      const { root, proof } = standardTree(docs);
      await c.registry.connect(c.trader).registerBatch(root, 5, INVOICE);
      const tx = c.registry.connect(c.trader2).revokeInBatch(root, docs[2], proof(docs[2]), "damaged goods");
      await expect(tx).to.emit(c.registry, "BatchDocumentRevoked").withArgs(root, docs[2], c.org.trader, c.trader2.address, "damaged goods");
      const revoked = await stateOf(c.registry, docs[2], root, proof(docs[2]));
      expect([revoked.status, revoked.revokedAt, revoked.revokedBy]).to.deep.equal([BigInt(Status.REVOKED), await minedAt(await tx), c.trader2.address]);
      for (const doc of [docs[0], docs[1], docs[3], docs[4]]) {
        const state = await stateOf(c.registry, doc, root, proof(doc));
        expect([state.status, state.revokedAt, state.revokedBy]).to.deep.equal([BigInt(Status.VALID), 0n, ethers.ZeroAddress]);
      }
    });

    it("works on public batches and PENDING batches", async function () {
      const c = await loadFixture(deployConsortium);
      const docs = randomHashes(3);
      const { root, ordered, proof } = standardTree(docs);
      await c.registry.connect(c.officer1).registerPublicBatch(ordered, COO);
      await expect(c.registry.connect(c.officer1).revokeInBatch(root, docs[0], proof(docs[0]), "typo")).to.emit(c.registry, "BatchDocumentRevoked");
      expect((await stateOf(c.registry, docs[0], root, proof(docs[0]))).status).to.equal(BigInt(Status.REVOKED));
      expect((await stateOf(c.registry, docs[1], root, proof(docs[1]))).status).to.equal(BigInt(Status.PENDING));
    });

    it("a later revocation of the whole batch takes over the document's revocation record", async function () {
      const c = await loadFixture(deployConsortium);
      const docs = randomHashes(2);
      const { root, proof } = standardTree(docs);
      await c.registry.connect(c.trader).registerBatch(root, 2, INVOICE);
      await c.registry.connect(c.trader).revokeInBatch(root, docs[0], proof(docs[0]), "one");
      const tx = await c.registry.connect(c.trader2).revoke(root, "all");
      const state = await stateOf(c.registry, docs[0], root, proof(docs[0]));
      expect([state.status, state.revokedAt, state.revokedBy]).to.deep.equal([BigInt(Status.REVOKED), await minedAt(tx), c.trader2.address]);
    });

    it("rejects a single anchor with DocumentRegistryNotBatch", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      await c.registry.connect(c.trader).register(doc, INVOICE);
      await expectError(c, c.registry.connect(c.trader).revokeInBatch(doc, doc, [], "x"), "DocumentRegistryNotBatch", [doc]);
    });

    it("rejects a document revoked before, or in a revoked batch, with DocumentRegistryAlreadyRevoked", async function () {
      const c = await loadFixture(deployConsortium);
      const docs = randomHashes(4);
      const { root, proof } = standardTree(docs);
      await c.registry.connect(c.trader).registerBatch(root, 4, INVOICE);
      await c.registry.connect(c.trader).revokeInBatch(root, docs[0], proof(docs[0]), "x");
      await expectError(c, c.registry.connect(c.trader).revokeInBatch(root, docs[0], proof(docs[0]), "x"), "DocumentRegistryAlreadyRevoked", [root, docs[0]]);
      await c.registry.connect(c.trader).revoke(root, "all");
      await expectError(c, c.registry.connect(c.trader).revokeInBatch(root, docs[1], proof(docs[1]), "x"), "DocumentRegistryAlreadyRevoked", [root, docs[1]]);
    });

    it("rejects a proof that does not lead to the root with DocumentRegistryInvalidProof", async function () {
      const c = await loadFixture(deployConsortium);
      const docs = randomHashes(4);
      const { root, proof } = standardTree(docs);
      await c.registry.connect(c.trader).registerBatch(root, 4, INVOICE);
      const stranger = randomHash();
      await expectError(c, c.registry.connect(c.trader).revokeInBatch(root, stranger, proof(docs[0]), "x"), "DocumentRegistryInvalidProof", [root, stranger]);
    });

    it("rejects an unknown root, another organisation's batch, non-members and suspended members", async function () {
      const c = await loadFixture(deployConsortium);
      const docs = randomHashes(2);
      const { root, proof } = standardTree(docs);
      const p = proof(docs[0]);
      await expectError(c, c.registry.connect(c.trader).revokeInBatch(root, docs[0], p, "x"), "DocumentRegistryUnknownAnchor", [root]);
      await c.registry.connect(c.trader).registerBatch(root, 2, INVOICE);
      await expectError(c, c.registry.connect(c.otherTrader).revokeInBatch(root, docs[0], p, "x"), "DocumentRegistryNotIssuingOrganisation", [c.otherTrader.address, root]);
      await expectError(c, c.registry.connect(c.outsider).revokeInBatch(root, docs[0], p, "x"), "DocumentRegistryNotMember", [c.outsider.address]);
      await c.govern([callOf(c.registry, "setOrganisationActive", [c.org.trader, false])]);
      await expectError(c, c.registry.connect(c.trader).revokeInBatch(root, docs[0], p, "x"), "DocumentRegistryOrganisationSuspended", [c.org.trader]);
    });
  });

  describe("supersede", function () {
    it("replaces an old document by a new one, and the versions are walkable both ways", async function () {
      const c = await loadFixture(deployConsortium);
      const [v1, v2, v3] = randomHashes(3);
      for (const v of [v1, v2, v3]) await c.registry.connect(c.trader).register(v, INVOICE);
      await expect(c.registry.connect(c.trader2).supersede(v1, v2)).to.emit(c.registry, "DocumentSuperseded").withArgs(v1, v2, c.org.trader, c.trader2.address);
      await expect(c.registry.connect(c.trader).supersede(v2, v3)).to.emit(c.registry, "DocumentSuperseded").withArgs(v2, v3, c.org.trader, c.trader.address);
      const [s1, s2, s3] = await Promise.all([v1, v2, v3].map((v) => stateOf(c.registry, v)));
      expect([s1.status, s1.supersedes, s1.supersededBy]).to.deep.equal([BigInt(Status.SUPERSEDED), ethers.ZeroHash, v2]);
      expect([s2.status, s2.supersedes, s2.supersededBy]).to.deep.equal([BigInt(Status.SUPERSEDED), v1, v3]);
      expect([s3.status, s3.supersedes, s3.supersededBy]).to.deep.equal([BigInt(Status.VALID), v2, ethers.ZeroHash]);
    });

    it("supersedes PENDING documents and batches, and a batch's documents report the successor", async function () {
      const c = await loadFixture(deployConsortium);
      const [pending, successor] = randomHashes(2);
      await c.registry.connect(c.officer1).register(pending, COO);
      await c.registry.connect(c.officer1).register(successor, COO);
      await expect(c.registry.connect(c.officer2).supersede(pending, successor)).to.emit(c.registry, "DocumentSuperseded");
      const docs = randomHashes(3);
      const { root, proof } = standardTree(docs);
      const amended = randomHash();
      await c.registry.connect(c.trader).registerBatch(root, 3, INVOICE);
      await c.registry.connect(c.trader).register(amended, INVOICE);
      await c.registry.connect(c.trader).supersede(root, amended);
      const state = await stateOf(c.registry, docs[1], root, proof(docs[1]));
      expect([state.status, state.supersededBy]).to.deep.equal([BigInt(Status.SUPERSEDED), amended]);
    });

    it("rejects an old anchor that is REVOKED or SUPERSEDED with DocumentRegistryNotSupersedable", async function () {
      const c = await loadFixture(deployConsortium);
      const [a, b, d] = randomHashes(3);
      for (const v of [a, b, d]) await c.registry.connect(c.trader).register(v, INVOICE);
      await c.registry.connect(c.trader).supersede(a, b);
      await expectError(c, c.registry.connect(c.trader).supersede(a, d), "DocumentRegistryNotSupersedable", [a, Status.SUPERSEDED]);
      await c.registry.connect(c.trader).revoke(a, "x");
      await expectError(c, c.registry.connect(c.trader).supersede(a, d), "DocumentRegistryNotSupersedable", [a, Status.REVOKED]);
    });

    it("rejects a successor that is the old anchor itself, REVOKED, SUPERSEDED or already a successor with DocumentRegistryInvalidSuccessor", async function () {
      const c = await loadFixture(deployConsortium);
      const [a, b, d, e, f] = randomHashes(5);
      for (const v of [a, b, d, e, f]) await c.registry.connect(c.trader).register(v, INVOICE);
      await expectError(c, c.registry.connect(c.trader).supersede(a, a), "DocumentRegistryInvalidSuccessor", [a]);
      await c.registry.connect(c.trader).supersede(b, d); // d succeeds b, b is SUPERSEDED
      await expectError(c, c.registry.connect(c.trader).supersede(a, d), "DocumentRegistryInvalidSuccessor", [d]);
      await expectError(c, c.registry.connect(c.trader).supersede(a, b), "DocumentRegistryInvalidSuccessor", [b]);
      await c.registry.connect(c.trader).revoke(e, "x");
      await expectError(c, c.registry.connect(c.trader).supersede(a, e), "DocumentRegistryInvalidSuccessor", [e]);
      await expectError(c, c.registry.connect(c.trader).supersede(d, b), "DocumentRegistryInvalidSuccessor", [b]);
      await expect(c.registry.connect(c.trader).supersede(a, f)).to.emit(c.registry, "DocumentSuperseded");
    });

    it("rejects unknown anchors with DocumentRegistryUnknownAnchor and anchors of another organisation with DocumentRegistryNotIssuingOrganisation", async function () {
      const c = await loadFixture(deployConsortium);
      const [mine, theirs, unknown] = randomHashes(3);
      await c.registry.connect(c.trader).register(mine, INVOICE);
      await c.registry.connect(c.otherTrader).register(theirs, INVOICE);
      await expectError(c, c.registry.connect(c.trader).supersede(unknown, mine), "DocumentRegistryUnknownAnchor", [unknown]);
      await expectError(c, c.registry.connect(c.trader).supersede(mine, unknown), "DocumentRegistryUnknownAnchor", [unknown]);
      await expectError(c, c.registry.connect(c.trader).supersede(mine, theirs), "DocumentRegistryNotIssuingOrganisation", [c.trader.address, theirs]);
      await expectError(c, c.registry.connect(c.trader).supersede(theirs, mine), "DocumentRegistryNotIssuingOrganisation", [c.trader.address, theirs]);
    });

    it("rejects non-members and suspended members", async function () {
      const c = await loadFixture(deployConsortium);
      const [a, b] = randomHashes(2);
      for (const v of [a, b]) await c.registry.connect(c.trader).register(v, INVOICE);
      await expectError(c, c.registry.connect(c.outsider).supersede(a, b), "DocumentRegistryNotMember", [c.outsider.address]);
      await c.govern([callOf(c.registry, "setOrganisationActive", [c.org.trader, false])]);
      await expectError(c, c.registry.connect(c.trader).supersede(a, b), "DocumentRegistryOrganisationSuspended", [c.org.trader]);
    });
  });

  describe("attest", function () {
    it("customs and agencies record outcomes in order, and the document's status does not change", async function () {
      const c = await loadFixture(deployConsortium);
      const doc = randomHash();
      await c.registry.connect(c.officer1).register(doc, COO);
      const tx1 = c.registry.connect(c.customs).attest(doc, Outcome.INSPECTED, 12);
      await expect(tx1).to.emit(c.registry, "DocumentAttested").withArgs(doc, c.org.customs, c.customs.address, Outcome.INSPECTED, 12);
      const tx2 = c.registry.connect(c.agency).attest(doc, Outcome.REJECTED, 7);
      await expect(tx2).to.emit(c.registry, "DocumentAttested").withArgs(doc, c.org.agency, c.agency.address, Outcome.REJECTED, 7);
      const state = await stateOf(c.registry, doc);
      expect(state.status).to.equal(BigInt(Status.PENDING));
      expect(state.attestations).to.deep.equal([
        { account: c.customs.address, organisation: c.org.customs, timestamp: await minedAt(await tx1), outcome: BigInt(Outcome.INSPECTED), reasonCode: 12n },
        { account: c.agency.address, organisation: c.org.agency, timestamp: await minedAt(await tx2), outcome: BigInt(Outcome.REJECTED), reasonCode: 7n },
      ]);
    });

    it("records an outcome for a document of a batch, and for one unknown to the ledger", async function () {
      const c = await loadFixture(deployConsortium);
      const docs = randomHashes(2);
      const { root, proof } = standardTree(docs);
      await c.registry.connect(c.trader).registerBatch(root, 2, INVOICE);
      await c.registry.connect(c.customs).attest(docs[1], Outcome.ACCEPTED, 0);
      expect((await stateOf(c.registry, docs[1], root, proof(docs[1]))).attestations.map((a) => a.outcome)).to.deep.equal([BigInt(Outcome.ACCEPTED)]);
      expect((await stateOf(c.registry, docs[0], root, proof(docs[0]))).attestations).to.deep.equal([]);
      const unknown = randomHash();
      await expect(c.registry.connect(c.customs).attest(unknown, Outcome.REJECTED, 3))
        .to.emit(c.registry, "DocumentAttested")
        .withArgs(unknown, c.org.customs, c.customs.address, Outcome.REJECTED, 3);
      const state = await stateOf(c.registry, unknown);
      expect(state.status).to.equal(BigInt(Status.NOT_FOUND));
      expect(state.attestations.map((a) => [a.account, a.outcome, a.reasonCode])).to.deep.equal([
        [c.customs.address, BigInt(Outcome.REJECTED), 3n],
      ]);
    });

    it("rejects traders, issuing authorities and auditors with DocumentRegistryNotAttester", async function () {
      const c = await loadFixture(deployConsortium);
      for (const who of [c.trader, c.officer1, c.auditor]) {
        await expectError(c, c.registry.connect(who).attest(randomHash(), Outcome.ACCEPTED, 0), "DocumentRegistryNotAttester", [who.address]);
      }
    });

    it("rejects the outcome NONE with DocumentRegistryInvalidOutcome, an outcome out of range without a reason, and the zero hash with DocumentRegistryZeroHash", async function () {
      const c = await loadFixture(deployConsortium);
      await expectError(c, c.registry.connect(c.customs).attest(randomHash(), Outcome.NONE, 0), "DocumentRegistryInvalidOutcome", []);
      await expect(c.registry.connect(c.customs).attest(randomHash(), 4, 0)).to.be.revertedWithoutReason(ethers);
      await expectError(c, c.registry.connect(c.customs).attest(ethers.ZeroHash, Outcome.ACCEPTED, 0), "DocumentRegistryZeroHash", []);
    });

    it("rejects non-members and suspended members", async function () {
      const c = await loadFixture(deployConsortium);
      await expectError(c, c.registry.connect(c.outsider).attest(randomHash(), Outcome.ACCEPTED, 0), "DocumentRegistryNotMember", [c.outsider.address]);
      await c.govern([callOf(c.registry, "setOrganisationActive", [c.org.agency, false])]);
      await expectError(c, c.registry.connect(c.agency).attest(randomHash(), Outcome.ACCEPTED, 0), "DocumentRegistryOrganisationSuspended", [c.org.agency]);
    });
  });

  describe("verify and verifyMany", function () {
    it("verify reports NOT_FOUND for an unknown hash, a single document asked under another root or with a proof", async function () {
      const c = await loadFixture(deployConsortium);
      const [doc, other] = randomHashes(2);
      expect(await stateOf(c.registry, doc)).to.deep.equal(NOT_FOUND_STATE);
      await c.registry.connect(c.trader).register(doc, INVOICE);
      await c.registry.connect(c.trader).register(other, INVOICE);
      expect(await stateOf(c.registry, other, doc)).to.deep.equal(NOT_FOUND_STATE);
      expect(await stateOf(c.registry, doc, doc, [other])).to.deep.equal(NOT_FOUND_STATE);
      expect(await stateOf(c.registry, doc, other, [])).to.deep.equal(NOT_FOUND_STATE);
    });

    it("verify reports a batch root asked as a document of itself as NOT_FOUND", async function () {
      const c = await loadFixture(deployConsortium);
      const { root } = standardTree(randomHashes(4));
      await c.registry.connect(c.trader).registerBatch(root, 4, INVOICE);
      expect(await stateOf(c.registry, root, root, [])).to.deep.equal(NOT_FOUND_STATE);
    });

    it("verifyMany answers each query as verify does, in order", async function () {
      const c = await loadFixture(deployConsortium);
      const [single, pending, unknown] = randomHashes(3);
      const docs = randomHashes(5);
      const { root, proof } = standardTree(docs);
      await c.registry.connect(c.trader).register(single, INVOICE);
      await c.registry.connect(c.officer1).register(pending, COO);
      await c.registry.connect(c.trader).registerBatch(root, 5, INVOICE);
      await c.registry.connect(c.trader).revokeInBatch(root, docs[4], proof(docs[4]), "x");
      await c.registry.connect(c.customs).attest(single, Outcome.ACCEPTED, 0);
      const queries = [
        { docHash: single, root: single, proof: [] },
        { docHash: pending, root: pending, proof: [] },
        { docHash: unknown, root: unknown, proof: [] },
        { docHash: docs[0], root, proof: proof(docs[0]) },
        { docHash: docs[4], root, proof: proof(docs[4]) },
        { docHash: docs[1], root, proof: proof(docs[0]) },
      ];
      const many = (await c.registry.verifyMany(queries)).map(plainState);
      const one = await Promise.all(queries.map((q) => stateOf(c.registry, q.docHash, q.root, q.proof)));
      expect(many).to.deep.equal(one);
      expect(many.map((s) => s.status)).to.deep.equal([Status.VALID, Status.PENDING, Status.NOT_FOUND, Status.VALID, Status.REVOKED, Status.NOT_FOUND].map(BigInt));
      expect(await c.registry.verifyMany([])).to.deep.equal([]);
    });
  });
});
