import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  approvedProposal,
  callOf,
  country,
  deployConsortium,
  deployLedger,
  DocType,
  ethers,
  Kind,
  kinds,
  LIFETIME,
  networkHelpers,
  randomHash,
  Status,
  type Consortium,
} from "./fixtures.js";

const { loadFixture } = networkHelpers;

/** The registry's governance functions with valid arguments, for the access checks. */
function governanceCalls(c: Consortium): [string, unknown[]][] {
  return [
    ["setCouncil", [c.council.target as string]],
    ["addOrganisation", ["Acme", country("DE"), Kind.TRADER, []]],
    ["setOrganisationActive", [c.org.trader, false]],
    ["addAccount", [c.org.trader, c.spare[0].address]],
    ["removeAccount", [c.trader2.address]],
    ["rotateAccount", [c.officer1.address, c.spare[1].address]],
    ["setDocumentPolicy", [DocType.BILL_OF_LADING, kinds(Kind.TRADER), 1]],
    ["clearDocumentPolicy", [DocType.INVOICE]],
    ["setDefaultPolicy", [kinds(Kind.TRADER), 1]],
  ];
}

/** Executes `calls` through the council and returns the execution's transaction. */
async function execute(c: Consortium, calls: { target: string; data: string }[]) {
  const id = await approvedProposal(c, calls);
  return c.council.connect(c.governors[1]).execute(id);
}

/** Expects an executed proposal to fail because the registry reverted with `error(args)` on call `index`. */
async function expectRegistryRevert(c: Consortium, call: { target: string; data: string }, error: string, args: unknown[]) {
  const id = await approvedProposal(c, [call]);
  await expect(c.council.connect(c.governors[1]).execute(id))
    .to.be.revertedWithCustomError(c.council, "CouncilCallFailed")
    .withArgs(id, 0, c.registry.interface.encodeErrorResult(error, args));
}

describe("DocumentRegistry governance", function () {
  describe("access", function () {
    it("every governance function rejects a direct call from a governor or an outsider with DocumentRegistryUnauthorizedCouncil", async function () {
      const c = await loadFixture(deployConsortium);
      for (const caller of [c.governors[0], c.outsider, c.trader]) {
        for (const [fn, args] of governanceCalls(c)) {
          const registry = c.registry.connect(caller) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
          await expect(registry[fn](...args), fn)
            .to.be.revertedWithCustomError(c.registry, "DocumentRegistryUnauthorizedCouncil")
            .withArgs(caller.address);
        }
      }
    });

    it("every governance function succeeds when the council executes it", async function () {
      const c = await loadFixture(deployConsortium);
      for (const [fn, args] of governanceCalls(c).reverse()) {
        await expect(execute(c, [callOf(c.registry, fn, args)]), fn).not.to.revert(ethers);
      }
    });
  });

  describe("constructor", function () {
    it("names the council and sets the default policy from the given kinds with one approval", async function () {
      const { registry, council } = await loadFixture(deployLedger);
      const deployment = registry.deploymentTransaction()!;
      await expect(deployment).to.emit(registry, "CouncilChanged").withArgs(ethers.ZeroAddress, await council.getAddress());
      await expect(deployment).to.emit(registry, "DefaultPolicySet").withArgs(kinds(Kind.TRADER, Kind.ISSUING_AUTHORITY), 1);
      expect(await registry.council()).to.equal(await council.getAddress());
      expect(await registry.organisationCount()).to.equal(0n);
    });

    it("rejects default kinds that allow nobody with DocumentRegistryInvalidPolicy", async function () {
      const { registry, council, forwarder } = await loadFixture(deployLedger);
      await expect(ethers.deployContract("DocumentRegistry", [await council.getAddress(), await forwarder.getAddress(), 0]))
        .to.be.revertedWithCustomError(registry, "DocumentRegistryInvalidPolicy")
        .withArgs(0, 1);
    });
  });

  describe("setCouncil", function () {
    it("hands governance to the new council, which alone may govern from then on", async function () {
      const c = await loadFixture(deployConsortium);
      const governor = c.spare[0];
      const newCouncil = await ethers.deployContract("Council", [[governor.address], 1, LIFETIME, await c.forwarder.getAddress()]);
      const newAddress = await newCouncil.getAddress();
      await expect(execute(c, [callOf(c.registry, "setCouncil", [newAddress])]))
        .to.emit(c.registry, "CouncilChanged")
        .withArgs(await c.council.getAddress(), newAddress);
      expect(await c.registry.council()).to.equal(newAddress);
      await newCouncil.connect(governor).propose([callOf(c.registry, "setOrganisationActive", [c.org.trader, false])], "suspend");
      await expect(newCouncil.connect(governor).execute(1n))
        .to.emit(c.registry, "OrganisationStatusChanged")
        .withArgs(c.org.trader, false);
      await expectRegistryRevert(c, callOf(c.registry, "setOrganisationActive", [c.org.trader, true]), "DocumentRegistryUnauthorizedCouncil", [
        await c.council.getAddress(),
      ]);
    });

    it("refuses a council without code, which would end governance for good", async function () {
      const c = await loadFixture(deployConsortium);
      for (const account of [ethers.ZeroAddress, c.spare[0].address]) {
        await expectRegistryRevert(c, callOf(c.registry, "setCouncil", [account]), "DocumentRegistryInvalidCouncil", [account]);
      }
      expect(await c.registry.council()).to.equal(await c.council.getAddress());
    });
  });

  describe("addOrganisation", function () {
    it("admits an organisation with its accounts, numbered after the last one, and emits its events", async function () {
      const c = await loadFixture(deployConsortium);
      const [a, b] = c.spare;
      const tx = execute(c, [callOf(c.registry, "addOrganisation", ["Hamburg Port Authority", country("DE"), Kind.AGENCY, [a.address, b.address]])]);
      await expect(tx).to.emit(c.registry, "OrganisationAdded").withArgs(7, "Hamburg Port Authority", country("DE"), Kind.AGENCY);
      await expect(tx).to.emit(c.registry, "AccountAdded").withArgs(7, a.address);
      await expect(tx).to.emit(c.registry, "AccountAdded").withArgs(7, b.address);
      expect(await c.registry.organisationCount()).to.equal(7n);
      const info = await c.registry.organisation(7);
      expect([info.id, info.name, info.country, info.kind, info.active, [...info.accounts]]).to.deep.equal([
        7n,
        "Hamburg Port Authority",
        country("DE"),
        BigInt(Kind.AGENCY),
        true,
        [a.address, b.address],
      ]);
      expect(await c.registry.accountOf(b.address)).to.deep.equal([7n, BigInt(Kind.AGENCY), true]);
    });

    it("returns the new id to the caller", async function () {
      const c = await loadFixture(deployConsortium);
      await networkHelpers.impersonateAccount(await c.council.getAddress());
      await networkHelpers.setBalance(await c.council.getAddress(), 10n ** 18n);
      const asCouncil = await ethers.getSigner(await c.council.getAddress());
      expect(await c.registry.connect(asCouncil).addOrganisation.staticCall("Acme", country("FR"), Kind.TRADER, [])).to.equal(7n);
    });

    it("admits an organisation without accounts and one with a name of 128 bytes", async function () {
      const c = await loadFixture(deployConsortium);
      await execute(c, [
        callOf(c.registry, "addOrganisation", ["x".repeat(128), country("FR"), Kind.AUDITOR, []]),
      ]);
      const info = await c.registry.organisation(7);
      expect([info.name, [...info.accounts]]).to.deep.equal(["x".repeat(128), []]);
    });

    it("rejects an empty name and one longer than 128 bytes with DocumentRegistryInvalidName", async function () {
      const c = await loadFixture(deployConsortium);
      for (const name of ["", "x".repeat(129), "é".repeat(65)]) {
        await expectRegistryRevert(c, callOf(c.registry, "addOrganisation", [name, country("DE"), Kind.TRADER, []]), "DocumentRegistryInvalidName", []);
      }
    });

    it("rejects a country that is not two upper-case ASCII letters with DocumentRegistryInvalidCountry", async function () {
      const c = await loadFixture(deployConsortium);
      for (const code of [country("de"), country("D1"), country("@Z"), country("A["), "0x0000", "0x4100"]) {
        await expectRegistryRevert(c, callOf(c.registry, "addOrganisation", ["Acme", code, Kind.TRADER, []]), "DocumentRegistryInvalidCountry", [code]);
      }
    });

    it("rejects the kind NONE with DocumentRegistryInvalidKind and a kind out of range without a reason", async function () {
      const c = await loadFixture(deployConsortium);
      await expectRegistryRevert(c, callOf(c.registry, "addOrganisation", ["Acme", country("DE"), Kind.NONE, []]), "DocumentRegistryInvalidKind", [0]);
      const id = await approvedProposal(c, [callOf(c.registry, "addOrganisation", ["Acme", country("DE"), 6, []])]);
      await expect(c.council.connect(c.governors[1]).execute(id))
        .to.be.revertedWithCustomError(c.council, "CouncilCallFailed")
        .withArgs(id, 0, "0x");
    });

    it("rejects the zero address, a member's account and an account listed twice with DocumentRegistryAccountUnavailable", async function () {
      const c = await loadFixture(deployConsortium);
      const fresh = c.spare[0].address;
      for (const [accounts, culprit] of [
        [[ethers.ZeroAddress], ethers.ZeroAddress],
        [[fresh, c.trader.address], c.trader.address],
        [[fresh, fresh], fresh],
      ] as [string[], string][]) {
        await expectRegistryRevert(c, callOf(c.registry, "addOrganisation", ["Acme", country("DE"), Kind.TRADER, accounts]), "DocumentRegistryAccountUnavailable", [
          culprit,
        ]);
      }
    });
  });

  describe("setOrganisationActive", function () {
    it("suspends an organisation and all its accounts, and reinstates them", async function () {
      const c = await loadFixture(deployConsortium);
      await expect(execute(c, [callOf(c.registry, "setOrganisationActive", [c.org.trader, false])]))
        .to.emit(c.registry, "OrganisationStatusChanged")
        .withArgs(c.org.trader, false);
      expect((await c.registry.organisation(c.org.trader)).active).to.equal(false);
      expect(await c.registry.accountOf(c.trader.address)).to.deep.equal([c.org.trader, BigInt(Kind.TRADER), false]);
      expect(await c.registry.accountOf(c.trader2.address)).to.deep.equal([c.org.trader, BigInt(Kind.TRADER), false]);
      expect(await c.registry.accountOf(c.otherTrader.address)).to.deep.equal([c.org.otherTrader, BigInt(Kind.TRADER), true]);
      await expect(execute(c, [callOf(c.registry, "setOrganisationActive", [c.org.trader, true])]))
        .to.emit(c.registry, "OrganisationStatusChanged")
        .withArgs(c.org.trader, true);
      expect((await c.registry.organisation(c.org.trader)).active).to.equal(true);
      expect(await c.registry.accountOf(c.trader2.address)).to.deep.equal([c.org.trader, BigInt(Kind.TRADER), true]);
    });

    it("rejects organisation 0 and one past the last with DocumentRegistryUnknownOrganisation", async function () {
      const c = await loadFixture(deployConsortium);
      for (const id of [0, 7]) {
        await expectRegistryRevert(c, callOf(c.registry, "setOrganisationActive", [id, false]), "DocumentRegistryUnknownOrganisation", [id]);
      }
    });
  });

  describe("addAccount", function () {
    it("adds a signing account that can write at once", async function () {
      const c = await loadFixture(deployConsortium);
      const fresh = c.spare[0];
      await expect(execute(c, [callOf(c.registry, "addAccount", [c.org.trader, fresh.address])]))
        .to.emit(c.registry, "AccountAdded")
        .withArgs(c.org.trader, fresh.address);
      expect([...(await c.registry.organisation(c.org.trader)).accounts]).to.deep.equal([c.trader.address, c.trader2.address, fresh.address]);
      expect(await c.registry.accountOf(fresh.address)).to.deep.equal([c.org.trader, BigInt(Kind.TRADER), true]);
      const doc = randomHash();
      await expect(c.registry.connect(fresh).register(doc, DocType.INVOICE))
        .to.emit(c.registry, "DocumentRegistered")
        .withArgs(doc, c.org.trader, fresh.address, DocType.INVOICE, Status.VALID);
    });

    it("adds an account to a suspended organisation as suspended", async function () {
      const c = await loadFixture(deployConsortium);
      await execute(c, [
        callOf(c.registry, "setOrganisationActive", [c.org.trader, false]),
        callOf(c.registry, "addAccount", [c.org.trader, c.spare[0].address]),
      ]);
      expect(await c.registry.accountOf(c.spare[0].address)).to.deep.equal([c.org.trader, BigInt(Kind.TRADER), false]);
    });

    it("rejects an unknown organisation with DocumentRegistryUnknownOrganisation", async function () {
      const c = await loadFixture(deployConsortium);
      await expectRegistryRevert(c, callOf(c.registry, "addAccount", [99, c.spare[0].address]), "DocumentRegistryUnknownOrganisation", [99]);
    });

    it("rejects the zero address and an account of any organisation with DocumentRegistryAccountUnavailable", async function () {
      const c = await loadFixture(deployConsortium);
      for (const account of [ethers.ZeroAddress, c.trader.address, c.customs.address]) {
        await expectRegistryRevert(c, callOf(c.registry, "addAccount", [c.org.trader, account]), "DocumentRegistryAccountUnavailable", [account]);
      }
    });
  });

  describe("removeAccount", function () {
    it("removes a signing account, which may then join another organisation", async function () {
      const c = await loadFixture(deployConsortium);
      await expect(execute(c, [callOf(c.registry, "removeAccount", [c.trader.address])]))
        .to.emit(c.registry, "AccountRemoved")
        .withArgs(c.org.trader, c.trader.address);
      expect([...(await c.registry.organisation(c.org.trader)).accounts]).to.deep.equal([c.trader2.address]);
      expect(await c.registry.accountOf(c.trader.address)).to.deep.equal([0n, 0n, false]);
      await expect(execute(c, [callOf(c.registry, "addAccount", [c.org.otherTrader, c.trader.address])]))
        .to.emit(c.registry, "AccountAdded")
        .withArgs(c.org.otherTrader, c.trader.address);
    });

    it("removes the last account of an organisation", async function () {
      const c = await loadFixture(deployConsortium);
      await execute(c, [callOf(c.registry, "removeAccount", [c.customs.address])]);
      expect([...(await c.registry.organisation(c.org.customs)).accounts]).to.deep.equal([]);
    });

    it("rejects an account of no organisation with DocumentRegistryNotMember", async function () {
      const c = await loadFixture(deployConsortium);
      for (const account of [c.outsider.address, ethers.ZeroAddress]) {
        await expectRegistryRevert(c, callOf(c.registry, "removeAccount", [account]), "DocumentRegistryNotMember", [account]);
      }
    });
  });

  describe("rotateAccount", function () {
    it("replaces an account by a new one in the same organisation in one step", async function () {
      const c = await loadFixture(deployConsortium);
      const fresh = c.spare[0];
      const tx = execute(c, [callOf(c.registry, "rotateAccount", [c.officer1.address, fresh.address])]);
      await expect(tx).to.emit(c.registry, "AccountRemoved").withArgs(c.org.authority, c.officer1.address);
      await expect(tx).to.emit(c.registry, "AccountAdded").withArgs(c.org.authority, fresh.address);
      expect([...(await c.registry.organisation(c.org.authority)).accounts]).to.deep.equal([c.officer2.address, fresh.address]);
      expect(await c.registry.accountOf(fresh.address)).to.deep.equal([c.org.authority, BigInt(Kind.ISSUING_AUTHORITY), true]);
      expect(await c.registry.accountOf(c.officer1.address)).to.deep.equal([0n, 0n, false]);
    });

    it("rotates an account of a suspended organisation into a suspended account", async function () {
      const c = await loadFixture(deployConsortium);
      await execute(c, [
        callOf(c.registry, "setOrganisationActive", [c.org.trader, false]),
        callOf(c.registry, "rotateAccount", [c.trader.address, c.spare[0].address]),
      ]);
      expect(await c.registry.accountOf(c.spare[0].address)).to.deep.equal([c.org.trader, BigInt(Kind.TRADER), false]);
    });

    it("rejects an old account of no organisation with DocumentRegistryNotMember", async function () {
      const c = await loadFixture(deployConsortium);
      await expectRegistryRevert(c, callOf(c.registry, "rotateAccount", [c.outsider.address, c.spare[0].address]), "DocumentRegistryNotMember", [
        c.outsider.address,
      ]);
    });

    it("rejects a new account that is taken or zero with DocumentRegistryAccountUnavailable", async function () {
      const c = await loadFixture(deployConsortium);
      for (const account of [c.customs.address, c.trader2.address, ethers.ZeroAddress]) {
        await expectRegistryRevert(c, callOf(c.registry, "rotateAccount", [c.trader.address, account]), "DocumentRegistryAccountUnavailable", [account]);
      }
    });
  });

  describe("document policies", function () {
    it("setDocumentPolicy sets who may register a type and how many approvals it needs", async function () {
      const c = await loadFixture(deployConsortium);
      const allowed = kinds(Kind.CUSTOMS, Kind.AGENCY);
      await expect(execute(c, [callOf(c.registry, "setDocumentPolicy", [DocType.BILL_OF_LADING, allowed, 16])]))
        .to.emit(c.registry, "DocumentPolicySet")
        .withArgs(DocType.BILL_OF_LADING, allowed, 16);
      expect(await c.registry.policyOf(DocType.BILL_OF_LADING)).to.deep.equal([BigInt(allowed), 16n, true]);
      const doc = randomHash();
      await expect(c.registry.connect(c.agency).register(doc, DocType.BILL_OF_LADING))
        .to.emit(c.registry, "DocumentRegistered")
        .withArgs(doc, c.org.agency, c.agency.address, DocType.BILL_OF_LADING, Status.PENDING);
      await expect(c.registry.connect(c.trader).register(randomHash(), DocType.BILL_OF_LADING))
        .to.be.revertedWithCustomError(c.registry, "DocumentRegistryNotIssuer")
        .withArgs(c.trader.address, DocType.BILL_OF_LADING);
    });

    it("setDocumentPolicy and setDefaultPolicy reject policies that allow nobody, allow NONE or unknown kinds, or ask for 0 or more than 16 approvals", async function () {
      const c = await loadFixture(deployConsortium);
      const invalid: [number, number][] = [
        [0, 1],
        [kinds(Kind.NONE), 1],
        [kinds(Kind.NONE, Kind.TRADER), 1],
        [kinds(6), 1],
        [kinds(7) | kinds(Kind.TRADER), 1],
        [kinds(Kind.TRADER), 0],
        [kinds(Kind.TRADER), 17],
        [kinds(Kind.TRADER), 255],
      ];
      for (const [allowed, approvals] of invalid) {
        await expectRegistryRevert(c, callOf(c.registry, "setDocumentPolicy", [DocType.INVOICE, allowed, approvals]), "DocumentRegistryInvalidPolicy", [
          allowed,
          approvals,
        ]);
        await expectRegistryRevert(c, callOf(c.registry, "setDefaultPolicy", [allowed, approvals]), "DocumentRegistryInvalidPolicy", [allowed, approvals]);
      }
    });

    it("clearDocumentPolicy makes a type follow the default policy again", async function () {
      const c = await loadFixture(deployConsortium);
      await expect(execute(c, [callOf(c.registry, "clearDocumentPolicy", [DocType.CERTIFICATE_OF_ORIGIN])]))
        .to.emit(c.registry, "DocumentPolicyCleared")
        .withArgs(DocType.CERTIFICATE_OF_ORIGIN);
      expect(await c.registry.policyOf(DocType.CERTIFICATE_OF_ORIGIN)).to.deep.equal([BigInt(kinds(Kind.TRADER, Kind.ISSUING_AUTHORITY)), 1n, true]);
      const doc = randomHash();
      await expect(c.registry.connect(c.trader).register(doc, DocType.CERTIFICATE_OF_ORIGIN))
        .to.emit(c.registry, "DocumentRegistered")
        .withArgs(doc, c.org.trader, c.trader.address, DocType.CERTIFICATE_OF_ORIGIN, Status.VALID);
    });

    it("clearDocumentPolicy of a type without a policy changes nothing but still says so", async function () {
      const c = await loadFixture(deployConsortium);
      await expect(execute(c, [callOf(c.registry, "clearDocumentPolicy", [1])]))
        .to.emit(c.registry, "DocumentPolicyCleared")
        .withArgs(1);
      expect(await c.registry.policyOf(1)).to.deep.equal([BigInt(kinds(Kind.TRADER, Kind.ISSUING_AUTHORITY)), 1n, true]);
    });

    it("setDefaultPolicy governs every type without a policy and no type with one", async function () {
      const c = await loadFixture(deployConsortium);
      const allowed = kinds(Kind.AUDITOR);
      await expect(execute(c, [callOf(c.registry, "setDefaultPolicy", [allowed, 3])]))
        .to.emit(c.registry, "DefaultPolicySet")
        .withArgs(allowed, 3);
      expect(await c.registry.policyOf(1)).to.deep.equal([BigInt(allowed), 3n, true]);
      expect(await c.registry.policyOf(65535)).to.deep.equal([BigInt(allowed), 3n, true]);
      expect(await c.registry.policyOf(DocType.INVOICE)).to.deep.equal([BigInt(kinds(Kind.TRADER)), 1n, true]);
      await expect(c.registry.connect(c.trader).register(randomHash(), 1))
        .to.be.revertedWithCustomError(c.registry, "DocumentRegistryNotIssuer")
        .withArgs(c.trader.address, 1);
      const doc = randomHash();
      await expect(c.registry.connect(c.auditor).register(doc, 1))
        .to.emit(c.registry, "DocumentRegistered")
        .withArgs(doc, c.org.auditor, c.auditor.address, 1, Status.PENDING);
    });
  });

  describe("views", function () {
    it("organisation returns the name, country, kind, status and accounts", async function () {
      const c = await loadFixture(deployConsortium);
      const info = await c.registry.organisation(c.org.otherTrader);
      expect([info.id, info.name, info.country, info.kind, info.active, [...info.accounts]]).to.deep.equal([
        c.org.otherTrader,
        "Rotterdam Imports BV",
        country("NL"),
        BigInt(Kind.TRADER),
        true,
        [c.otherTrader.address],
      ]);
      expect(await c.registry.organisationCount()).to.equal(6n);
    });

    it("organisation rejects id 0 and ids past the last with DocumentRegistryUnknownOrganisation", async function () {
      const c = await loadFixture(deployConsortium);
      for (const id of [0, 7, 2 ** 24 - 1]) {
        await expect(c.registry.organisation(id)).to.be.revertedWithCustomError(c.registry, "DocumentRegistryUnknownOrganisation").withArgs(id);
      }
    });

    it("accountOf returns organisation, kind and status of each member, and zeros for anyone else", async function () {
      const c = await loadFixture(deployConsortium);
      const expected: [string, bigint, number][] = [
        [c.trader.address, c.org.trader, Kind.TRADER],
        [c.officer2.address, c.org.authority, Kind.ISSUING_AUTHORITY],
        [c.customs.address, c.org.customs, Kind.CUSTOMS],
        [c.agency.address, c.org.agency, Kind.AGENCY],
        [c.auditor.address, c.org.auditor, Kind.AUDITOR],
      ];
      for (const [account, org, kind] of expected) {
        expect(await c.registry.accountOf(account)).to.deep.equal([org, BigInt(kind), true]);
      }
      expect(await c.registry.accountOf(c.outsider.address)).to.deep.equal([0n, 0n, false]);
      expect(await c.registry.accountOf(c.governors[0].address)).to.deep.equal([0n, 0n, false]);
    });

    it("policyOf returns a type's own policy or else the default", async function () {
      const c = await loadFixture(deployConsortium);
      expect(await c.registry.policyOf(DocType.CERTIFICATE_OF_ORIGIN)).to.deep.equal([BigInt(kinds(Kind.ISSUING_AUTHORITY)), 2n, true]);
      expect(await c.registry.policyOf(DocType.GOODS_DECLARATION)).to.deep.equal([BigInt(kinds(Kind.TRADER, Kind.CUSTOMS)), 1n, true]);
      expect(await c.registry.policyOf(DocType.BILL_OF_LADING)).to.deep.equal([BigInt(kinds(Kind.TRADER, Kind.ISSUING_AUTHORITY)), 1n, true]);
    });

    it("leafHash equals the OpenZeppelin standard tree's leaf for bytes32", async function () {
      const c = await loadFixture(deployConsortium);
      const tree = StandardMerkleTree.of([[ethers.ZeroHash]], ["bytes32"]);
      for (const doc of [ethers.ZeroHash, ethers.MaxUint256, randomHash(), randomHash(), randomHash()]) {
        const hex = ethers.toBeHex(doc, 32);
        expect(await c.registry.leafHash(hex)).to.equal(tree.leafHash([hex]));
      }
    });
  });
});
