import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Interface, TypedDataEncoder, Wallet, keccak256, makeError, toUtf8Bytes, verifyTypedData } from "ethers";
import { Council__factory, DocumentReferences__factory, DocumentRegistry__factory, Forwarder__factory } from "../../types/ethers-contracts/index.js";
import {
  ContractRevertError,
  FORWARD_REQUEST_TYPES,
  InvalidArgumentError,
  NodeUnreachableError,
  NotIssuerError,
  REVERT_CLASSES,
  TradeproofError,
  UnknownOrganisationError,
  addAccountCall,
  addOrganisationCall,
  describeGovernanceCall,
  docTypeName,
  forwarderDomain,
  loadDeployment,
  setPolicyCall,
  setThresholdCall,
  suspendOrganisationCall,
  signForwardRequest,
  toForwardRequestData,
  toTradeproofError,
  type Deployment,
  type Hex,
} from "../../sdk/index.js";

const registryIface = DocumentRegistry__factory.createInterface();
const councilIface = Council__factory.createInterface();
const DEPLOYMENT: Deployment = {
  chainId: 31337,
  registry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  council: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  forwarder: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  startBlock: 1,
};
const TRADER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

describe("SDK support", function () {
  describe("toTradeproofError", function () {
    it("maps a decoded revert by its custom-error name to its class", function () {
      const e = makeError("execution reverted", "CALL_EXCEPTION", {
        action: "estimateGas", data: null, reason: null, transaction: { to: null, from: undefined, data: "" }, invocation: null,
        revert: { name: "DocumentRegistryNotIssuer", signature: "DocumentRegistryNotIssuer(address,uint16)", args: [TRADER, 861n] },
      });
      const mapped = toTradeproofError(e);
      expect(mapped).to.be.instanceOf(NotIssuerError);
      expect([mapped.code, (mapped as ContractRevertError).errorName, (mapped as ContractRevertError).args]).to.deep.equal(["NOT_ISSUER", "DocumentRegistryNotIssuer", [TRADER, 861n]]);
      expect(mapped.cause).to.equal(e);
    });

    it("has a class of its own, with a sentence of its own, for every custom error of the registry, council and references and the forwarder's request errors", function () {
      const referencesIface = DocumentReferences__factory.createInterface();
      const ifaces = [registryIface, councilIface, Forwarder__factory.createInterface(), referencesIface];
      const names = new Set(["ERC2771ForwarderInvalidSigner", "ERC2771ForwarderExpiredRequest", "ERC2771ForwarderMismatchedValue", "ERC2771UntrustfulTarget"]);
      [registryIface, councilIface, referencesIface].forEach((iface) => iface.forEachError((f) => names.add(f.name)));
      expect([...names].filter((n) => !REVERT_CLASSES.has(n)), "custom errors without an SDK class").to.deep.equal([]);
      const messages = new Set<string>();
      const codes = new Set<string>();
      for (const [errorName, Class] of REVERT_CLASSES) {
        const fragment = ifaces.map((i) => i.getError(errorName)).find((f) => f);
        expect(fragment, `${errorName} is in no ABI`).to.not.equal(undefined);
        const sample = fragment!.inputs.map((p) => (p.type === "address" ? TRADER : p.type.startsWith("bytes") ? "0x" + "ab".repeat(Number(p.type.slice(5)) || 4) : 1n));
        const data = ifaces.find((i) => i.getError(errorName))!.encodeErrorResult(errorName, sample);
        const mapped = toTradeproofError({ data }, ifaces);
        expect(mapped, errorName).to.be.instanceOf(Class);
        expect(mapped.name).to.equal(Class.name);
        expect(mapped.message).to.not.match(/refused the call/);
        messages.add(mapped.message);
        expect(mapped.code, errorName).to.match(/^[A-Z][A-Z_]+[A-Z]$/);
        codes.add(mapped.code);
      }
      expect(messages.size, "every error says something different").to.equal(REVERT_CLASSES.size);
      expect(codes.size, "every error has a stable code of its own").to.equal(REVERT_CLASSES.size);
    });

    it("decodes raw revert data with the interfaces it is given, whatever the message says", function () {
      const data = registryIface.encodeErrorResult("DocumentRegistryUnknownOrganisation", [9]);
      const e = Object.assign(new Error("something unrelated"), { code: 3, data });
      const mapped = toTradeproofError(e, [councilIface, registryIface]);
      expect(mapped).to.be.instanceOf(UnknownOrganisationError);
      expect(mapped.shortMessage).to.equal("There is no organisation 9.");
      expect([mapped.code, (mapped as ContractRevertError).args]).to.deep.equal(["UNKNOWN_ORGANISATION", [9n]]);
    });

    it("unwraps a council call failure to the registry's own error", function () {
      const inner = registryIface.encodeErrorResult("DocumentRegistryAccountUnavailable", [TRADER]);
      const data = councilIface.encodeErrorResult("CouncilCallFailed", [3, 0, inner]);
      const mapped = toTradeproofError({ data }, [councilIface, registryIface]);
      expect([mapped.code, (mapped as ContractRevertError).args]).to.deep.equal(["ACCOUNT_UNAVAILABLE", [TRADER]]);
    });

    it("turns transport failures into NodeUnreachableError, never a verdict", function () {
      const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
      const cases = [
        refused,
        new TypeError("fetch failed", { cause: refused }),
        makeError("could not reach node", "NETWORK_ERROR", { event: "x" }),
        makeError("bad response", "SERVER_ERROR", { request: null as never, response: null as never }),
        makeError("timeout", "TIMEOUT", { operation: "request.send", reason: "timeout" }),
      ];
      for (const e of cases) expect(toTradeproofError(e), String(e)).to.be.instanceOf(NodeUnreachableError);
    });

    it("keeps a TradeproofError as it is and keeps ethers' code for anything else", function () {
      const own = new InvalidArgumentError("x");
      expect(toTradeproofError(own)).to.equal(own);
      const funds = toTradeproofError(makeError("insufficient funds", "INSUFFICIENT_FUNDS", { transaction: {} }));
      expect([funds.constructor, funds.code]).to.deep.equal([TradeproofError, "INSUFFICIENT_FUNDS"]);
      expect(toTradeproofError("weird").code).to.equal("UNKNOWN");
    });

    it("says a revert without a known custom error is a ContractRevertError named CALL_EXCEPTION", function () {
      const e = makeError("execution reverted", "CALL_EXCEPTION", {
        action: "call", data: "0x", reason: null, transaction: { to: null, from: undefined, data: "" }, invocation: null, revert: null,
      });
      expect(toTradeproofError(e, new Interface([])).code).to.equal("CALL_EXCEPTION");
    });
  });

  describe("loadDeployment", function () {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), "tradeproof-deployment-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("reads a deployment file and checksums its addresses", async function () {
      const file = join(dir, "deployment.json");
      writeFileSync(file, JSON.stringify({ ...DEPLOYMENT, registry: DEPLOYMENT.registry.toLowerCase() }));
      expect(await loadDeployment(file)).to.deep.equal(DEPLOYMENT);
    });

    it("reads Ignition's deployed_addresses.json, taking the chain id from its folder", async function () {
      const folder = join(dir, "chain-1337");
      mkdirSync(folder);
      const file = join(folder, "deployed_addresses.json");
      writeFileSync(file, JSON.stringify({
        "Tradeproof#Forwarder": DEPLOYMENT.forwarder,
        "Tradeproof#Council": DEPLOYMENT.council,
        "Tradeproof#DocumentRegistry": DEPLOYMENT.registry,
      }));
      expect(await loadDeployment(file)).to.deep.equal({ ...DEPLOYMENT, chainId: 1337, startBlock: 0 });
    });

    it("refuses a missing file and a file that is not a deployment with InvalidArgumentError", async function () {
      const bad = join(dir, "bad.json");
      writeFileSync(bad, JSON.stringify({ chainId: 1, registry: "0x12" }));
      for (const file of [join(dir, "missing.json"), bad]) {
        try {
          await loadDeployment(file);
          expect.fail("accepted");
        } catch (e) {
          expect(e).to.be.instanceOf(InvalidArgumentError);
        }
      }
    });
  });

  describe("governance call builders", function () {
    it("encode registry calls for the registry and council calls for the council", function () {
      const add = addOrganisationCall(DEPLOYMENT, { name: "Port Klang Customs", country: "MY", kind: "CUSTOMS", accounts: [TRADER] });
      expect(add.target).to.equal(DEPLOYMENT.registry);
      expect(registryIface.decodeFunctionData("addOrganisation", add.data).toArray().map(String)).to.deep.equal(["Port Klang Customs", "0x4d59", "3", TRADER]);
      const policy = setPolicyCall(DEPLOYMENT, { docType: 861, allowedKinds: ["ISSUING_AUTHORITY", "CUSTOMS"], approvals: 2 });
      expect(registryIface.decodeFunctionData("setDocumentPolicy", policy.data).toArray()).to.deep.equal([861n, BigInt((1 << 2) | (1 << 3)), 2n]);
      const threshold = setThresholdCall(DEPLOYMENT, 3);
      expect([threshold.target, councilIface.decodeFunctionData("setThreshold", threshold.data)[0]]).to.deep.equal([DEPLOYMENT.council, 3n]);
    });

    it("refuses a country that is not ISO alpha-2 and an unknown kind", function () {
      expect(() => addOrganisationCall(DEPLOYMENT, { name: "x", country: "vn", kind: "TRADER", accounts: [] })).to.throw(InvalidArgumentError);
      expect(() => addOrganisationCall(DEPLOYMENT, { name: "x", country: "VN", kind: "NONE" as "TRADER", accounts: [] })).to.throw(InvalidArgumentError);
    });
  });

  describe("governance calls in words", function () {
    it("says what each call of a proposal does, naming organisations where it knows them", function () {
      const names = { organisationName: (id: number) => (id === 1 ? "Mekong Coffee Export JSC" : undefined) };
      const say = (call: { target: string; data: string }) => describeGovernanceCall(call, names);
      expect(say(addOrganisationCall(DEPLOYMENT, { name: "Lion City Roasters Pte Ltd", country: "SG", kind: "TRADER", accounts: [TRADER] }))).to.equal(`admit Lion City Roasters Pte Ltd (SG, trader) with account ${TRADER}`);
      expect(say(addAccountCall(DEPLOYMENT, { organisation: 1, account: TRADER }))).to.equal(`add account ${TRADER} to Mekong Coffee Export JSC (organisation 1)`);
      expect(say(suspendOrganisationCall(DEPLOYMENT, 7))).to.equal("suspend organisation 7");
      expect(say(setPolicyCall(DEPLOYMENT, { docType: 861, allowedKinds: ["ISSUING_AUTHORITY"], approvals: 2 }))).to.equal("document type 861: issuing authority may register it, 2 approvals");
      expect(say(setThresholdCall(DEPLOYMENT, 3))).to.equal("approvals needed for a proposal: 3");
      expect(say({ target: DEPLOYMENT.registry, data: "0xdeadbeef" })).to.equal(`call 0xdeadbeef on ${DEPLOYMENT.registry}`);
    });
  });

  describe("relay signing", function () {
    it("uses OpenZeppelin's ForwardRequest type and the Tradeproof Forwarder domain", function () {
      expect(TypedDataEncoder.from(FORWARD_REQUEST_TYPES).encodeType("ForwardRequest")).to.equal(
        "ForwardRequest(address from,address to,uint256 value,uint256 gas,uint256 nonce,uint48 deadline,bytes data)",
      );
      expect(forwarderDomain(DEPLOYMENT)).to.deep.equal({ name: "Tradeproof Forwarder", version: "1", chainId: 31337, verifyingContract: DEPLOYMENT.forwarder });
    });

    it("signs a request that recovers to the member's address", async function () {
      const wallet = Wallet.createRandom();
      const req = {
        from: wallet.address as Hex, to: DEPLOYMENT.registry, value: "0", gas: "200000", nonce: "0", deadline: 2_000_000_000,
        data: registryIface.encodeFunctionData("register", [keccak256(toUtf8Bytes("doc")), 380]) as Hex,
      };
      const signature = await signForwardRequest(wallet, DEPLOYMENT, req);
      expect(verifyTypedData(forwarderDomain(DEPLOYMENT), FORWARD_REQUEST_TYPES, req, signature)).to.equal(wallet.address);
      const { nonce: _, ...withoutNonce } = req;
      expect(toForwardRequestData(req, signature)).to.deep.equal({ ...withoutNonce, signature });
    });
  });

  describe("document types", function () {
    it("names UNTDID 1001 codes given as numbers or strings, and nothing else", function () {
      expect([docTypeName(861), docTypeName("380"), docTypeName(" 705 "), docTypeName(99999), docTypeName("constructor")]).to.deep.equal([
        "Certificate of origin", "Commercial invoice", "Bill of lading", undefined, undefined,
      ]);
    });
  });
});
