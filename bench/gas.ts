/**
 * Gas, on one in-process chain: our registry against OpenAttestation's DocumentStore as published on
 * npm, deployed from the ABI and bytecode the packages ship: the current v4 design
 * (`@trustvc/document-store`, per-document revocation inside a batch) and the older
 * `@govtechsg/document-store`. OpenAttestation's side uses its own Merkle convention
 * (`MerkleTree` of `@govtechsg/open-attestation`: the leaves are the documents' target hashes, sorted
 * pairs hashed with keccak256, an odd last node promoted), our side OpenZeppelin's standard tree.
 */
import { createRequire } from "node:module";
import type { InterfaceAbi } from "ethers";
import { network } from "hardhat";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { MerkleTree } from "@govtechsg/open-attestation";
import { DocumentStore__factory as TrustVcDocumentStore } from "@trustvc/document-store";
import type { Row } from "./rows.js";
import { inflateAttestations } from "../test/support/attestations.js";
import { deployOurLedger, INVOICE } from "./chain.js";

const require = createRequire(import.meta.url);
const { DocumentStoreFactory: GovtechDocumentStore } = require("@govtechsg/document-store") as {
  DocumentStoreFactory: { abi: InterfaceAbi; bytecode: string };
};

/** EIP-7825 (Osaka) caps one transaction at 2^24 gas; every chunk below stays under this. */
const TX_GAS_CAP = 16_000_000;
const REASON = "issued in error";

export interface GasOptions {
  quick: boolean;
}

export async function benchGas({ quick }: GasOptions): Promise<Row[]> {
  const { ethers } = await network.create();
  const [admin] = await ethers.getSigners();
  const ours = await deployOurLedger(await ethers.getSigners());
  const registry = ours.registry.connect(ours.trader);

  const trustvcName = "OA v4";
  const govtechName = "OA legacy";
  const v4Factory = new ethers.ContractFactory(TrustVcDocumentStore.abi, TrustVcDocumentStore.bytecode, admin);
  const v4 = await v4Factory.deploy("Benchmark Store", admin.address);
  const legacyFactory = new ethers.ContractFactory(GovtechDocumentStore.abi, GovtechDocumentStore.bytecode, admin);
  const legacy = await legacyFactory.deploy("Benchmark Store", admin.address);
  const deployGas = async (c: { deploymentTransaction(): { wait(): Promise<{ gasUsed: bigint } | null> } | null }) =>
    Number((await c.deploymentTransaction()!.wait())!.gasUsed);

  /** Deterministic hashes, so that calldata (and so gas) is the same on every run. */
  const hashes = (label: string, n: number) =>
    Array.from({ length: n }, (_, i) => ethers.keccak256(ethers.toUtf8Bytes(`${label}-${i}`)));
  const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) => Number((await (await tx).wait())!.gasUsed);
  const call = (c: { getFunction(sig: string): (...a: unknown[]) => Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }> }, sig: string, ...args: unknown[]) =>
    gasOf(c.getFunction(sig)(...args));
  const estimate = async (c: { getFunction(sig: string): { estimateGas(...a: unknown[]): Promise<bigint> } }, sig: string, ...args: unknown[]) =>
    Number(await c.getFunction(sig).estimateGas(...args));

  /** OpenAttestation's tree over `docs` (its leaves are the target hashes themselves). */
  const oaTree = (docs: string[]) => {
    const tree = new MerkleTree(docs.map((h) => Buffer.from(h.slice(2), "hex")));
    return {
      root: "0x" + tree.getRoot().toString("hex"),
      proof: (doc: string) => tree.getProof(Buffer.from(doc.slice(2), "hex")).map((b: Buffer) => "0x" + b.toString("hex")),
    };
  };
  /** Our tree, and its leaf order (ascending leaf hashes), which the public batch function requires. */
  const ozTree = (docs: string[]) => {
    const tree = StandardMerkleTree.of(docs.map((h) => [h]), ["bytes32"]);
    // Each leaf hash once: computed inside the comparator it costs O(n log n) keccaks (a minute at 10,000).
    const keyed = docs.map((h) => [tree.leafHash([h]), h] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { root: tree.root, ordered: keyed.map(([, h]) => h), proof: (doc: string) => tree.getProof([doc]) };
  };
  const chunks = <T,>(list: T[], size: number) =>
    Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

  const rows: Row[] = [];
  const vs = (figure: string, tradeproof: number, v4Gas: number | null, legacyGas: number | null, note?: string, notes?: { v4?: string; legacy?: string }) => {
    rows.push({ section: "Gas", figure, unit: "gas", better: "lower", tradeproof, peer: v4Gas, peerName: trustvcName, note: [note, notes?.v4 && `Peer: ${notes.v4}`].filter(Boolean).join(" ") || undefined });
    rows.push({ section: "Gas", figure, unit: "gas", better: "lower", tradeproof, peer: legacyGas, peerName: govtechName, note: [note, notes?.legacy && `Peer: ${notes.legacy}`].filter(Boolean).join(" ") || undefined });
  };

  vs("deploy", ours.deployGas, await deployGas(v4), await deployGas(legacy), "Ours: forwarder, council and registry together (governance included).");

  // A single document.
  const [single, single2] = hashes("single", 2);
  vs(
    "issue one document",
    await gasOf(registry.register(single, INVOICE)),
    await call(v4, "issue(bytes32)", single),
    await call(legacy, "issue(bytes32)", single),
  );
  await gasOf(registry.register(single2, INVOICE));
  await call(v4, "issue(bytes32)", single2);
  await call(legacy, "issue(bytes32)", single2);
  vs(
    "revoke one document",
    await gasOf(registry.revoke(single2, REASON)),
    await call(v4, "revoke(bytes32)", single2),
    await call(legacy, "revoke(bytes32)", single2),
    `Ours stores a reason ("${REASON}") in the event; the peers take none.`,
  );

  // Batches under one root (ours: a private batch; OpenAttestation: issue(merkleRoot)).
  for (const n of quick ? [1, 8] : [1, 8, 1_024, 10_000]) {
    const docs = hashes(`batch${n}`, n);
    const oaRoot = oaTree(docs).root;
    vs(
      `issue a batch of ${n.toLocaleString("en")} (one root)`,
      await gasOf(registry.registerBatch(ozTree(docs).root, n, INVOICE)),
      await call(v4, "issue(bytes32)", oaRoot),
      await call(legacy, "issue(bytes32)", oaRoot),
      "Ours: a private batch (root and count on chain).",
    );
  }

  // Batches whose every document is findable on chain by its hash alone.
  // Not 10,000: the peers' per-document storage makes that ~470 million gas of execution (minutes on
  // this machine) for a figure that grows linearly from the 1,024 one.
  const publicSizes = quick ? [8] : [8, 1_024];
  for (const n of publicSizes) {
    const docs = hashes(`public${n}`, n);
    const { ordered } = ozTree(docs);
    // Split as the SDK does, into transactions under the per-transaction gas cap.
    const oursChunks = chunks(ordered, 8_000).map((c) => ozTree(c).ordered);
    let oursGas = 0;
    for (const c of oursChunks) oursGas += await gasOf(registry.registerPublicBatch(c, INVOICE));
    // v4 has no bulk issue: a multicall of issue(bytes32), as its own Multicall offers.
    const issueData = docs.map((h) => v4.interface.encodeFunctionData("issue(bytes32)", [h]));
    let v4Gas = 0;
    for (const c of chunks(issueData, 500)) v4Gas += await call(v4, "multicall(bytes[])", c);
    let legacyGas = 0;
    for (const c of chunks(docs, 600)) legacyGas += await call(legacy, "bulkIssue(bytes32[])", c);
    const txs = (k: number, size: number) => `${Math.ceil(k / size)} tx`;
    vs(
      `issue ${n.toLocaleString("en")} documents each findable by hash`,
      oursGas,
      v4Gas,
      legacyGas,
      `Ours: registerPublicBatch (${txs(n, 8_000)}).`,
      { v4: `multicall(issue) (${txs(n, 500)}).`, legacy: `bulkIssue (${txs(n, 600)}).` },
    );
    if (oursGas / oursChunks.length > TX_GAS_CAP) throw new Error("a public batch chunk exceeds the transaction gas cap");
  }

  // One document revoked inside a batch; the rest of the batch stays valid.
  const revokeSizes = quick ? [8] : [8, 1_024];
  for (const n of revokeSizes) {
    const docs = hashes(`revoke${n}`, n);
    const oz = ozTree(docs);
    const oa = oaTree(docs);
    await gasOf(registry.registerBatch(oz.root, n, INVOICE));
    await call(v4, "issue(bytes32)", oa.root);
    await call(legacy, "issue(bytes32)", oa.root);
    const doc = docs[5];
    vs(
      `revoke one document of a batch of ${n.toLocaleString("en")}`,
      await gasOf(registry.revokeInBatch(oz.root, doc, oz.proof(doc), REASON)),
      await call(v4, "revoke(bytes32,bytes32,bytes32[])", oa.root, doc, oa.proof(doc)),
      await call(legacy, "revoke(bytes32)", doc),
      "Ours and v4 check the Merkle proof on chain.",
      { legacy: "revoke(targetHash), no proof checked: any hash can be marked revoked." },
    );
  }

  // Verification views, as eth_estimateGas of the calls a verifier makes (each includes the 21,000 base).
  {
    const doc = single;
    const v4Pair = (await estimate(v4, "isIssued(bytes32)", doc)) + (await estimate(v4, "isRevoked(bytes32)", doc));
    vs(
      "verification view, one document",
      await estimate(ours.registry, "verify", doc, doc, []),
      await estimate(v4, "isActive(bytes32)", doc),
      (await estimate(legacy, "isIssued(bytes32)", doc)) + (await estimate(legacy, "isRevoked(bytes32)", doc)),
      "Ours: verify(), the whole verification state (issuer, type, approvals, attestations) in one call.",
      { v4: `isActive(root); isIssued + isRevoked as 2 calls: ${v4Pair.toLocaleString("en")}.`, legacy: "isIssued + isRevoked: 2 calls." },
    );
    const n = revokeSizes[revokeSizes.length - 1];
    const docs = hashes(`revoke${n}`, n);
    const oz = ozTree(docs);
    const oa = oaTree(docs);
    const target = docs[7];
    const proof = oa.proof(target);
    // oa-verify checks isIssued(merkleRoot), then isRevoked of the target hash, every intermediate hash and the root.
    const intermediates: string[] = [target];
    for (const p of proof) {
      const last = intermediates[intermediates.length - 1];
      const [a, b] = [last, p].sort();
      intermediates.push(ethers.keccak256(ethers.concat([a, b])));
    }
    if (intermediates[intermediates.length - 1] !== oa.root) throw new Error("OpenAttestation proof does not lead to its root");
    let legacyGas = await estimate(legacy, "isIssued(bytes32)", oa.root);
    for (const h of intermediates) legacyGas += await estimate(legacy, "isRevoked(bytes32)", h);
    const v4PairInBatch =
      (await estimate(v4, "isIssued(bytes32,bytes32,bytes32[])", oa.root, target, proof)) +
      (await estimate(v4, "isRevoked(bytes32,bytes32,bytes32[])", oa.root, target, proof));
    vs(
      `verification view, one document of a batch of ${n.toLocaleString("en")}`,
      await estimate(ours.registry, "verify", target, oz.root, oz.proof(target)),
      await estimate(v4, "isActive(bytes32,bytes32,bytes32[])", oa.root, target, proof),
      legacyGas,
      undefined,
      { v4: `isActive(root, document, proof); isIssued + isRevoked as 2 calls: ${v4PairInBatch.toLocaleString("en")}.`, legacy: `isIssued(root) + isRevoked of ${intermediates.length} hashes (oa-verify's check): ${intermediates.length + 1} calls.` },
    );
  }

  // Bounded costs: a document's verification must stay cheap whatever customs and agencies attach to it (gas is free
  // on a consortium network). The peers keep no attestations, so these rows have none.
  {
    const storage = {
      getStorage: (address: string, slot: bigint) => ethers.provider.getStorage(address, slot),
      setStorage: async (address: string, slot: bigint, value: string) => void (await ethers.provider.send("hardhat_setStorageAt", [address, ethers.toBeHex(slot), value])),
    };
    const address = await ours.registry.getAddress();
    const counts = quick ? [0, 10, 100] : [0, 10, 100, 10_000];
    const docs = hashes("attested", counts.length);
    let none = 0;
    for (const [i, n] of counts.entries()) {
      const doc = docs[i];
      await gasOf(registry.register(doc, INVOICE));
      if (n > 0) {
        await gasOf(ours.registry.connect(ours.customs).attest(doc, 3, 0));
        await inflateAttestations(storage, address, doc, n);
      }
      const gas = await estimate(ours.registry, "verify", doc, doc, []);
      if (n === 0) none = gas;
      rows.push({
        section: "Gas", figure: `verification view, one document with ${n.toLocaleString("en")} attestations`, unit: "gas", better: "lower", tradeproof: gas,
        target: n === 0 ? undefined : { op: "<=", value: Math.floor(none * 1.2) },
        note: n === 0 ? "The baseline of the rows below." : `${(gas / none).toFixed(2)}× the cost with none (target ≤ 1.2×): verify returns the count and the latest 2; attestationsOf pages through the rest.`,
      });
    }
    const many = hashes("verifyMany-attested", 250);
    const tree = ozTree(many);
    await gasOf(registry.registerBatch(tree.root, many.length, INVOICE));
    const queries = many.map((d) => ({ docHash: d, root: tree.root, proof: tree.proof(d) }));
    const plain = Number(await ours.registry.verifyMany.estimateGas(queries));
    await gasOf(ours.registry.connect(ours.customs).attest(many[100], 3, 0));
    await inflateAttestations(storage, address, many[100], quick ? 100 : 10_000);
    const attacked = Number(await ours.registry.verifyMany.estimateGas(queries));
    rows.push({
      section: "Gas", figure: `verifyMany of 250 batch documents, one with ${quick ? 100 : "10,000"} attestations`, unit: "gas", better: "lower", tradeproof: attacked,
      note: `Succeeds; ${plain.toLocaleString("en")} gas without the attestations (+${(attacked - plain).toLocaleString("en")}).`,
    });
  }
  return rows;
}
