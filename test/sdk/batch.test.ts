import { expect } from "chai";
import { readFileSync } from "node:fs";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { hexlify, keccak256, randomBytes } from "ethers";
import {
  InvalidArgumentError,
  InvalidReceiptError,
  buildBatch,
  checkReceipt,
  hashJson,
  leafHash,
  parseReceipt,
  processProof,
  type Hex,
  type Receipt,
} from "../../sdk/index.js";

const VECTORS = new URL("../../../shared/vectors/merkle/derived_proofs.json", import.meta.url);

const randomHash = () => hexlify(randomBytes(32)) as Hex;
const flip = (h: Hex, bit = 0) => {
  const b = Buffer.from(h.slice(2), "hex");
  b[31] = b[31]! ^ (1 << bit);
  return `0x${b.toString("hex")}` as Hex;
};

interface VectorSet {
  name: string;
  root: string;
  entries: { leafHash: string; proof: string[] }[];
}

describe("SDK batches", function () {
  describe("the OpenZeppelin merkle-tree vectors", function () {
    const sets = JSON.parse(readFileSync(VECTORS, "utf8")) as VectorSet[];
    for (const set of sets) {
      it(`folds every proof of ${set.name} from its leaf to the root`, function () {
        for (const entry of set.entries) {
          expect(processProof(entry.leafHash as Hex, entry.proof as Hex[])).to.equal(set.root);
        }
      });
    }

    it("refuses a flipped sibling in those proofs", function () {
      const set = sets.find((s) => s.name === "five-values-sorted")!;
      const entry = set.entries[0]!;
      expect(processProof(entry.leafHash as Hex, [flip(entry.proof[0] as Hex), ...(entry.proof.slice(1) as Hex[])])).to.not.equal(set.root);
    });
  });

  describe("buildBatch", function () {
    for (const n of [1, 2, 3, 4, 7, 16, 33]) {
      it(`gives the same root, leaf order and proofs as StandardMerkleTree for ${n} documents`, function () {
        const hashes = Array.from({ length: n }, randomHash);
        const tree = StandardMerkleTree.of(hashes.map((h) => [h]), ["bytes32"]);
        const batch = buildBatch(hashes);
        expect(batch.root).to.equal(tree.root);
        expect(batch.size).to.equal(n);
        // The library's leaf order is ascending leaf hash; the contract's public batch needs exactly that.
        const order = [...hashes].sort((a, b) => (tree.leafHash([a]) < tree.leafHash([b]) ? -1 : 1));
        expect(batch.leaves).to.deep.equal(order);
        for (const h of hashes) {
          expect(batch.proof(h)).to.deep.equal(tree.getProof([h]));
          expect(leafHash(h)).to.equal(tree.leafHash([h]));
          expect(StandardMerkleTree.verify(batch.root, ["bytes32"], [h], batch.proof(h))).to.equal(true);
        }
      });
    }

    it("computes leaves as keccak256(keccak256(docHash))", function () {
      const h = hashJson({ n: 1 });
      expect(leafHash(h)).to.equal(keccak256(keccak256(h)));
    });

    it("drops duplicates, whatever their case", function () {
      const h = randomHash();
      const batch = buildBatch([h, h.toUpperCase().replace("0X", "0x") as Hex, randomHash()]);
      expect(batch.size).to.equal(2);
      expect(batch.leaves).to.include(h);
    });

    it("refuses an empty batch, a bad hash and a proof for a document not in it", function () {
      expect(() => buildBatch([])).to.throw(InvalidArgumentError);
      expect(() => buildBatch(["0x1234" as Hex])).to.throw("not a document hash");
      expect(() => buildBatch([randomHash()]).proof(randomHash())).to.throw(InvalidArgumentError);
    });
  });

  describe("receipts offline", function () {
    const docs = Array.from({ length: 5 }, (_, i) => hashJson({ invoice: i }));
    const batch = buildBatch(docs);
    const receiptOf = (docHash: Hex, overrides: Partial<Receipt> = {}): Receipt => ({
      type: "tradeproof-receipt/v1",
      docHash,
      docType: "380",
      root: batch.root,
      proof: batch.proof(docHash),
      chainId: 31337,
      registry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
      txHash: `0x${"ab".repeat(32)}`,
      blockNumber: 12,
      anchoredAt: "2026-11-23T10:00:00Z",
      issuer: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
      ...overrides,
    });

    it("accepts a batch receipt whose proof leads to its root", function () {
      for (const d of docs) expect(checkReceipt(receiptOf(d), d)).to.deep.equal({ ok: true });
    });

    it("accepts a single-document receipt (root = docHash, no proof)", function () {
      expect(checkReceipt(receiptOf(docs[0]!, { root: docs[0]!, proof: [] }), docs[0]!)).to.deep.equal({ ok: true });
    });

    it("accepts the receipt of a batch of one (root = leaf, no proof)", function () {
      const one = buildBatch([docs[0]!]);
      expect(checkReceipt(receiptOf(docs[0]!, { root: one.root, proof: [] }))).to.deep.equal({ ok: true });
    });

    it("refuses a receipt for another document", function () {
      expect(checkReceipt(receiptOf(docs[0]!), docs[1]!)).to.deep.equal({
        ok: false,
        reason: `The receipt is for ${docs[0]}, not for ${docs[1]}.`,
      });
    });

    const BAD_PROOF = { ok: false, reason: "The receipt's proof does not lead from the document to its root." };
    it("refuses a flipped bit, a wrong index, a truncated and a padded proof, and a wrong root", function () {
      const d = docs[2]!;
      const proof = batch.proof(d);
      expect(checkReceipt(receiptOf(d, { proof: [flip(proof[0]!), ...proof.slice(1)] }))).to.deep.equal(BAD_PROOF);
      expect(checkReceipt(receiptOf(d, { proof: batch.proof(docs[3]!) }))).to.deep.equal(BAD_PROOF);
      expect(checkReceipt(receiptOf(d, { proof: proof.slice(0, -1) }))).to.deep.equal(BAD_PROOF);
      expect(checkReceipt(receiptOf(d, { proof: [...proof, randomHash()] }))).to.deep.equal(BAD_PROOF);
      expect(checkReceipt(receiptOf(d, { root: flip(batch.root, 7) }))).to.deep.equal(BAD_PROOF);
      expect(checkReceipt(receiptOf(d, { proof: [] }))).to.deep.equal(BAD_PROOF);
    });

    it("parses a receipt from JSON and lowercases its hashes", function () {
      const r = receiptOf(docs[0]!);
      const upper = { ...r, docHash: r.docHash.toUpperCase().replace("0X", "0x") };
      expect(parseReceipt(JSON.parse(JSON.stringify(upper)))).to.deep.equal(r);
    });

    it("refuses malformed receipts with InvalidReceiptError naming the field", function () {
      const r = receiptOf(docs[0]!);
      const cases: [unknown, string][] = [
        [{ ...r, type: "tradeproof-receipt/v2" }, "type"],
        [{ ...r, docHash: "0x12" }, "docHash"],
        [{ ...r, proof: ["nope"] }, "proof.0"],
        [{ ...r, anchoredAt: "2026-11-23T10:00:00.000Z" }, "anchoredAt"],
        [{ ...r, chainId: "31337" }, "chainId"],
        [{ ...r, registry: "0x12" }, "registry"],
        [{ ...r, extra: 1 }, "receipt"],
        [(({ issuer: _, ...rest }) => rest)(r), "issuer"],
        ["not an object", "receipt"],
      ];
      for (const [bad, field] of cases) {
        try {
          parseReceipt(bad);
          expect.fail(`accepted a receipt with a bad ${field}`);
        } catch (e) {
          expect(e).to.be.instanceOf(InvalidReceiptError);
          expect((e as InvalidReceiptError).code).to.equal("INVALID_RECEIPT");
          expect((e as InvalidReceiptError).shortMessage).to.contain(`${field}:`);
        }
      }
    });
  });
});
