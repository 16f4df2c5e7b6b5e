import { expect } from "chai";
import { getAddress, hexlify, randomBytes } from "ethers";
import { DocumentRegistry__factory } from "../../types/ethers-contracts/index.js";
import { readStates } from "../../sdk/actions/verify.js";
import { decodeDocumentStates, encodeVerifyMany, type DocumentState } from "../../sdk/codec.js";
import type { ClientContext } from "../../sdk/context.js";
import { TradeproofError, type Hex } from "../../sdk/index.js";

const iface = DocumentRegistry__factory.createInterface();
const hash = () => hexlify(randomBytes(32)) as Hex;
const address = () => getAddress(hexlify(randomBytes(20))) as Hex;
const int = (bits: number) => Math.floor(Math.random() * 2 ** Math.min(bits, 40));

function randomState(): DocumentState {
  return {
    status: int(3) % 5,
    kind: int(2),
    root: hash(),
    docType: int(16),
    account: address(),
    organisation: int(24),
    organisationKind: int(3) % 6,
    organisationActive: Math.random() < 0.5,
    anchoredAt: int(40),
    approvalsRequired: int(8),
    approvalsGiven: int(8),
    supersededBy: hash(),
    supersedes: hash(),
    revokedAt: int(40),
    revokedBy: address(),
    attestationCount: int(40),
    attestations: Array.from({ length: int(2) }, () => ({ account: address(), organisation: int(24), timestamp: int(40), outcome: int(2), reasonCode: int(16) })),
  };
}

describe("SDK verifyMany codec", function () {
  it("encodes verifyMany calldata exactly as ethers does", function () {
    for (const n of [0, 1, 3, 40]) {
      const queries = Array.from({ length: n }, () => ({ docHash: hash(), root: hash(), proof: Array.from({ length: int(4) % 12 }, hash) }));
      expect(encodeVerifyMany(queries)).to.equal(iface.encodeFunctionData("verifyMany", [queries]));
    }
  });

  it("decodes DocumentState[] exactly as ethers encodes it", function () {
    for (const n of [0, 1, 2, 25]) {
      const states = Array.from({ length: n }, randomState);
      const encoded = iface.encodeFunctionResult("verifyMany", [
        states.map((s) => [s.status, s.kind, s.root, s.docType, s.account, s.organisation, s.organisationKind, s.organisationActive, s.anchoredAt,
          s.approvalsRequired, s.approvalsGiven, s.supersededBy, s.supersedes, s.revokedAt, s.revokedBy,
          s.attestationCount, s.attestations.map((a) => [a.account, a.organisation, a.timestamp, a.outcome, a.reasonCode])]),
      ]);
      expect(decodeDocumentStates(encoded)).to.deep.equal(states);
    }
  });

  it("refuses an answer with fewer or more states than documents asked about", async function () {
    const one = iface.encodeFunctionResult("verifyMany", [[Object.values({ ...randomState(), attestations: [] })]]);
    let asked = 0;
    // The smallest context readStates needs: a provider whose eth_call answers with one state, whatever was asked.
    const ctx = {
      deployment: { registry: address() },
      provider: { call: async () => (asked++, one) },
      ifaces: [iface],
    } as unknown as ClientContext;
    const queries = [hash(), hash()].map((docHash) => ({ docHash, root: docHash, proof: [] as Hex[] }));
    const error = await readStates(ctx, queries).then(() => undefined, (e: unknown) => e);
    expect(asked).to.equal(1);
    expect(error).to.be.instanceOf(TradeproofError);
    expect((error as TradeproofError).code).to.equal("BAD_DATA");
    expect((await readStates(ctx, queries.slice(0, 1))).length).to.equal(1);
  });

  it("refuses a truncated or non-hex result instead of guessing", function () {
    const encoded = iface.encodeFunctionResult("verifyMany", [[Object.values({ ...randomState(), attestations: [] })]]);
    for (const bad of [encoded.slice(0, encoded.length - 64), "0x", "0xzz", `${encoded}0`]) {
      expect(() => decodeDocumentStates(bad)).to.throw(TradeproofError, "malformed");
    }
  });
});
