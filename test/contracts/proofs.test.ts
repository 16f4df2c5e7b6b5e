import { expect } from "chai";
import fc from "fast-check";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  deployConsortium,
  DocType,
  ethers,
  networkHelpers,
  NOT_FOUND_STATE,
  plainState,
  randomHash,
  randomHashes,
  standardTree,
  stateOf,
  Status,
} from "./fixtures.js";

const { loadFixture } = networkHelpers;
const INVOICE = DocType.INVOICE;

/** `hex` with bit `bit` (0 = lowest bit of the first byte) inverted. */
function flip(hex: string, bit: number) {
  const bytes = ethers.getBytes(hex);
  bytes[bit >> 3] ^= 1 << (bit & 7);
  return ethers.hexlify(bytes);
}

/** The sorted-pair keccak256 node of the OpenZeppelin tree. */
const node = (a: string, b: string) => ethers.keccak256(ethers.concat(BigInt(a) < BigInt(b) ? [a, b] : [b, a]));

interface BadQuery {
  name: string;
  docHash: string;
  root: string;
  proof: string[];
}

/** In the manner of transparency-dev's proof test data: every way a proof for `docs[index]` can be wrong. */
function badQueries(tree: ReturnType<typeof standardTree>, docs: string[], index: number, otherRoot: string): BadQuery[] {
  const doc = docs[index];
  const root = tree.root;
  const proof = tree.proof(doc);
  const q = (name: string, change: Partial<BadQuery>): BadQuery => ({ name, docHash: doc, root, proof, ...change });
  const cases = [
    ...proof.map((element, i) => q(`bit ${(i * 37 + 5) % 256} flipped in proof element ${i}`, { proof: proof.with(i, flip(element, (i * 37 + 5) % 256)) })),
    q("bit 255 flipped in the document hash", { docHash: flip(doc, 255) }),
    q("a document outside the batch with the right proof", { docHash: randomHash() }),
    q("the proof padded with a random element at the end", { proof: [...proof, randomHash()] }),
    q("the proof padded with a zero element at the end", { proof: [...proof, ethers.ZeroHash] }),
    q("the proof padded with a random element at the start", { proof: [randomHash(), ...proof] }),
    q("the right proof under the root of another batch", { root: otherRoot }),
  ];
  if (docs.length > 1) {
    const j = (index + 1) % docs.length;
    cases.push(q(`the proof of another index (${j})`, { proof: tree.proof(docs[j]) }));
    cases.push(q("another document of the batch with this document's proof", { docHash: docs[j] }));
  }
  if (proof.length > 0) {
    cases.push(q("the proof truncated by its last element", { proof: proof.slice(0, -1) }));
    cases.push(q("the proof truncated by its first element", { proof: proof.slice(1) }));
    cases.push(q("an empty proof", { proof: [] }));
    cases.push(q("the proof's first element repeated", { proof: [proof[0], ...proof] }));
    // An inner node passed off as a document: the double-hashed leaf must stop it.
    cases.push(q("an inner node as the document with the rest of the proof", { docHash: node(tree.leaf(doc), proof[0]), proof: proof.slice(1) }));
    cases.push(q("the leaf hash itself as the document", { docHash: tree.leaf(doc) }));
  }
  if (proof.length > 1) cases.push(q("the proof's elements in reverse order", { proof: [...proof].reverse() }));
  return cases;
}

/** A consortium with a batch of `size` documents and another batch of 2, both anchored by the trader. */
function batchFixture(size: number, isPublic: boolean) {
  return async function deployBatch() {
    const c = await deployConsortium();
    const tree = standardTree(randomHashes(size));
    // In leaf order, so that a given index has the same proof length in every tree of this size.
    const docs = tree.ordered;
    const other = standardTree(randomHashes(2));
    if (isPublic) {
      await c.registry.connect(c.trader).registerPublicBatch(tree.ordered, INVOICE);
    } else {
      await c.registry.connect(c.trader).registerBatch(tree.root, size, INVOICE);
    }
    await c.registry.connect(c.trader).registerBatch(other.root, 2, INVOICE);
    return { ...c, docs, tree, otherRoot: other.root };
  };
}

const SIZES: [number, boolean][] = [
  [1, false],
  [5, false],
  [8, false],
  [8, true],
  [1_024, false],
];

describe("Merkle proofs", function () {
  this.timeout(120_000);

  for (const [size, isPublic] of SIZES) {
    describe(`a ${isPublic ? "public" : "private"} batch of ${size}`, function () {
      const fixture = batchFixture(size, isPublic);
      // A document away from both ends of the leaf order, so that its proof has left and right siblings.
      const index = Math.floor(size / 2);

      it(size > 64 ? "every 16th document and the last verify VALID with their own proofs" : "every document verifies VALID with its own proof", async function () {
        const c = await loadFixture(fixture);
        // A large batch is sampled: each verify of a batch document costs the chain a proof walk, and the
        // leaf positions below cover both subtrees and the last leaf.
        const docs = size > 64 ? [...c.docs.filter((_, i) => i % 16 === 0), c.docs[size - 1]] : c.docs;
        const states = await c.registry.verifyMany(docs.map((docHash) => ({ docHash, root: c.tree.root, proof: c.tree.proof(docHash) })));
        expect(states.map((s) => [s.status, s.root])).to.deep.equal(docs.map(() => [BigInt(Status.VALID), c.tree.root]));
      });

      it("the right proof revokes exactly that document", async function () {
        const c = await loadFixture(fixture);
        const doc = c.docs[index];
        await expect(c.registry.connect(c.trader).revokeInBatch(c.tree.root, doc, c.tree.proof(doc), "x"))
          .to.emit(c.registry, "BatchDocumentRevoked")
          .withArgs(c.tree.root, doc, c.org.trader, c.trader.address, "x");
        expect((await stateOf(c.registry, doc, c.tree.root, c.tree.proof(doc))).status).to.equal(BigInt(Status.REVOKED));
        if (size > 1) {
          const neighbour = c.docs[(index + 1) % size];
          expect((await stateOf(c.registry, neighbour, c.tree.root, c.tree.proof(neighbour))).status).to.equal(BigInt(Status.VALID));
        }
      });

      describe("is rejected by verify (NOT_FOUND) and by revokeInBatch (DocumentRegistryInvalidProof) with", function () {
        // The cases depend only on the batch's shape, so they are built from a tree of the same size here
        // and rebuilt on the fixture's own documents inside each test.
        const sample = standardTree(randomHashes(size));
        const shape = badQueries(sample, sample.ordered, index, randomHash()).map((b) => b.name);
        shape.forEach((name, k) => {
          it(name, async function () {
            const c = await loadFixture(fixture);
            const bad = badQueries(c.tree, c.docs, index, c.otherRoot)[k];
            expect(bad.name).to.equal(name);
            expect(await stateOf(c.registry, bad.docHash, bad.root, bad.proof)).to.deep.equal(NOT_FOUND_STATE);
            await expect(c.registry.connect(c.trader).revokeInBatch(bad.root, bad.docHash, bad.proof, "x"))
              .to.be.revertedWithCustomError(c.registry, "DocumentRegistryInvalidProof")
              .withArgs(bad.root, bad.docHash);
          });
        });
      });

      it("a root that was never anchored is NOT_FOUND and unknown to revokeInBatch", async function () {
        const c = await loadFixture(fixture);
        const doc = c.docs[index];
        const unknownRoot = flip(c.tree.root, 0);
        expect(await stateOf(c.registry, doc, unknownRoot, c.tree.proof(doc))).to.deep.equal(NOT_FOUND_STATE);
        await expect(c.registry.connect(c.trader).revokeInBatch(unknownRoot, doc, c.tree.proof(doc), "x"))
          .to.be.revertedWithCustomError(c.registry, "DocumentRegistryUnknownAnchor")
          .withArgs(unknownRoot);
      });
    });
  }

  describe("malformed proofs", function () {
    const fixture = batchFixture(8, false);

    it("a proof of 300 elements is rejected by verify (NOT_FOUND) and by revokeInBatch (DocumentRegistryInvalidProof)", async function () {
      const c = await loadFixture(fixture);
      const doc = c.docs[3];
      const proof = [...c.tree.proof(doc), ...randomHashes(297)];
      expect(await stateOf(c.registry, doc, c.tree.root, proof)).to.deep.equal(NOT_FOUND_STATE);
      await expect(c.registry.connect(c.trader).revokeInBatch(c.tree.root, doc, proof, "x"))
        .to.be.revertedWithCustomError(c.registry, "DocumentRegistryInvalidProof")
        .withArgs(c.tree.root, doc);
    });

    it("a proof whose declared length runs past the end of the calldata is refused by the ABI decoder, without a reason", async function () {
      const c = await loadFixture(fixture);
      const doc = c.docs[3];
      const proof = c.tree.proof(doc);
      const patch = (data: string) => {
        // Head: four selector bytes, then root, docHash, offset of proof, offset of reason (or just the proof
        // offset for verify); the proof's length word sits at its offset.
        const bytes = ethers.getBytes(data);
        const offset = Number(ethers.toBigInt(bytes.slice(4 + 64, 4 + 96)));
        bytes.set(ethers.getBytes(ethers.toBeHex(proof.length + 1_000, 32)), 4 + offset);
        return ethers.hexlify(bytes);
      };
      const to = await c.registry.getAddress();
      const revoke = patch(c.registry.interface.encodeFunctionData("revokeInBatch", [c.tree.root, doc, proof, "x"]));
      await expect(c.trader.sendTransaction({ to, data: revoke, gasLimit: 1_000_000 })).to.be.revertedWithoutReason(ethers);
      const verify = patch(c.registry.interface.encodeFunctionData("verify", [doc, c.tree.root, proof]));
      await expect(ethers.provider.call({ to, data: verify })).to.be.revertedWithoutReason(ethers);
      expect((await stateOf(c.registry, doc, c.tree.root, proof)).status).to.equal(BigInt(Status.VALID));
    });
  });

  describe("public batches", function () {
    for (const size of [1, 2, 3, 7, 8, 100]) {
      it(`the root of ${size} document${size > 1 ? "s" : ""} equals StandardMerkleTree.of(...).root and BatchLeaves carries them in leaf order`, async function () {
        const c = await loadFixture(deployConsortium);
        const docs = randomHashes(size);
        const expected = StandardMerkleTree.of(
          docs.map((d) => [d]),
          ["bytes32"],
        );
        const { ordered } = standardTree(docs);
        expect(await c.registry.connect(c.trader).registerPublicBatch.staticCall(ordered, INVOICE)).to.equal(expected.root);
        const tx = c.registry.connect(c.trader).registerPublicBatch(ordered, INVOICE);
        await expect(tx).to.emit(c.registry, "BatchLeaves").withArgs(expected.root, ordered);
        await expect(tx).to.emit(c.registry, "BatchRegistered").withArgs(expected.root, c.org.trader, c.trader.address, INVOICE, size, true, Status.VALID);
      });
    }

    it("for any 1 to 64 distinct documents, the computed root equals StandardMerkleTree.of(...).root", async function () {
      const c = await loadFixture(deployConsortium);
      const batch = fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => ethers.hexlify(b)), { minLength: 1, maxLength: 64 });
      await fc.assert(
        fc.asyncProperty(batch, async (docs) => {
          const { root, ordered } = standardTree(docs);
          expect(await c.registry.connect(c.trader).registerPublicBatch.staticCall(ordered, INVOICE)).to.equal(root);
        }),
        { numRuns: 40 },
      );
    });

    it("every document can be found from the emitted leaves alone", async function () {
      const c = await loadFixture(deployConsortium);
      const { ordered } = standardTree(randomHashes(13));
      await c.registry.connect(c.trader).registerPublicBatch(ordered, INVOICE);
      const [log] = await c.registry.queryFilter(c.registry.filters.BatchLeaves(), -1);
      const leaves = [...log.args.docHashes];
      const rebuilt = StandardMerkleTree.of(
        leaves.map((d) => [d]),
        ["bytes32"],
      );
      expect(rebuilt.root).to.equal(log.args.root);
      const states = await c.registry.verifyMany(leaves.map((docHash) => ({ docHash, root: rebuilt.root, proof: rebuilt.getProof([docHash]) })));
      expect(states.map((s) => plainState(s).status)).to.deep.equal(leaves.map(() => BigInt(Status.VALID)));
    });

    it("rejects leaves out of the tree's order with DocumentRegistryUnsortedLeaves at the first offending index", async function () {
      const c = await loadFixture(deployConsortium);
      const { ordered } = standardTree(randomHashes(6));
      const cases: [string[], number][] = [
        [[ordered[1], ordered[0], ...ordered.slice(2)], 1],
        [[...ordered.slice(0, 3), ordered[4], ordered[3], ordered[5]], 4],
        [[...ordered].reverse(), 1],
        [[...ordered.slice(1), ordered[0]], 5],
      ];
      for (const [docs, index] of cases) {
        await expect(c.registry.connect(c.trader).registerPublicBatch(docs, INVOICE))
          .to.be.revertedWithCustomError(c.registry, "DocumentRegistryUnsortedLeaves")
          .withArgs(index);
      }
    });

    it("rejects duplicated documents with DocumentRegistryUnsortedLeaves at the duplicate", async function () {
      const c = await loadFixture(deployConsortium);
      const { ordered } = standardTree(randomHashes(4));
      const doc = randomHash();
      const cases: [string[], number][] = [
        [[doc, doc], 1],
        [[ordered[0], ordered[1], ordered[1], ordered[2]], 2],
        [[...ordered, ordered[3]], 4],
      ];
      for (const [docs, index] of cases) {
        await expect(c.registry.connect(c.trader).registerPublicBatch(docs, INVOICE))
          .to.be.revertedWithCustomError(c.registry, "DocumentRegistryUnsortedLeaves")
          .withArgs(index);
      }
    });
  });
});
