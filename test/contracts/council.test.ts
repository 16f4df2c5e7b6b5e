import { expect } from "chai";
import { callOf, deployLedger, ethers, Kind, kinds, LIFETIME, minedAt, networkHelpers } from "./fixtures.js";

const { loadFixture, time } = networkHelpers;

/** The ledger with three governors (threshold 2), plus ready-made calls. */
async function deployCouncil() {
  const l = await deployLedger();
  const [g0, g1, g2] = l.governors;
  const outsider = l.signers[10];
  const newcomer = l.signers[11];
  /** A harmless registry call: the default policy with `approvals` approvals. */
  const defaultPolicy = (approvals: number) => callOf(l.registry, "setDefaultPolicy", [kinds(Kind.TRADER), approvals]);
  const self = (fn: string, args: unknown[]) => callOf(l.council, fn, args);
  /** Proposes `calls` as g0 and returns the id. */
  const propose = async (calls: { target: string; data: string }[], description = "test") => {
    const id = (await l.council.proposalCount()) + 1n;
    await l.council.connect(g0).propose(calls, description);
    return id;
  };
  /** Proposes as g0, approves as g1 and executes. */
  const pass = async (calls: { target: string; data: string }[]) => {
    const id = await propose(calls);
    await l.council.connect(g1).approve(id);
    return l.council.connect(g1).execute(id);
  };
  return { ...l, g0, g1, g2, outsider, newcomer, defaultPolicy, self, propose, pass };
}

type C = Awaited<ReturnType<typeof deployCouncil>>;

const councilError = (c: C, name: string, args: unknown[]) => c.council.interface.encodeErrorResult(name, args);

describe("Council", function () {
  describe("constructor", function () {
    it("installs the first governors, the threshold and the proposal lifetime", async function () {
      const c = await loadFixture(deployCouncil);
      const deployment = c.council.deploymentTransaction()!;
      for (const g of c.governors) await expect(deployment).to.emit(c.council, "GovernorAdded").withArgs(g.address);
      await expect(deployment).to.emit(c.council, "ThresholdChanged").withArgs(2);
      await expect(deployment).to.emit(c.council, "ProposalLifetimeChanged").withArgs(LIFETIME);
      expect(await c.council.governors()).to.deep.equal(c.governors.map((g) => g.address));
      expect(await c.council.threshold()).to.equal(2n);
      expect(await c.council.proposalLifetime()).to.equal(BigInt(LIFETIME));
      expect(await c.council.proposalCount()).to.equal(0n);
      expect(await c.council.isGovernor(c.g2.address)).to.equal(true);
      expect(await c.council.isGovernor(c.outsider.address)).to.equal(false);
    });

    it("accepts a council of one with threshold 1", async function () {
      const c = await loadFixture(deployCouncil);
      const solo = await ethers.deployContract("Council", [[c.g0.address], 1, 3600, ethers.ZeroAddress]);
      expect(await solo.threshold()).to.equal(1n);
    });

    it("rejects thresholds below 2 (1 for a council of one) or above the number of governors with CouncilInvalidThreshold", async function () {
      const c = await loadFixture(deployCouncil);
      const three = c.governors.map((g) => g.address);
      const cases: [string[], number][] = [
        [three, 0],
        [three, 1],
        [three, 4],
        [[c.g0.address], 0],
        [[c.g0.address], 2],
        [[], 0],
        [[], 1],
      ];
      for (const [governors, threshold] of cases) {
        await expect(ethers.deployContract("Council", [governors, threshold, LIFETIME, ethers.ZeroAddress]))
          .to.be.revertedWithCustomError(c.council, "CouncilInvalidThreshold")
          .withArgs(threshold, governors.length);
      }
    });

    it("rejects the zero address and a governor listed twice with CouncilGovernorUnavailable", async function () {
      const c = await loadFixture(deployCouncil);
      for (const [governors, culprit] of [
        [[c.g0.address, ethers.ZeroAddress], ethers.ZeroAddress],
        [[c.g0.address, c.g1.address, c.g0.address], c.g0.address],
      ] as [string[], string][]) {
        await expect(ethers.deployContract("Council", [governors, 2, LIFETIME, ethers.ZeroAddress]))
          .to.be.revertedWithCustomError(c.council, "CouncilGovernorUnavailable")
          .withArgs(culprit);
      }
    });

    it("rejects a lifetime under an hour or over a year with CouncilInvalidLifetime", async function () {
      const c = await loadFixture(deployCouncil);
      for (const lifetime of [0, 3599, 365 * 86400 + 1]) {
        await expect(ethers.deployContract("Council", [[c.g0.address, c.g1.address], 2, lifetime, ethers.ZeroAddress]))
          .to.be.revertedWithCustomError(c.council, "CouncilInvalidLifetime")
          .withArgs(lifetime);
      }
      await ethers.deployContract("Council", [[c.g0.address, c.g1.address], 2, 3600, ethers.ZeroAddress]);
      await ethers.deployContract("Council", [[c.g0.address, c.g1.address], 2, 365 * 86400, ethers.ZeroAddress]);
    });
  });

  describe("propose", function () {
    it("records the calls and the description, counts the proposer's approval and emits both events", async function () {
      const c = await loadFixture(deployCouncil);
      const calls = [c.defaultPolicy(2), c.self("setThreshold", [3])];
      expect(await c.council.connect(c.g2).propose.staticCall(calls, "admit")).to.equal(1n);
      const tx = c.council.connect(c.g2).propose(calls, "admit");
      const created = await minedAt(await tx);
      const expiresAt = created + BigInt(LIFETIME);
      await expect(tx)
        .to.emit(c.council, "ProposalCreated")
        .withArgs(1, c.g2.address, expiresAt, "admit", calls.map((k) => [k.target, k.data]));
      await expect(tx).to.emit(c.council, "ProposalApproved").withArgs(1, c.g2.address);
      const info = await c.council.proposal(1);
      expect([info.proposer, info.createdAt, info.expiresAt, info.executed, info.approvals, info.description]).to.deep.equal([
        c.g2.address,
        created,
        expiresAt,
        false,
        1n,
        "admit",
      ]);
      expect(info.calls.map((k) => [k.target, k.data])).to.deep.equal(calls.map((k) => [k.target, k.data]));
      expect(await c.council.proposalCount()).to.equal(1n);
      expect(await c.council.hasApproved(1, c.g2.address)).to.equal(true);
      expect(await c.council.hasApproved(1, c.g0.address)).to.equal(false);
    });

    it("rejects a non-governor with CouncilNotGovernor and a proposal without calls with CouncilEmptyProposal", async function () {
      const c = await loadFixture(deployCouncil);
      await expect(c.council.connect(c.outsider).propose([c.defaultPolicy(2)], "x"))
        .to.be.revertedWithCustomError(c.council, "CouncilNotGovernor")
        .withArgs(c.outsider.address);
      await expect(c.council.connect(c.g0).propose([], "x")).to.be.revertedWithCustomError(c.council, "CouncilEmptyProposal").withArgs();
    });
  });

  describe("approve", function () {
    it("records a governor's approval", async function () {
      const c = await loadFixture(deployCouncil);
      const id = await c.propose([c.defaultPolicy(2)]);
      await expect(c.council.connect(c.g1).approve(id)).to.emit(c.council, "ProposalApproved").withArgs(id, c.g1.address);
      expect(await c.council.hasApproved(id, c.g1.address)).to.equal(true);
      expect((await c.council.proposal(id)).approvals).to.equal(2n);
    });

    it("rejects a second approval, a non-governor, unknown, executed and expired proposals", async function () {
      const c = await loadFixture(deployCouncil);
      const id = await c.propose([c.defaultPolicy(2)]);
      await expect(c.council.connect(c.g0).approve(id)).to.be.revertedWithCustomError(c.council, "CouncilAlreadyApproved").withArgs(id, c.g0.address);
      await expect(c.council.connect(c.outsider).approve(id)).to.be.revertedWithCustomError(c.council, "CouncilNotGovernor").withArgs(c.outsider.address);
      for (const unknown of [0n, id + 1n]) {
        await expect(c.council.connect(c.g1).approve(unknown)).to.be.revertedWithCustomError(c.council, "CouncilUnknownProposal").withArgs(unknown);
      }
      await c.council.connect(c.g1).approve(id);
      await c.council.connect(c.g1).execute(id);
      await expect(c.council.connect(c.g2).approve(id)).to.be.revertedWithCustomError(c.council, "CouncilAlreadyExecuted").withArgs(id);
      const late = await c.propose([c.defaultPolicy(3)]);
      const { expiresAt } = await c.council.proposal(late);
      await time.increaseTo(expiresAt);
      await expect(c.council.connect(c.g1).approve(late)).to.be.revertedWithCustomError(c.council, "CouncilProposalExpired").withArgs(late, expiresAt);
    });
  });

  describe("withdrawApproval", function () {
    it("takes back an approval, which then no longer counts", async function () {
      const c = await loadFixture(deployCouncil);
      const id = await c.propose([c.defaultPolicy(2)]);
      await c.council.connect(c.g1).approve(id);
      await expect(c.council.connect(c.g0).withdrawApproval(id)).to.emit(c.council, "ProposalApprovalWithdrawn").withArgs(id, c.g0.address);
      expect(await c.council.hasApproved(id, c.g0.address)).to.equal(false);
      expect((await c.council.proposal(id)).approvals).to.equal(1n);
      await expect(c.council.connect(c.g1).execute(id)).to.be.revertedWithCustomError(c.council, "CouncilBelowThreshold").withArgs(id, 1, 2);
      await c.council.connect(c.g2).approve(id);
      await expect(c.council.connect(c.g1).execute(id)).to.emit(c.council, "ProposalExecuted").withArgs(id, c.g1.address);
    });

    it("rejects a governor who has not approved with CouncilNotApproved, non-governors, unknown, executed and expired proposals", async function () {
      const c = await loadFixture(deployCouncil);
      const id = await c.propose([c.defaultPolicy(2)]);
      await expect(c.council.connect(c.g1).withdrawApproval(id)).to.be.revertedWithCustomError(c.council, "CouncilNotApproved").withArgs(id, c.g1.address);
      await expect(c.council.connect(c.outsider).withdrawApproval(id)).to.be.revertedWithCustomError(c.council, "CouncilNotGovernor").withArgs(c.outsider.address);
      await expect(c.council.connect(c.g0).withdrawApproval(9)).to.be.revertedWithCustomError(c.council, "CouncilUnknownProposal").withArgs(9);
      await c.council.connect(c.g1).approve(id);
      await c.council.connect(c.g1).execute(id);
      await expect(c.council.connect(c.g0).withdrawApproval(id)).to.be.revertedWithCustomError(c.council, "CouncilAlreadyExecuted").withArgs(id);
      const late = await c.propose([c.defaultPolicy(3)]);
      const { expiresAt } = await c.council.proposal(late);
      await time.increaseTo(expiresAt);
      await expect(c.council.connect(c.g0).withdrawApproval(late)).to.be.revertedWithCustomError(c.council, "CouncilProposalExpired").withArgs(late, expiresAt);
    });
  });

  describe("execute", function () {
    it("makes every call of a proposal in order once the threshold is met, by any governor", async function () {
      const c = await loadFixture(deployCouncil);
      const id = await c.propose([c.defaultPolicy(2), c.defaultPolicy(5)]);
      await c.council.connect(c.g1).approve(id);
      const tx = c.council.connect(c.g2).execute(id);
      await expect(tx).to.emit(c.council, "ProposalExecuted").withArgs(id, c.g2.address);
      await expect(tx).to.emit(c.registry, "DefaultPolicySet").withArgs(kinds(Kind.TRADER), 2);
      await expect(tx).to.emit(c.registry, "DefaultPolicySet").withArgs(kinds(Kind.TRADER), 5);
      expect((await c.registry.policyOf(1)).approvals).to.equal(5n);
      expect((await c.council.proposal(id)).executed).to.equal(true);
    });

    it("below the threshold nothing executes (CouncilBelowThreshold)", async function () {
      const c = await loadFixture(deployCouncil);
      const id = await c.propose([c.defaultPolicy(2)]);
      await expect(c.council.connect(c.g0).execute(id)).to.be.revertedWithCustomError(c.council, "CouncilBelowThreshold").withArgs(id, 1, 2);
      expect((await c.registry.policyOf(1)).approvals).to.equal(1n);
      expect((await c.council.proposal(id)).executed).to.equal(false);
    });

    it("an executed proposal cannot run again (CouncilAlreadyExecuted)", async function () {
      const c = await loadFixture(deployCouncil);
      await c.pass([c.defaultPolicy(2)]);
      await expect(c.council.connect(c.g2).execute(1)).to.be.revertedWithCustomError(c.council, "CouncilAlreadyExecuted").withArgs(1);
    });

    it("an expired proposal cannot execute (CouncilProposalExpired), even with enough approvals; one second earlier it could", async function () {
      const c = await loadFixture(deployCouncil);
      const id = await c.propose([c.defaultPolicy(2)]);
      await c.council.connect(c.g1).approve(id);
      const { expiresAt } = await c.council.proposal(id);
      const snapshot = await networkHelpers.takeSnapshot();
      await time.setNextBlockTimestamp(expiresAt - 1n);
      await expect(c.council.connect(c.g1).execute(id)).to.emit(c.council, "ProposalExecuted");
      await snapshot.restore();
      await time.setNextBlockTimestamp(expiresAt);
      await expect(c.council.connect(c.g1).execute(id)).to.be.revertedWithCustomError(c.council, "CouncilProposalExpired").withArgs(id, expiresAt);
    });

    it("rejects non-governors and unknown proposals", async function () {
      const c = await loadFixture(deployCouncil);
      const id = await c.propose([c.defaultPolicy(2)]);
      await c.council.connect(c.g1).approve(id);
      await expect(c.council.connect(c.outsider).execute(id)).to.be.revertedWithCustomError(c.council, "CouncilNotGovernor").withArgs(c.outsider.address);
      await expect(c.council.connect(c.g1).execute(id + 1n)).to.be.revertedWithCustomError(c.council, "CouncilUnknownProposal").withArgs(id + 1n);
    });

    it("a failing call reverts the whole proposal with CouncilCallFailed carrying the call's index and revert data", async function () {
      const c = await loadFixture(deployCouncil);
      const id = await c.propose([c.defaultPolicy(2), c.defaultPolicy(0)]);
      await c.council.connect(c.g1).approve(id);
      await expect(c.council.connect(c.g1).execute(id))
        .to.be.revertedWithCustomError(c.council, "CouncilCallFailed")
        .withArgs(id, 1, c.registry.interface.encodeErrorResult("DocumentRegistryInvalidPolicy", [kinds(Kind.TRADER), 0]));
      expect((await c.registry.policyOf(1)).approvals).to.equal(1n);
      expect((await c.council.proposal(id)).executed).to.equal(false);
    });

    it("an approval given before a governor's removal does not come back when the same account is admitted again", async function () {
      const c = await loadFixture(deployCouncil);
      const id = await c.propose([c.defaultPolicy(2)]);
      await c.council.connect(c.g1).approve(id);
      const removal = await c.propose([c.self("removeGovernor", [c.g1.address]), c.self("addGovernor", [c.newcomer.address])]);
      await c.council.connect(c.g2).approve(removal);
      await c.council.connect(c.g2).execute(removal);
      const readmission = await c.propose([c.self("addGovernor", [c.g1.address])]);
      await c.council.connect(c.g2).approve(readmission);
      await c.council.connect(c.g2).execute(readmission);
      expect(await c.council.hasApproved(id, c.g1.address)).to.equal(false);
      expect((await c.council.proposal(id)).approvals).to.equal(1n);
      await expect(c.council.connect(c.g0).execute(id)).to.be.revertedWithCustomError(c.council, "CouncilBelowThreshold").withArgs(id, 1, 2);
      await expect(c.council.connect(c.g1).approve(id)).to.emit(c.council, "ProposalApproved").withArgs(id, c.g1.address);
      await expect(c.council.connect(c.g0).execute(id)).to.emit(c.council, "ProposalExecuted");
    });

    it("refuses a call to an account without code, which would otherwise pass silently", async function () {
      const c = await loadFixture(deployCouncil);
      const id = await c.propose([c.defaultPolicy(2), { target: c.newcomer.address, data: "0x" }]);
      await c.council.connect(c.g1).approve(id);
      await expect(c.council.connect(c.g1).execute(id))
        .to.be.revertedWithCustomError(c.council, "CouncilTargetNotContract")
        .withArgs(id, 1, c.newcomer.address);
      expect((await c.council.proposal(id)).executed).to.equal(false);
    });

    it("approvals of governors removed since no longer count", async function () {
      const c = await loadFixture(deployCouncil);
      const id = await c.propose([c.defaultPolicy(2)]);
      await c.council.connect(c.g1).approve(id);
      expect((await c.council.proposal(id)).approvals).to.equal(2n);
      const removal = await c.propose([c.self("removeGovernor", [c.g1.address]), c.self("addGovernor", [c.newcomer.address])]);
      await c.council.connect(c.g2).approve(removal);
      await c.council.connect(c.g2).execute(removal);
      expect((await c.council.proposal(id)).approvals).to.equal(1n);
      expect(await c.council.hasApproved(id, c.g1.address)).to.equal(false);
      await expect(c.council.connect(c.g0).execute(id)).to.be.revertedWithCustomError(c.council, "CouncilBelowThreshold").withArgs(id, 1, 2);
      await expect(c.council.connect(c.g1).approve(id)).to.be.revertedWithCustomError(c.council, "CouncilNotGovernor").withArgs(c.g1.address);
      await c.council.connect(c.newcomer).approve(id);
      await expect(c.council.connect(c.newcomer).execute(id)).to.emit(c.council, "ProposalExecuted").withArgs(id, c.newcomer.address);
    });
  });

  describe("self-governance", function () {
    it("governors, threshold and lifetime change only through the council itself (CouncilOnlySelf)", async function () {
      const c = await loadFixture(deployCouncil);
      for (const caller of [c.g0, c.outsider]) {
        const council = c.council.connect(caller);
        for (const tx of [
          council.addGovernor(c.newcomer.address),
          council.removeGovernor(c.g2.address),
          council.setThreshold(3),
          council.setProposalLifetime(3600),
        ]) {
          await expect(tx).to.be.revertedWithCustomError(c.council, "CouncilOnlySelf").withArgs(caller.address);
        }
      }
    });

    it("adds a governor, raises the threshold, shortens the lifetime and removes a governor through proposals", async function () {
      const c = await loadFixture(deployCouncil);
      const tx = c.pass([c.self("addGovernor", [c.newcomer.address]), c.self("setThreshold", [3]), c.self("setProposalLifetime", [3600])]);
      await expect(tx).to.emit(c.council, "GovernorAdded").withArgs(c.newcomer.address);
      await expect(tx).to.emit(c.council, "ThresholdChanged").withArgs(3);
      await expect(tx).to.emit(c.council, "ProposalLifetimeChanged").withArgs(3600);
      expect(await c.council.governors()).to.deep.equal([...c.governors.map((g) => g.address), c.newcomer.address]);
      expect(await c.council.threshold()).to.equal(3n);
      expect(await c.council.proposalLifetime()).to.equal(3600n);
      const id = await c.propose([c.self("removeGovernor", [c.g0.address])]);
      await c.council.connect(c.g1).approve(id);
      await expect(c.council.connect(c.g1).execute(id)).to.be.revertedWithCustomError(c.council, "CouncilBelowThreshold").withArgs(id, 2, 3);
      await c.council.connect(c.newcomer).approve(id);
      await expect(c.council.connect(c.g1).execute(id)).to.emit(c.council, "GovernorRemoved").withArgs(c.g0.address);
      expect(await c.council.governors()).to.deep.equal([c.newcomer.address, c.g1.address, c.g2.address]);
      expect(await c.council.isGovernor(c.g0.address)).to.equal(false);
      await expect(c.council.connect(c.g0).propose([c.defaultPolicy(2)], "x")).to.be.revertedWithCustomError(c.council, "CouncilNotGovernor").withArgs(c.g0.address);
    });

    it("rejects invalid thresholds, lifetimes and governor changes, bubbled as CouncilCallFailed", async function () {
      const c = await loadFixture(deployCouncil);
      const cases: [{ target: string; data: string }, string][] = [
        [c.self("setThreshold", [1]), councilError(c, "CouncilInvalidThreshold", [1, 3])],
        [c.self("setThreshold", [4]), councilError(c, "CouncilInvalidThreshold", [4, 3])],
        [c.self("setThreshold", [0]), councilError(c, "CouncilInvalidThreshold", [0, 3])],
        [c.self("setProposalLifetime", [3599]), councilError(c, "CouncilInvalidLifetime", [3599])],
        [c.self("addGovernor", [c.g2.address]), councilError(c, "CouncilGovernorUnavailable", [c.g2.address])],
        [c.self("addGovernor", [ethers.ZeroAddress]), councilError(c, "CouncilGovernorUnavailable", [ethers.ZeroAddress])],
        [c.self("removeGovernor", [c.outsider.address]), councilError(c, "CouncilNotGovernor", [c.outsider.address])],
      ];
      for (const [call, reason] of cases) {
        const id = await c.propose([call]);
        await c.council.connect(c.g1).approve(id);
        await expect(c.council.connect(c.g1).execute(id)).to.be.revertedWithCustomError(c.council, "CouncilCallFailed").withArgs(id, 0, reason);
      }
    });

    it("refuses to remove a governor when fewer than two would remain, and says so", async function () {
      const c = await loadFixture(deployCouncil);
      await c.pass([c.self("removeGovernor", [c.g2.address])]);
      expect(await c.council.governors()).to.deep.equal([c.g0.address, c.g1.address]);
      const id = await c.propose([c.self("removeGovernor", [c.g1.address])]);
      await c.council.connect(c.g1).approve(id);
      await expect(c.council.connect(c.g1).execute(id))
        .to.be.revertedWithCustomError(c.council, "CouncilCallFailed")
        .withArgs(id, 0, councilError(c, "CouncilTooFewGovernors", [1, 2]));
    });

    it("a lifetime change applies to proposals made after it", async function () {
      const c = await loadFixture(deployCouncil);
      const before = await c.propose([c.defaultPolicy(2)]);
      await c.pass([c.self("setProposalLifetime", [3600])]);
      const after = await c.propose([c.defaultPolicy(3)]);
      const [a, b] = [await c.council.proposal(before), await c.council.proposal(after)];
      expect(a.expiresAt - a.createdAt).to.equal(BigInt(LIFETIME));
      expect(b.expiresAt - b.createdAt).to.equal(3600n);
    });
  });

  describe("views", function () {
    it("proposal rejects unknown ids with CouncilUnknownProposal", async function () {
      const c = await loadFixture(deployCouncil);
      for (const id of [0, 1]) {
        await expect(c.council.proposal(id)).to.be.revertedWithCustomError(c.council, "CouncilUnknownProposal").withArgs(id);
      }
    });
  });
});
