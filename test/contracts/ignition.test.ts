import { expect } from "chai";
import { network } from "hardhat";
import Tradeproof from "../../scripts/ignition/Tradeproof.js";
import { Kind, kinds } from "./fixtures.js";

describe("Ignition module Tradeproof", function () {
  this.timeout(60_000);

  /** A chain of its own, so that the deployment never disturbs the fixtures' snapshots. */
  async function deploy(parameters: Record<string, unknown>) {
    const { ethers, ignition } = await network.create();
    const signers = await ethers.getSigners();
    const governors = signers.slice(0, 3).map((s) => s.address);
    const deployed = await ignition.deploy(Tradeproof, { parameters: { Tradeproof: { governors, ...parameters } } });
    return { ethers, governors, ...deployed };
  }

  it("deploys a forwarder, a council with the given governors, threshold and lifetime, and a registry wired to both", async function () {
    const { ethers, governors, forwarder, council, registry } = await deploy({ threshold: 3, lifetime: 86_400, defaultKinds: kinds(Kind.TRADER) });
    const forwarderAddress = await forwarder.getAddress();
    const councilAddress = await council.getAddress();
    expect(await council.governors()).to.deep.equal(governors);
    expect(await council.threshold()).to.equal(3n);
    expect(await council.proposalLifetime()).to.equal(86_400n);
    expect(await council.isTrustedForwarder(forwarderAddress)).to.equal(true);
    expect(await registry.council()).to.equal(councilAddress);
    expect(await registry.isTrustedForwarder(forwarderAddress)).to.equal(true);
    const policy = await registry.policyOf(380);
    expect([policy.allowedKinds, policy.approvals, policy.set]).to.deep.equal([BigInt(kinds(Kind.TRADER)), 1n, true]);
    const domain = await forwarder.eip712Domain();
    expect([domain.name, domain.version]).to.deep.equal(["Tradeproof Forwarder", "1"]);
    expect(domain.chainId).to.equal((await ethers.provider.getNetwork()).chainId);
  });

  it("defaults to a threshold of 2, a seven-day lifetime, and traders and issuing authorities for types without a policy", async function () {
    const { council, registry } = await deploy({});
    expect(await council.threshold()).to.equal(2n);
    expect(await council.proposalLifetime()).to.equal(7n * 24n * 3600n);
    const policy = await registry.policyOf(861);
    expect([policy.allowedKinds, policy.approvals]).to.deep.equal([BigInt(kinds(Kind.TRADER, Kind.ISSUING_AUTHORITY)), 1n]);
  });

  it("refuses to deploy without governors", async function () {
    const { ignition } = await network.create();
    const failure = await ignition.deploy(Tradeproof).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).to.be.instanceOf(Error);
    expect((failure as Error).message).to.match(/governors/);
  });
});
