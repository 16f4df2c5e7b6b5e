import { network } from "hardhat";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Council, DocumentReferences, DocumentRegistry, Forwarder } from "../../types/ethers-contracts/index.js";
import { inflateAttestations } from "../support/attestations.js";
import { consortiumCalls, Kind, kinds } from "../support/consortium.js";

export const { ethers, networkHelpers } = await network.create();

export { DocType, Kind, kinds } from "../support/consortium.js";
/** Stored statuses, in the contract's order. */
export const Status = { NOT_FOUND: 0, PENDING: 1, VALID: 2, REVOKED: 3, SUPERSEDED: 4 } as const;
export const AnchorKind = { NONE: 0, SINGLE: 1, PRIVATE_BATCH: 2, PUBLIC_BATCH: 3 } as const;
export const Outcome = { NONE: 0, ACCEPTED: 1, REJECTED: 2, INSPECTED: 3 } as const;

export const LIFETIME = 7 * 24 * 3600;

/** EIP-712 types of OpenZeppelin's ERC2771Forwarder request, written out here as the contract tests' own oracle. */
export const FORWARD_REQUEST = {
  ForwardRequest: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "gas", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint48" },
    { name: "data", type: "bytes" },
  ],
};

export interface Consortium {
  registry: DocumentRegistry;
  /** Deployed after the consortium is seeded, so that the other contracts' addresses are what they were before it. */
  references: DocumentReferences;
  council: Council;
  forwarder: Forwarder;
  governors: HardhatEthersSigner[];
  trader: HardhatEthersSigner;
  trader2: HardhatEthersSigner;
  officer1: HardhatEthersSigner;
  officer2: HardhatEthersSigner;
  customs: HardhatEthersSigner;
  agency: HardhatEthersSigner;
  auditor: HardhatEthersSigner;
  otherTrader: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  spare: HardhatEthersSigner[];
  org: { trader: bigint; authority: bigint; customs: bigint; agency: bigint; auditor: bigint; otherTrader: bigint };
  /** Proposes `calls` as governor 0, approves as governor 1 and executes. */
  govern: (calls: { target: string; data: string }[]) => Promise<void>;
}

/** Forwarder, council (three governors, threshold 2) and registry, with nobody admitted yet. */
export async function deployLedger() {
  const signers = await ethers.getSigners();
  const governors = signers.slice(0, 3);
  const forwarder = await ethers.deployContract("Forwarder");
  const council = await ethers.deployContract("Council", [
    governors.map((g) => g.address),
    2,
    LIFETIME,
    await forwarder.getAddress(),
  ]);
  const registry = await ethers.deployContract("DocumentRegistry", [
    await council.getAddress(),
    await forwarder.getAddress(),
    kinds(Kind.TRADER, Kind.ISSUING_AUTHORITY),
  ]);
  const govern = async (calls: { target: string; data: string }[]) => {
    const id = (await council.proposalCount()) + 1n;
    await council.connect(governors[0]).propose(calls, "test");
    await council.connect(governors[1]).approve(id);
    await council.connect(governors[1]).execute(id);
  };
  return { signers, governors, forwarder, council, registry, govern };
}

/** A demo consortium: a trader (two accounts), an issuing authority with two officers, customs, an agency,
 * an auditor and a second trader; certificates of origin need two approvals and only authorities issue them. */
export async function deployConsortium(): Promise<Consortium> {
  const { signers, governors, forwarder, council, registry, govern } = await deployLedger();
  const [trader, trader2, officer1, officer2, customs, agency, auditor, otherTrader, outsider] = signers.slice(3, 12);
  await govern(
    consortiumCalls(registry, await registry.getAddress(), {
      trader: trader.address, trader2: trader2.address, officer1: officer1.address, officer2: officer2.address,
      customs: customs.address, agency: agency.address, auditor: auditor.address, otherTrader: otherTrader.address,
    }),
  );
  const references = await ethers.deployContract("DocumentReferences", [await registry.getAddress(), await forwarder.getAddress()]);
  return {
    registry,
    references,
    council,
    forwarder,
    governors,
    trader,
    trader2,
    officer1,
    officer2,
    customs,
    agency,
    auditor,
    otherTrader,
    outsider,
    spare: signers.slice(12),
    org: { trader: 1n, authority: 2n, customs: 3n, agency: 4n, auditor: 5n, otherTrader: 6n },
    govern,
  };
}

/** Signs `request` as `signer` for the forwarder's EIP-712 domain and returns what `execute` takes. */
export async function signForwardRequest<R extends Record<string, unknown>>(
  forwarder: Forwarder,
  signer: HardhatEthersSigner,
  request: R,
): Promise<R & { signature: string }> {
  const domain = {
    name: "Tradeproof Forwarder",
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await forwarder.getAddress(),
  };
  return { ...request, signature: await signer.signTypedData(domain, FORWARD_REQUEST, request) };
}

/** A random 32-byte hash. */
export const randomHash = () => ethers.hexlify(ethers.randomBytes(32));

/** The OpenZeppelin standard tree of `hashes` (leaf encoding ["bytes32"]) and the hashes in its leaf order
 * (ascending leaf hash, duplicates removed), which is the order registerPublicBatch requires. */
export function standardTree(hashes: string[]) {
  const unique = [...new Set(hashes)];
  const tree = StandardMerkleTree.of(
    unique.map((h) => [h]),
    ["bytes32"],
  );
  // abi.encode(bytes32) is the 32 bytes themselves, so the leaf is keccak256(keccak256(h)); computed once per
  // hash here because the library's leafHash is slow enough to matter in a sort of 1,024.
  const leaves = new Map(unique.map((h) => [h, ethers.keccak256(ethers.keccak256(h))]));
  const position = new Map(unique.map((h, i) => [h, i]));
  const leaf = (h: string) => leaves.get(h) ?? tree.leafHash([h]);
  const ordered = [...unique].sort((a, b) => (BigInt(leaf(a)) < BigInt(leaf(b)) ? -1 : 1));
  const proof = (h: string) => tree.getProof(position.get(h) ?? [h]);
  return { tree, root: tree.root, ordered, proof, leaf };
}

/** `count` distinct random hashes. */
export const randomHashes = (count: number) => Array.from({ length: count }, randomHash);

/** A call of `contract` as a council proposal carries it. */
export function callOf<C extends { target: unknown; interface: { encodeFunctionData: (...a: never[]) => string } }>(
  contract: C,
  fn: string,
  args: unknown[],
) {
  const encode = contract.interface.encodeFunctionData as unknown as (f: string, a: unknown[]) => string;
  return { target: contract.target as string, data: encode.call(contract.interface, fn, args) };
}

/** Proposes `calls` as governor 0 and approves them as governor 1, without executing; returns the id. */
export async function approvedProposal(c: Pick<Consortium, "council" | "governors">, calls: { target: string; data: string }[]) {
  const id = (await c.council.proposalCount()) + 1n;
  await c.council.connect(c.governors[0]).propose(calls, "test");
  await c.council.connect(c.governors[1]).approve(id);
  return id;
}

/** An ISO 3166-1 alpha-2 code as the registry's bytes2. */
export const country = (code: string) => ethers.hexlify(ethers.toUtf8Bytes(code));

/** The timestamp of the block that mined `tx`. */
export async function minedAt(tx: { wait: () => Promise<{ blockNumber: number } | null> }) {
  const receipt = await tx.wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  return BigInt(block!.timestamp);
}

/** A DocumentState as a plain object (numbers as bigint), for exact deep comparison. */
export interface PlainState {
  status: bigint;
  kind: bigint;
  root: string;
  docType: bigint;
  account: string;
  organisation: bigint;
  organisationKind: bigint;
  organisationActive: boolean;
  anchoredAt: bigint;
  approvalsRequired: bigint;
  approvalsGiven: bigint;
  supersededBy: string;
  supersedes: string;
  revokedAt: bigint;
  revokedBy: string;
  attestationCount: bigint;
  attestations: { account: string; organisation: bigint; timestamp: bigint; outcome: bigint; reasonCode: bigint }[];
}

/** What verify returns for a hash the ledger does not know (or a proof that leads nowhere). */
export const NOT_FOUND_STATE: PlainState = {
  status: 0n,
  kind: 0n,
  root: ethers.ZeroHash,
  docType: 0n,
  account: ethers.ZeroAddress,
  organisation: 0n,
  organisationKind: 0n,
  organisationActive: false,
  anchoredAt: 0n,
  approvalsRequired: 0n,
  approvalsGiven: 0n,
  supersededBy: ethers.ZeroHash,
  supersedes: ethers.ZeroHash,
  revokedAt: 0n,
  revokedBy: ethers.ZeroAddress,
  attestationCount: 0n,
  attestations: [],
};

/** Converts a DocumentState result of verify/verifyMany into a PlainState. */
export function plainState(result: unknown): PlainState {
  const r = result as import("ethers").Result;
  const object = r.toObject() as unknown as PlainState;
  const attestations = [...(r.getValue("attestations") as import("ethers").Result[])].map((a) => a.toObject());
  return { ...object, attestations: attestations as PlainState["attestations"] };
}

/** verify(docHash, root, proof) as a PlainState; root defaults to docHash (a single document). */
export async function stateOf(registry: DocumentRegistry, docHash: string, root = docHash, proof: string[] = []) {
  return plainState(await registry.verify(docHash, root, proof));
}

/** Gives `docHash` `count` attestations: one real one by customs, the rest written into storage (see inflateAttestations). */
export async function fakeAttestations(c: Consortium, docHash: string, count: number) {
  await c.registry.connect(c.customs).attest(docHash, Outcome.REJECTED, 1);
  const storage = {
    getStorage: (address: string, slot: bigint) => ethers.provider.getStorage(address, slot),
    setStorage: (address: string, slot: bigint, value: string) => networkHelpers.setStorageAt(address, slot, value),
  };
  await inflateAttestations(storage, await c.registry.getAddress(), docHash, count);
}
