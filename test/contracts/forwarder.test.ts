import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Forwarder } from "../../types/ethers-contracts/index.js";
import { callOf, country, deployConsortium, DocType, ethers, Kind, minedAt, networkHelpers, Outcome, randomHash, stateOf, Status, signForwardRequest } from "./fixtures.js";

const { loadFixture, time } = networkHelpers;


interface Unsigned {
  to: string;
  data: string;
  nonce?: bigint;
  deadline?: bigint;
  /** The account the request claims to come from; the signer's own by default. */
  from?: string;
}

/** An EIP-712 ForwardRequest of `signer` for the Tradeproof forwarder, signed by `signer`. */
async function signRequest(forwarder: Forwarder, signer: HardhatEthersSigner, { to, data, nonce, deadline, from }: Unsigned) {
  const request = {
    from: from ?? signer.address,
    to,
    value: 0n,
    gas: 300_000n,
    nonce: nonce ?? (await forwarder.nonces(signer.address)),
    deadline: deadline ?? BigInt(await time.latest()) + 3600n,
    data,
  };
  return signForwardRequest(forwarder, signer, request);
}

/** The forwarder's address as a signer, to see the revert data that ERC2771Forwarder.execute swallows. */
async function impersonate(forwarder: Forwarder) {
  const address = await forwarder.getAddress();
  await networkHelpers.impersonateAccount(address);
  await networkHelpers.setBalance(address, 10n ** 18n);
  return ethers.getSigner(address);
}

describe("relayed calls through the Forwarder", function () {
  async function deployRelay() {
    const c = await deployConsortium();
    return { ...c, relayer: c.spare[0] };
  }

  it("the registry and the council trust exactly the Tradeproof forwarder", async function () {
    const c = await loadFixture(deployRelay);
    const forwarder = await c.forwarder.getAddress();
    expect(await c.registry.trustedForwarder()).to.equal(forwarder);
    expect(await c.council.trustedForwarder()).to.equal(forwarder);
    expect(await c.registry.isTrustedForwarder(c.relayer.address)).to.equal(false);
    const domain = await c.forwarder.eip712Domain();
    expect([domain.name, domain.version, domain.verifyingContract]).to.deep.equal(["Tradeproof Forwarder", "1", forwarder]);
  });

  it("a non-member relayer submits a trader's signed register, and the ledger records the trader", async function () {
    const c = await loadFixture(deployRelay);
    const doc = randomHash();
    const request = await signRequest(c.forwarder, c.trader, {
      to: await c.registry.getAddress(),
      data: c.registry.interface.encodeFunctionData("register", [doc, DocType.INVOICE]),
    });
    const tx = c.forwarder.connect(c.relayer).execute(request);
    await expect(tx).to.emit(c.registry, "DocumentRegistered").withArgs(doc, c.org.trader, c.trader.address, DocType.INVOICE, Status.VALID);
    await expect(tx).to.emit(c.forwarder, "ExecutedForwardRequest").withArgs(c.trader.address, 0, true);
    const state = await stateOf(c.registry, doc);
    expect([state.account, state.organisation, state.anchoredAt]).to.deep.equal([c.trader.address, c.org.trader, await minedAt(await tx)]);
    expect(await c.forwarder.nonces(c.trader.address)).to.equal(1n);
  });

  it("relayed approvals keep four-eyes: the second officer's signed approval counts as theirs", async function () {
    const c = await loadFixture(deployRelay);
    const doc = randomHash();
    const registry = await c.registry.getAddress();
    await c.forwarder.connect(c.relayer).execute(
      await signRequest(c.forwarder, c.officer1, { to: registry, data: c.registry.interface.encodeFunctionData("register", [doc, DocType.CERTIFICATE_OF_ORIGIN]) }),
    );
    const ownApproval = await signRequest(c.forwarder, c.officer1, { to: registry, data: c.registry.interface.encodeFunctionData("approve", [doc]) });
    await expect(c.forwarder.connect(c.relayer).execute(ownApproval)).to.be.revertedWithCustomError(c.forwarder, "FailedCall");
    const approval = await signRequest(c.forwarder, c.officer2, { to: registry, data: c.registry.interface.encodeFunctionData("approve", [doc]) });
    await expect(c.forwarder.connect(c.relayer).execute(approval))
      .to.emit(c.registry, "DocumentApproved")
      .withArgs(doc, c.org.authority, c.officer2.address, 2, 2);
  });

  it("a relayed attestation is recorded as the customs officer's", async function () {
    const c = await loadFixture(deployRelay);
    const doc = randomHash();
    const request = await signRequest(c.forwarder, c.customs, {
      to: await c.registry.getAddress(),
      data: c.registry.interface.encodeFunctionData("attest", [doc, Outcome.INSPECTED, 4]),
    });
    await expect(c.forwarder.connect(c.relayer).execute(request))
      .to.emit(c.registry, "DocumentAttested")
      .withArgs(doc, c.org.customs, c.customs.address, Outcome.INSPECTED, 4);
  });

  it("the ledger judges the signer, not the relayer: a member cannot lend its membership to a non-member's request", async function () {
    const c = await loadFixture(deployRelay);
    const request = await signRequest(c.forwarder, c.outsider, {
      to: await c.registry.getAddress(),
      data: c.registry.interface.encodeFunctionData("register", [randomHash(), DocType.INVOICE]),
    });
    // The forwarder's plain call loses the registry's revert data and reports FailedCall; a static call of the
    // same request shows the registry's reason.
    await expect(c.forwarder.connect(c.trader).execute(request)).to.be.revertedWithCustomError(c.forwarder, "FailedCall");
    const relayed = ethers.concat([c.registry.interface.encodeFunctionData("register", [randomHash(), DocType.INVOICE]), c.outsider.address]);
    const asForwarder = await impersonate(c.forwarder);
    await expect(asForwarder.call({ to: await c.registry.getAddress(), data: relayed }))
      .to.be.revertedWithCustomError(c.registry, "DocumentRegistryNotMember")
      .withArgs(c.outsider.address);
  });

  it("a request signed by another key is rejected with ERC2771ForwarderInvalidSigner", async function () {
    const c = await loadFixture(deployRelay);
    const forged = await signRequest(c.forwarder, c.outsider, {
      to: await c.registry.getAddress(),
      data: c.registry.interface.encodeFunctionData("register", [randomHash(), DocType.INVOICE]),
      from: c.trader.address,
      nonce: 0n,
    });
    await expect(c.forwarder.connect(c.relayer).execute(forged))
      .to.be.revertedWithCustomError(c.forwarder, "ERC2771ForwarderInvalidSigner")
      .withArgs(c.outsider.address, c.trader.address);
  });

  it("a request altered after signing is rejected with ERC2771ForwarderInvalidSigner", async function () {
    const c = await loadFixture(deployRelay);
    const request = await signRequest(c.forwarder, c.trader, {
      to: await c.registry.getAddress(),
      data: c.registry.interface.encodeFunctionData("register", [randomHash(), DocType.INVOICE]),
    });
    const tampered = { ...request, data: c.registry.interface.encodeFunctionData("register", [randomHash(), DocType.INVOICE]) };
    await expect(c.forwarder.connect(c.relayer).execute(tampered))
      .to.be.revertedWithCustomError(c.forwarder, "ERC2771ForwarderInvalidSigner")
      .withArgs(anyValue, c.trader.address);
    const badSignature = { ...request, signature: request.signature.slice(0, -2) + (request.signature.endsWith("1b") ? "1c" : "1b") };
    await expect(c.forwarder.connect(c.relayer).execute(badSignature))
      .to.be.revertedWithCustomError(c.forwarder, "ERC2771ForwarderInvalidSigner")
      .withArgs(anyValue, c.trader.address);
  });

  it("a request past its deadline is rejected with ERC2771ForwarderExpiredRequest", async function () {
    const c = await loadFixture(deployRelay);
    const deadline = BigInt(await time.latest()) + 60n;
    const request = await signRequest(c.forwarder, c.trader, {
      to: await c.registry.getAddress(),
      data: c.registry.interface.encodeFunctionData("register", [randomHash(), DocType.INVOICE]),
      deadline,
    });
    await time.increaseTo(deadline);
    await expect(c.forwarder.connect(c.relayer).execute(request))
      .to.be.revertedWithCustomError(c.forwarder, "ERC2771ForwarderExpiredRequest")
      .withArgs(deadline);
  });

  it("a request with a wrong nonce, or replayed, is rejected with ERC2771ForwarderInvalidSigner", async function () {
    const c = await loadFixture(deployRelay);
    const to = await c.registry.getAddress();
    const data = c.registry.interface.encodeFunctionData("register", [randomHash(), DocType.INVOICE]);
    const ahead = await signRequest(c.forwarder, c.trader, { to, data, nonce: 1n });
    await expect(c.forwarder.connect(c.relayer).execute(ahead))
      .to.be.revertedWithCustomError(c.forwarder, "ERC2771ForwarderInvalidSigner")
      .withArgs(anyValue, c.trader.address);
    const request = await signRequest(c.forwarder, c.trader, { to, data });
    await c.forwarder.connect(c.relayer).execute(request);
    await expect(c.forwarder.connect(c.relayer).execute(request))
      .to.be.revertedWithCustomError(c.forwarder, "ERC2771ForwarderInvalidSigner")
      .withArgs(anyValue, c.trader.address);
  });

  it("a forwarder the registry does not trust is refused with ERC2771UntrustfulTarget", async function () {
    const c = await loadFixture(deployRelay);
    const rogue = await ethers.deployContract("Forwarder");
    const request = await signRequest(rogue, c.trader, {
      to: await c.registry.getAddress(),
      data: c.registry.interface.encodeFunctionData("register", [randomHash(), DocType.INVOICE]),
    });
    await expect(rogue.connect(c.relayer).execute(request))
      .to.be.revertedWithCustomError(rogue, "ERC2771UntrustfulTarget")
      .withArgs(await c.registry.getAddress(), await rogue.getAddress());
  });

  it("governance is never relayed: a governor's relayed registry call is not the council's", async function () {
    const c = await loadFixture(deployRelay);
    const call = callOf(c.registry, "addOrganisation", ["Acme", country("DE"), Kind.TRADER, []]);
    const request = await signRequest(c.forwarder, c.governors[0], { to: call.target, data: call.data });
    await expect(c.forwarder.connect(c.relayer).execute(request)).to.be.revertedWithCustomError(c.forwarder, "FailedCall");
    expect(await c.registry.organisationCount()).to.equal(6n);
    const asForwarder = await impersonate(c.forwarder);
    await expect(asForwarder.call({ to: call.target, data: ethers.concat([call.data, c.governors[0].address]) }))
      .to.be.revertedWithCustomError(c.registry, "DocumentRegistryUnauthorizedCouncil")
      .withArgs(await c.forwarder.getAddress());
  });

  it("a governor may propose through the forwarder, and the proposal names the governor", async function () {
    const c = await loadFixture(deployRelay);
    const calls = [callOf(c.registry, "setDefaultPolicy", [2, 1])];
    const request = await signRequest(c.forwarder, c.governors[2], {
      to: await c.council.getAddress(),
      data: c.council.interface.encodeFunctionData("propose", [calls, "relayed"]),
    });
    const id = (await c.council.proposalCount()) + 1n;
    await expect(c.forwarder.connect(c.relayer).execute(request)).to.emit(c.council, "ProposalApproved").withArgs(id, c.governors[2].address);
    expect((await c.council.proposal(id)).proposer).to.equal(c.governors[2].address);
  });
});
