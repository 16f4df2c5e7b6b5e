import { expect } from "chai";
import { callOf, deployConsortium, deployLedger, DocType, ethers, fakeAttestations, networkHelpers, Outcome, randomHash, randomHashes, standardTree } from "./fixtures.js";

/**
 * On a consortium network gas is free, so every list a member can grow and every loop over it is a free attack.
 * These tests pin the bounds that keep a document readable and governance executable whatever members do.
 */

describe("bounded costs on a free-gas network", function () {
  this.timeout(120_000);

  describe("attestations", function () {
    it("verify costs the same with 10, 100 or 10,000 attestations as with a few, within 1.2x of none", async function () {
      const c = await networkHelpers.loadFixture(deployConsortium);
      const docs = randomHashes(4);
      for (const d of docs) await c.registry.connect(c.trader).register(d, DocType.INVOICE);
      const none = Number(await c.registry.verify.estimateGas(docs[0], docs[0], []));
      for (let i = 0; i < 10; i++) await c.registry.connect(c.customs).attest(docs[1], Outcome.INSPECTED, i);
      await fakeAttestations(c, docs[2], 100);
      await fakeAttestations(c, docs[3], 10_000);
      for (const [d, n] of [[docs[1], 10], [docs[2], 100], [docs[3], 10_000]] as const) {
        const gas = Number(await c.registry.verify.estimateGas(d, d, []));
        expect(gas, `verify with ${n} attestations`).to.be.at.most(Math.floor(none * 1.2));
        const state = await c.registry.verify(d, d, []);
        expect(state.attestationCount).to.equal(BigInt(n));
        expect(state.attestations).to.have.length(2);
      }
    });

    it("verify returns the count and the latest attestations, oldest first, and the paged view returns them all", async function () {
      const c = await networkHelpers.loadFixture(deployConsortium);
      const doc = randomHash();
      await c.registry.connect(c.trader).register(doc, DocType.INVOICE);
      const outcomes = [Outcome.INSPECTED, Outcome.REJECTED, Outcome.ACCEPTED, Outcome.INSPECTED, Outcome.ACCEPTED];
      for (const [i, o] of outcomes.entries()) {
        await c.registry.connect(i % 2 ? c.agency : c.customs).attest(doc, o, 10 + i);
      }
      const state = await c.registry.verify(doc, doc, []);
      expect(state.attestationCount).to.equal(5n);
      expect(state.attestations.map((a) => Number(a.reasonCode))).to.deep.equal([13, 14]);
      const [page, total] = await c.registry.attestationsOf(doc, 1, 3);
      expect(total).to.equal(5n);
      expect(page.map((a) => Number(a.reasonCode))).to.deep.equal([11, 12, 13]);
      expect(page.map((a) => a.account)).to.deep.equal([c.agency.address, c.customs.address, c.agency.address]);
      const [tail] = await c.registry.attestationsOf(doc, 4, 100);
      expect(tail.map((a) => Number(a.reasonCode))).to.deep.equal([14]);
      const [past] = await c.registry.attestationsOf(doc, 9, 100);
      expect(past).to.have.length(0);
      await expect(c.registry.attestationsOf(doc, 0, 257))
        .to.be.revertedWithCustomError(c.registry, "DocumentRegistryPageTooLarge")
        .withArgs(257, 256);
    });

    it("verifyMany of 250 documents succeeds when one of them has 10,000 attestations, at the cost of a few", async function () {
      const c = await networkHelpers.loadFixture(deployConsortium);
      const docs = randomHashes(250);
      const { root, proof } = standardTree(docs);
      await c.registry.connect(c.trader).registerBatch(root, docs.length, DocType.INVOICE);
      const queries = docs.map((d) => ({ docHash: d, root, proof: proof(d) }));
      const before = Number(await c.registry.verifyMany.estimateGas(queries));
      await fakeAttestations(c, docs[17], 10_000);
      const after = Number(await c.registry.verifyMany.estimateGas(queries));
      expect(after - before).to.be.at.most(10_000);
      const states = await c.registry.verifyMany(queries);
      expect(states.map((s) => s.status)).to.deep.equal(docs.map(() => 2n));
      expect(states[17].attestationCount).to.equal(10_000n);
    });
  });

  describe("organisation accounts", function () {
    it("an organisation holds at most 32 accounts, and suspending the largest one stays cheap", async function () {
      const c = await networkHelpers.loadFixture(deployConsortium);
      const accounts = Array.from({ length: 30 }, () => ethers.Wallet.createRandom().address);
      // The trader has 2 accounts; 30 more fill it to 32.
      await c.govern(accounts.map((a) => callOf(c.registry, "addAccount", [c.org.trader, a])));
      const one = ethers.Wallet.createRandom().address;
      const id = (await c.council.proposalCount()) + 1n;
      await c.council.connect(c.governors[0]).propose([callOf(c.registry, "addAccount", [c.org.trader, one])], "33rd");
      await c.council.connect(c.governors[1]).approve(id);
      await expect(c.council.connect(c.governors[1]).execute(id))
        .to.be.revertedWithCustomError(c.council, "CouncilCallFailed")
        .withArgs(id, 0, c.registry.interface.encodeErrorResult("DocumentRegistryTooManyAccounts", [c.org.trader, 32]));
      // Admission with too many accounts is refused the same way.
      const many = Array.from({ length: 33 }, () => ethers.Wallet.createRandom().address);
      const registryAsCouncil = await ethers.getImpersonatedSigner(await c.council.getAddress());
      await networkHelpers.setBalance(registryAsCouncil.address, 10n ** 18n);
      await expect(c.registry.connect(registryAsCouncil).addOrganisation("Big", "0x564e", 1, many))
        .to.be.revertedWithCustomError(c.registry, "DocumentRegistryTooManyAccounts")
        .withArgs(7, 32);
      const suspend = await c.registry.connect(registryAsCouncil).setOrganisationActive.estimateGas(c.org.trader, false);
      // About 8,000 gas an account (a member slot rewritten each): far below Besu's 16,777,216 per transaction.
      expect(Number(suspend)).to.be.below(32 * 10_000 + 50_000);
    });
  });

  describe("council size", function () {
    it("a council holds at most 32 governors and a proposal at most 32 calls", async function () {
      const c = await networkHelpers.loadFixture(deployConsortium);
      const extra = Array.from({ length: 29 }, () => ethers.Wallet.createRandom().address);
      await c.govern(extra.map((g) => callOf(c.council, "addGovernor", [g])));
      expect(await c.council.governors()).to.have.length(32);
      const id = (await c.council.proposalCount()) + 1n;
      await c.council.connect(c.governors[0]).propose([callOf(c.council, "addGovernor", [ethers.Wallet.createRandom().address])], "33rd");
      await c.council.connect(c.governors[1]).approve(id);
      await expect(c.council.connect(c.governors[1]).execute(id))
        .to.be.revertedWithCustomError(c.council, "CouncilCallFailed")
        .withArgs(id, 0, c.council.interface.encodeErrorResult("CouncilTooManyGovernors", [32]));
      const calls = Array.from({ length: 33 }, () => callOf(c.council, "setProposalLifetime", [3600]));
      await expect(c.council.connect(c.governors[0]).propose(calls, "too many"))
        .to.be.revertedWithCustomError(c.council, "CouncilTooManyCalls")
        .withArgs(33, 32);
    });

    it("the council refuses more than 32 governors at deployment", async function () {
      const governors = Array.from({ length: 33 }, () => ethers.Wallet.createRandom().address);
      const council = await ethers.getContractFactory("Council");
      const deployment = await council.getDeployTransaction(governors, 2, 3600, ethers.ZeroAddress);
      await expect(ethers.provider.estimateGas(deployment))
        .to.be.revertedWithCustomError(council, "CouncilTooManyGovernors")
        .withArgs(32);
    });

    it("a council of two cannot shrink to one, and says why", async function () {
      const [a, b] = await ethers.getSigners();
      const council = await ethers.deployContract("Council", [[a.address, b.address], 2, 3600, ethers.ZeroAddress]);
      await council.connect(a).propose([callOf(council, "removeGovernor", [b.address])], "shrink");
      await council.connect(b).approve(1);
      await expect(council.connect(b).execute(1))
        .to.be.revertedWithCustomError(council, "CouncilCallFailed")
        .withArgs(1, 0, council.interface.encodeErrorResult("CouncilTooFewGovernors", [1, 2]));
      // Lowering the threshold first is no way round: M >= 2 while there are two governors.
      await council.connect(a).propose([callOf(council, "setThreshold", [1])], "threshold 1");
      await council.connect(b).approve(2);
      await expect(council.connect(b).execute(2))
        .to.be.revertedWithCustomError(council, "CouncilCallFailed")
        .withArgs(2, 0, council.interface.encodeErrorResult("CouncilInvalidThreshold", [1, 2]));
      // Replacing a governor works the documented way: add the new one first, then remove the old.
      const [, , c] = await ethers.getSigners();
      await council.connect(a).propose([callOf(council, "addGovernor", [c.address]), callOf(council, "removeGovernor", [b.address])], "replace");
      await council.connect(b).approve(3);
      await council.connect(b).execute(3);
      expect(await council.governors()).to.have.members([a.address, c.address]);
    });
  });

  describe("contracts, not delegated accounts (EIP-7702)", function () {
    /** Gives `account` the code an EIP-7702 delegation leaves: 0xef0100 followed by the delegate's address. */
    async function delegate(account: string, to: string) {
      await networkHelpers.setCode(account, ethers.concat(["0xef0100", to]));
    }

    it("the registry refuses a delegated account as its council", async function () {
      const { registry, council, governors } = await networkHelpers.loadFixture(deployLedger);
      const eoa = ethers.Wallet.createRandom().address;
      await delegate(eoa, await council.getAddress());
      const id = (await council.proposalCount()) + 1n;
      await council.connect(governors[0]).propose([callOf(registry, "setCouncil", [eoa])], "to an EOA");
      await council.connect(governors[1]).approve(id);
      await expect(council.connect(governors[1]).execute(id))
        .to.be.revertedWithCustomError(council, "CouncilCallFailed")
        .withArgs(id, 0, registry.interface.encodeErrorResult("DocumentRegistryInvalidCouncil", [eoa]));
    });

    it("a council proposal may not call a delegated account", async function () {
      const { council, registry, governors } = await networkHelpers.loadFixture(deployLedger);
      const eoa = ethers.Wallet.createRandom().address;
      await delegate(eoa, await registry.getAddress());
      const id = (await council.proposalCount()) + 1n;
      await council.connect(governors[0]).propose([{ target: eoa, data: "0x" }], "call an EOA");
      await council.connect(governors[1]).approve(id);
      await expect(council.connect(governors[1]).execute(id))
        .to.be.revertedWithCustomError(council, "CouncilTargetNotContract")
        .withArgs(id, 0, eoa);
    });
  });
});
