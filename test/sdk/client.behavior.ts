import { expect } from "chai";
import { getAddress, hexlify, randomBytes, Transaction, Wallet, type Provider, type Signer } from "ethers";
import {
  AlreadyAnchoredError,
  AlreadyApprovedError,
  AlreadyRevokedError,
  AccountUnavailableError,
  ContractRevertError,
  InsufficientFundsError,
  InvalidSuccessorError,
  InvalidArgumentError,
  InvalidHashError,
  InvalidProofError,
  InvalidReceiptError,
  NotAttesterError,
  NotGovernorError,
  NotIssuerError,
  NotIssuingOrganisationError,
  NotMemberError,
  NotPendingError,
  OrganisationSuspendedError,
  SignerRequiredError,
  type RevertClass,
  TradeproofClient,
  UnknownAnchorError,
  WrongChainError,
  addOrganisationCall,
  atBoundary,
  buildBatch,
  checkReceipt,
  deployLedger,
  hashBytes,
  hashFile,
  isoSeconds,
  leafHash,
  maxPublicBatch,
  setPolicyCall,
  signForwardRequest,
  suspendOrganisationCall,
  toForwardRequestData,
  waitForReceipt,
  type Deployment,
  type Hex,
  type Receipt,
  type VerificationResult,
} from "../../sdk/index.js";

/** What a backend (in-process chain, anvil...) gives the shared suite. */
export interface ClientSuiteContext {
  provider: Provider;
  /** At least 12 funded signers. */
  signers: Signer[];
}

const SAMPLES = new URL("../../../shared/samples/", import.meta.url).pathname;
const randomHash = () => hexlify(randomBytes(32)) as Hex;
const flip = (h: Hex) => `${h.slice(0, -1)}${h.endsWith("0") ? "1" : "0"}` as Hex;

/** The error `p` rejects with; fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  expect.fail("expected a rejection");
}

/**
 * The client's behaviour against any EVM JSON-RPC backend: the same assertions run on the in-process chain
 * and on anvil. The suite deploys its own ledger with the SDK and admits a demo consortium through the council.
 */
export function shouldBehaveLikeATradeproofClient(getCtx: () => ClientSuiteContext) {
  let deployment: Deployment;
  let reader: TradeproofClient;
  let trader: TradeproofClient;
  let trader2: TradeproofClient;
  let officer1: TradeproofClient;
  let officer2: TradeproofClient;
  let customs: TradeproofClient;
  let agency: TradeproofClient;
  let outsider: TradeproofClient;
  let otherTrader: TradeproofClient;
  let governors: TradeproofClient[];
  const address: Record<string, Hex> = {};

  const TRADER_ORG = { organisation: "Saigon Textiles JSC", country: "VN", kind: "TRADER", status: "ACTIVE" } as const;
  const blockIso = async (blockNumber: number) => isoSeconds((await getCtx().provider.getBlock(blockNumber))!.timestamp);

  before(async function () {
    const { provider, signers } = getCtx();
    const names = ["g0", "g1", "g2", "trader", "trader2", "officer1", "officer2", "customs", "agency", "outsider", "otherTrader", "relayer"];
    for (const [i, name] of names.entries()) address[name] = getAddress(await signers[i]!.getAddress()) as Hex;
    deployment = await deployLedger(signers[0]!, { governors: [address.g0!, address.g1!, address.g2!], threshold: 2 });
    reader = await TradeproofClient.connect({ runner: provider, deployment });
    const as = (i: number) => reader.withSigner(signers[i]!);
    governors = [as(0), as(1), as(2)];
    [trader, trader2, officer1, officer2, customs, agency, outsider, otherTrader] = [3, 4, 5, 6, 7, 8, 9, 10].map(as) as [
      TradeproofClient, TradeproofClient, TradeproofClient, TradeproofClient, TradeproofClient, TradeproofClient, TradeproofClient, TradeproofClient,
    ];
    const id = await governors[0]!.propose(
      [
        addOrganisationCall(deployment, { name: "Saigon Textiles JSC", country: "VN", kind: "TRADER", accounts: [address.trader!, address.trader2!] }),
        addOrganisationCall(deployment, { name: "VCCI Ho Chi Minh City", country: "VN", kind: "ISSUING_AUTHORITY", accounts: [address.officer1!, address.officer2!] }),
        addOrganisationCall(deployment, { name: "General Department of Vietnam Customs", country: "VN", kind: "CUSTOMS", accounts: [address.customs!] }),
        addOrganisationCall(deployment, { name: "Plant Protection Department", country: "VN", kind: "AGENCY", accounts: [address.agency!] }),
        addOrganisationCall(deployment, { name: "Rotterdam Imports BV", country: "NL", kind: "TRADER", accounts: [address.otherTrader!] }),
        setPolicyCall(deployment, { docType: 861, allowedKinds: ["ISSUING_AUTHORITY"], approvals: 2 }),
        setPolicyCall(deployment, { docType: 380, allowedKinds: ["TRADER"], approvals: 1 }),
      ],
      "Admit the demo consortium",
    );
    await governors[1]!.approveProposal(id);
    await governors[1]!.executeProposal(id);
  });

  describe("connecting", function () {
    it("refuses a deployment on another chain with WrongChainError", async function () {
      const e = await rejection(TradeproofClient.connect({ runner: getCtx().provider, deployment: { ...deployment, chainId: deployment.chainId + 1 } }));
      expect(e).to.be.instanceOf(WrongChainError);
      expect((e as WrongChainError).code).to.equal("WRONG_CHAIN");
    });

    it("refuses a registry address without code with WrongChainError", async function () {
      const e = await rejection(TradeproofClient.connect({ runner: getCtx().provider, deployment: { ...deployment, registry: getAddress(hexlify(randomBytes(20))) as Hex } }));
      expect(e).to.be.instanceOf(WrongChainError);
    });
  });

  describe("statuses", function () {
    it("a registered invoice is VALID, with its type name, issuer, time and transaction", async function () {
      const docHash = await hashFile(`${SAMPLES}commercial-invoice.json`);
      const receipt = await trader.register(docHash, 380);
      expect(Object.keys(receipt)).to.deep.equal(["type", "docHash", "docType", "root", "proof", "chainId", "registry", "txHash", "blockNumber", "anchoredAt", "issuer"]);
      expect(receipt).to.deep.include({
        type: "tradeproof-receipt/v1", docHash, docType: "380", root: docHash, proof: [], chainId: deployment.chainId,
        registry: deployment.registry, issuer: address.trader,
      });
      expect(receipt.anchoredAt).to.equal(await blockIso(receipt.blockNumber));
      expect(receipt.anchoredAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      const expected: VerificationResult = {
        docHash,
        status: "VALID",
        docType: { code: "380", name: "Commercial invoice" },
        issuer: { account: address.trader!, ...TRADER_ORG },
        anchoredAt: receipt.anchoredAt,
        blockNumber: receipt.blockNumber,
        txHash: receipt.txHash,
      };
      expect(await reader.verify(docHash)).to.deep.equal(expected);
      expect(await reader.verify(docHash, { receipt })).to.deep.equal(expected);
      expect(checkReceipt(receipt, docHash)).to.deep.equal({ ok: true });
      // The document itself may be given instead of its hash; it is hashed locally.
      expect(await reader.verify(`${SAMPLES}commercial-invoice.json`)).to.deep.equal(expected);
      // A receipt is trusted for its root and proof only: the transaction shown is the chain's.
      const forged: Receipt = { ...receipt, txHash: `0x${"ee".repeat(32)}`, blockNumber: 1 };
      expect(await reader.verify(docHash, { receipt: forged })).to.deep.equal(expected);
    });

    it("a certificate of origin stays PENDING until a second officer countersigns it, then is VALID", async function () {
      const docHash = await hashFile(`${SAMPLES}certificate-of-origin.json`);
      const receipt = await officer1.register(docHash, "861");
      const pending = await reader.verify(docHash);
      expect(pending).to.deep.equal({
        docHash,
        status: "PENDING",
        docType: { code: "861", name: "Certificate of origin" },
        issuer: { account: address.officer1, organisation: "VCCI Ho Chi Minh City", country: "VN", kind: "ISSUING_AUTHORITY", status: "ACTIVE" },
        anchoredAt: receipt.anchoredAt,
        blockNumber: receipt.blockNumber,
        txHash: receipt.txHash,
        approvals: { required: 2, given: 1 },
      });
      await officer2.approve(docHash);
      expect(await reader.verify(docHash)).to.deep.equal({ ...pending, status: "VALID", approvals: { required: 2, given: 2 } });
    });

    it("a revoked document is REVOKED with the time and the reason", async function () {
      const docHash = randomHash();
      const receipt = await trader.register(docHash, 380);
      const tx = await trader2.revoke(docHash, "issued in error");
      expect(await reader.verify(docHash)).to.deep.equal({
        docHash,
        status: "REVOKED",
        docType: { code: "380", name: "Commercial invoice" },
        issuer: { account: address.trader, ...TRADER_ORG },
        anchoredAt: receipt.anchoredAt,
        blockNumber: receipt.blockNumber,
        txHash: receipt.txHash,
        revokedAt: await blockIso(tx.blockNumber),
        revocationReason: "issued in error",
      });
    });

    it("a replaced document is SUPERSEDED and points to its successor; the chain of versions walks both ways", async function () {
      const [v1, v2, v3] = [randomHash(), randomHash(), randomHash()];
      for (const v of [v1, v2, v3]) await trader.register(v, 380);
      await trader.supersede(v1, v2);
      await trader2.supersede(v2, v3);
      const r1 = await reader.verify(v1);
      expect(r1.status).to.equal("SUPERSEDED");
      expect(r1.supersededBy).to.equal(v2);
      expect((await reader.verify(v3)).status).to.equal("VALID");
      expect((await reader.verify(v3)).supersededBy).to.equal(undefined);
      for (const v of [v1, v2, v3]) expect((await reader.history(v)).versions).to.deep.equal([v1, v2, v3]);
    });

    it("an unknown document is NOT_FOUND and nothing else", async function () {
      const docHash = randomHash();
      expect(await reader.verify(docHash)).to.deep.equal({ docHash, status: "NOT_FOUND" });
    });

    it("one changed byte of a document changes the verdict to NOT_FOUND", async function () {
      const bytes = Buffer.from("%PDF-1.7 bill of lading HCMC-SIN 40HC x2");
      const receipt = await trader.register(hashBytes(bytes), 380);
      const tampered = Buffer.from(bytes);
      tampered[bytes.length - 1] = tampered[bytes.length - 1]! ^ 0x01;
      expect((await reader.verify(hashBytes(bytes))).status).to.equal("VALID");
      expect(await reader.verify(hashBytes(tampered))).to.deep.equal({ docHash: hashBytes(tampered), status: "NOT_FOUND" });
      expect(await reader.verify(hashBytes(tampered), { receipt })).to.deep.equal({ docHash: hashBytes(tampered), status: "NOT_FOUND" });
    });

    it("a document of a suspended organisation stays verifiable and says the issuer is suspended", async function () {
      const docHash = randomHash();
      await otherTrader.register(docHash, 380);
      const id = await governors[2]!.propose([suspendOrganisationCall(deployment, 5)], "Suspend Rotterdam Imports");
      await governors[0]!.approveProposal(id);
      await governors[0]!.executeProposal(id);
      const result = await reader.verify(docHash);
      expect(result.status).to.equal("VALID");
      expect(result.issuer).to.deep.equal({ account: address.otherTrader, organisation: "Rotterdam Imports BV", country: "NL", kind: "TRADER", status: "SUSPENDED" });
      const e = await rejection(otherTrader.register(randomHash(), 380));
      expect(e).to.be.instanceOf(OrganisationSuspendedError);
      expect((e as ContractRevertError).args).to.deep.equal([5n]);
    });
  });

  describe("batches and receipts", function () {
    it("a private batch gives a receipt per document that verifies VALID; without it the document is NOT_FOUND", async function () {
      const docs = Array.from({ length: 20 }, randomHash);
      const progress: [number, number][] = [];
      const receipts = await trader.registerBatch([...docs, docs[0]!], 380, { onProgress: (done, total) => progress.push([done, total]) });
      expect(receipts.map((r) => r.docHash)).to.deep.equal(docs);
      expect(progress).to.deep.equal([[0, 20], [20, 20]]);
      const root = buildBatch(docs).root;
      for (const r of receipts) {
        expect(r.root).to.equal(root);
        expect(checkReceipt(r, r.docHash)).to.deep.equal({ ok: true });
      }
      const result = await reader.verify(docs[7]!, { receipt: receipts[7]! });
      expect(result).to.deep.equal({
        docHash: docs[7],
        status: "VALID",
        docType: { code: "380", name: "Commercial invoice" },
        issuer: { account: address.trader, ...TRADER_ORG },
        anchoredAt: receipts[7]!.anchoredAt,
        blockNumber: receipts[7]!.blockNumber,
        txHash: receipts[7]!.txHash,
        batch: { root, public: false },
      });
      expect(await reader.verify(docs[7]!)).to.deep.equal({ docHash: docs[7], status: "NOT_FOUND" });
    });

    it("a receipt with a bad proof gives NOT_FOUND", async function () {
      const docs = Array.from({ length: 6 }, randomHash);
      const receipts = await trader.registerBatch(docs, 380);
      const r = receipts[2]!;
      const flipped: Receipt = { ...r, proof: [flip(r.proof[0]!), ...r.proof.slice(1)] };
      const misplaced: Receipt = { ...r, proof: receipts[3]!.proof };
      const truncated: Receipt = { ...r, proof: r.proof.slice(1) };
      for (const bad of [flipped, misplaced, truncated]) {
        expect(checkReceipt(bad, r.docHash).ok).to.equal(false);
        expect(await reader.verify(r.docHash, { receipt: bad })).to.deep.equal({ docHash: r.docHash, status: "NOT_FOUND" });
      }
    });

    it("a public batch is split into chunks, one root each, and every document verifies with its receipt", async function () {
      const docs = Array.from({ length: 7 }, randomHash);
      const progress: number[] = [];
      const receipts = await trader.registerBatch(docs, 380, { public: true, chunkSize: 3, onProgress: (done) => progress.push(done) });
      expect(progress).to.deep.equal([0, 3, 6, 7]);
      expect(new Set(receipts.map((r) => r.root)).size).to.equal(3);
      const results = await reader.verifyMany(receipts.map((receipt) => ({ docHash: receipt.docHash, receipt })));
      for (const [i, result] of results.entries()) {
        expect(result.status).to.equal("VALID");
        expect(result.batch).to.deep.equal({ root: receipts[i]!.root, public: true });
        expect(result.txHash).to.equal(receipts[i]!.txHash);
      }
      // The leaves of a public batch are on chain: its documents are found by their hash alone.
      expect(await reader.verifyMany(docs.map((docHash) => ({ docHash })))).to.deep.equal(results);
      const { entries } = await reader.history(docs[4]!);
      expect(entries.map((e) => [e.action, e.anchor])).to.deep.equal([["BATCH_REGISTERED", receipts[4]!.root]]);
      const withoutLookup = await TradeproofClient.connect({ runner: getCtx().provider, deployment, publicBatchLookup: false });
      expect(await withoutLookup.verify(docs[0]!)).to.deep.equal({ docHash: docs[0], status: "NOT_FOUND" });
    });

    it("a public batch larger than one transaction may carry on the network is anchored in parts that each fit", async function () {
      const limits = { maxTxBytes: 4_096, maxTxGas: 16_777_216 };
      const perPart = maxPublicBatch(limits).documents;
      const docs = Array.from({ length: 2 * perPart + 16 }, randomHash);
      const parts: string[] = [];
      const receipts = await trader.registerBatch(docs, 380, { public: true, limits, onProgress: (_d, _t, p) => parts.push(`${p.done}/${p.total}`) });
      expect(parts).to.deep.equal(["0/3", "1/3", "2/3", "3/3"]);
      const roots = [...new Set(receipts.map((r) => r.root))];
      expect(roots).to.have.length(3);
      for (const txHash of new Set(receipts.map((r) => r.txHash))) {
        const tx = await getCtx().provider.getTransaction(txHash);
        expect((Transaction.from(tx!).serialized.length - 2) / 2).to.be.at.most(limits.maxTxBytes);
      }
      expect(receipts.map((r) => r.docHash)).to.deep.equal(docs);
      const results = await reader.verifyMany(receipts.map((receipt) => ({ docHash: receipt.docHash, receipt })));
      expect(results.map((r) => r.status)).to.deep.equal(docs.map(() => "VALID"));
      // A part size the limits cannot carry is refused before anything is sent.
      expect(await rejection(trader.registerBatch(docs, 380, { public: true, limits, chunkSize: perPart + 1 }))).to.be.instanceOf(InvalidArgumentError);
    });

    it("running the same batch again with skipAnchored anchors nothing twice and gives the same receipts", async function () {
      const docs = Array.from({ length: 9 }, randomHash);
      const first = await trader.registerBatch(docs, 380, { public: true, chunkSize: 4 });
      const privateFirst = await trader.registerBatch(docs.slice(0, 5).map(flip), 380);
      // The trader's nonce moves with every transaction it sends (block numbers may be cached by the provider).
      const nonce = await getCtx().provider.getTransactionCount(address.trader!, "latest");
      expect(await trader.registerBatch(docs, 380, { public: true, chunkSize: 4, skipAnchored: true })).to.deep.equal(first);
      expect(await trader.registerBatch(docs.slice(0, 5).map(flip), 380, { skipAnchored: true })).to.deep.equal(privateFirst);
      expect(await trader.registerBatch(docs, 380, { skipAnchored: true, receipts: first })).to.deep.equal(first);
      // Without receipts and chunked differently, the public batch's documents are still found by their hash.
      expect(await trader.registerBatch(docs, 380, { public: true, chunkSize: 5, skipAnchored: true })).to.deep.equal(first);
      expect(await getCtx().provider.getTransactionCount(address.trader!, "latest")).to.equal(nonce);
    });

    it("skipAnchored reuses single anchors and anchors only the new documents", async function () {
      const [alone, fresh] = [randomHash(), randomHash()];
      const single = await trader.register(alone, 380);
      const receipts = await trader.registerBatch([alone, fresh], 380, { skipAnchored: true });
      expect(receipts[0]).to.deep.equal(single);
      expect(receipts[1]!.root).to.equal(buildBatch([fresh]).root);
      expect((await reader.verify(fresh, { receipt: receipts[1]! })).status).to.equal("VALID");
    });

    it("one document of a batch can be revoked; the rest stays VALID", async function () {
      const docs = Array.from({ length: 5 }, randomHash);
      const receipts = await trader.registerBatch(docs, 380, { public: true });
      const tx = await trader.revokeInBatch(receipts[1]!, "wrong consignee");
      const revoked = await reader.verify(docs[1]!, { receipt: receipts[1]! });
      expect(revoked.status).to.equal("REVOKED");
      expect(revoked.revokedAt).to.equal(await blockIso(tx.blockNumber));
      expect(revoked.revocationReason).to.equal("wrong consignee");
      expect((await reader.verify(docs[2]!, { receipt: receipts[2]! })).status).to.equal("VALID");
      const { entries } = await reader.history(docs[1]!, { receipt: receipts[1]! });
      expect(entries.map((e) => e.action)).to.deep.equal(["BATCH_REGISTERED", "BATCH_DOCUMENT_REVOKED"]);
      expect(entries[1]).to.deep.include({ anchor: receipts[1]!.root, docHash: docs[1], account: address.trader, organisation: 1, details: { reason: "wrong consignee" } });
    });

    it("a whole batch can be revoked", async function () {
      const docs = Array.from({ length: 3 }, randomHash);
      const receipts = await trader.registerBatch(docs, 380);
      await trader.revoke(receipts[0]!.root, "shipment cancelled");
      for (const r of receipts) {
        const result = await reader.verify(r.docHash, { receipt: r });
        expect([result.status, result.revocationReason]).to.deep.equal(["REVOKED", "shipment cancelled"]);
      }
    });

    it("the SDK's leaf hash is the registry's", async function () {
      const h = randomHash();
      expect(await reader.registry.leafHash(h)).to.equal(leafHash(h));
    });
  });

  describe("attestations, verifyMany, history, members", function () {
    it("customs and agencies record outcomes without changing the status", async function () {
      const docHash = await hashFile(`${SAMPLES}goods-declaration.json`);
      await trader.register(docHash, 830);
      const a1 = await customs.attest(docHash, "ACCEPTED");
      const a2 = await agency.attest(docHash, "INSPECTED", "PHYSICAL_EXAMINATION");
      const a3 = await customs.attest(docHash, "INSPECTED", 4711);
      const result = await reader.verify(docHash);
      expect(result.status).to.equal("VALID");
      expect(result.docType).to.deep.equal({ code: "830", name: "Goods declaration for exportation" });
      // `reason` only where one was given: named for a listed code, by number for an administration's own.
      expect(result.attestations).to.deep.equal([
        { by: address.customs, organisation: "General Department of Vietnam Customs", outcome: "ACCEPTED", at: await blockIso(a1.blockNumber) },
        {
          by: address.agency, organisation: "Plant Protection Department", outcome: "INSPECTED", at: await blockIso(a2.blockNumber),
          reason: { code: 2, name: "Physical examination of the goods" },
        },
        { by: address.customs, organisation: "General Department of Vietnam Customs", outcome: "INSPECTED", at: await blockIso(a3.blockNumber), reason: { code: 4711 } },
      ]);
      const history = await reader.history(docHash);
      expect(history.entries.filter((e) => e.action === "ATTESTED").map((e) => e.details)).to.deep.equal([
        { outcome: "ACCEPTED", reasonCode: 0 },
        { outcome: "INSPECTED", reasonCode: 2, reason: "Physical examination of the goods" },
        { outcome: "INSPECTED", reasonCode: 4711 },
      ]);
    });

    it("refuses a reason the list does not have before anything is sent, saying which it has", async function () {
      const docHash = randomHash();
      for (const bad of [12, 999, 65_536, -1, 1.5, "BRIBERY", ""] as const) {
        const error = await customs.attest(docHash, "REJECTED", bad as never).then(() => undefined, (e: unknown) => e);
        expect(error, String(bad)).to.be.instanceOf(InvalidArgumentError);
        expect((error as Error).message, String(bad)).to.match(/reason/i);
      }
      expect((await reader.verify(docHash)).attestations).to.equal(undefined);
    });

    it("lists every outcome of a document with more than the two the contract returns itself, oldest first", async function () {
      const docHash = randomHash();
      await trader.register(docHash, 380);
      const outcomes = ["INSPECTED", "REJECTED", "INSPECTED", "ACCEPTED", "INSPECTED"] as const;
      const at: string[] = [];
      for (const [i, o] of outcomes.entries()) at.push(await blockIso((await (i % 2 ? agency : customs).attest(docHash, o, i)).blockNumber));
      const result = await reader.verify(docHash);
      expect(result.attestations?.map((a) => [a.outcome, a.at])).to.deep.equal(outcomes.map((o, i) => [o, at[i]]));
      expect(result.attestations?.map((a) => a.by)).to.deep.equal(outcomes.map((_, i) => (i % 2 ? address.agency : address.customs)));
      expect(result).to.not.have.property("attestationsTotal");
    });

    it("a rejection recorded against a document the ledger does not know is part of its NOT_FOUND result", async function () {
      const forged = randomHash();
      const rejected = await customs.attest(forged, "REJECTED", "NOT_ANCHORED");
      expect(await reader.verify(forged)).to.deep.equal({
        docHash: forged,
        status: "NOT_FOUND",
        attestations: [
          {
            by: address.customs, organisation: "General Department of Vietnam Customs", outcome: "REJECTED", at: await blockIso(rejected.blockNumber),
            reason: { code: 20, name: "Not found on the ledger" },
          },
        ],
      });
    });

    it("verifyMany answers hundreds of documents in order, as verify does one by one", async function () {
      const batchDocs = Array.from({ length: 300 }, randomHash);
      const receipts = await trader.registerBatch(batchDocs, 380);
      const singles = [randomHash(), randomHash()];
      for (const s of singles) await trader.register(s, 380);
      await trader.revoke(singles[1]!, "duplicate");
      const items = [
        ...receipts.map((receipt) => ({ docHash: receipt.docHash, receipt })),
        ...Array.from({ length: 250 }, () => ({ docHash: randomHash() })),
        ...singles.map((docHash) => ({ docHash })),
      ];
      const many = await reader.verifyMany(items);
      expect(many).to.have.length(items.length);
      for (const i of [0, 150, 299, 300, 549, 550, 551]) {
        const { docHash, receipt } = items[i]! as { docHash: Hex; receipt?: Receipt };
        expect(many[i]).to.deep.equal(await reader.verify(docHash, receipt ? { receipt } : {}));
      }
      expect(many.filter((r) => r.status === "VALID")).to.have.length(301);
      expect(many.filter((r) => r.status === "NOT_FOUND")).to.have.length(250);
      expect(many[551]!.revocationReason).to.equal("duplicate");
      expect(await reader.verifyMany([])).to.deep.equal([]);
    });

    it("history lists a certificate's events in order, with who, when and what", async function () {
      const [c1, c2] = [randomHash(), randomHash()];
      const r1 = await officer1.register(c1, 861);
      const ap = await officer2.approve(c1);
      const at = await customs.attest(c1, "REJECTED", "OUT_OF_VALIDITY");
      await officer1.register(c2, 861);
      await officer2.approve(c2);
      const su = await officer2.supersede(c1, c2);
      const { entries, versions } = await reader.history(c1);
      expect(versions).to.deep.equal([c1, c2]);
      expect(entries).to.deep.equal([
        { action: "REGISTERED", anchor: c1, docHash: c1, account: address.officer1, organisation: 2, organisationName: "VCCI Ho Chi Minh City", blockNumber: r1.blockNumber, txHash: r1.txHash,
          logIndex: entries[0]!.logIndex, at: r1.anchoredAt, details: { docType: "861", status: "PENDING" } },
        { action: "APPROVED", anchor: c1, account: address.officer2, organisation: 2, organisationName: "VCCI Ho Chi Minh City", blockNumber: ap.blockNumber, txHash: ap.txHash,
          logIndex: entries[1]!.logIndex, at: await blockIso(ap.blockNumber), details: { given: 2, required: 2 } },
        { action: "ATTESTED", anchor: c1, docHash: c1, account: address.customs, organisation: 3, organisationName: "General Department of Vietnam Customs", blockNumber: at.blockNumber, txHash: at.txHash,
          logIndex: entries[2]!.logIndex, at: await blockIso(at.blockNumber), details: { outcome: "REJECTED", reasonCode: 24, reason: "Outside its period of validity" } },
        { action: "SUPERSEDED", anchor: c1, account: address.officer2, organisation: 2, organisationName: "VCCI Ho Chi Minh City", blockNumber: su.blockNumber, txHash: su.txHash,
          logIndex: entries[3]!.logIndex, at: await blockIso(su.blockNumber), details: { oldAnchor: c1, newAnchor: c2 } },
      ]);
      expect((await reader.history(c2)).entries.map((e) => e.action)).to.deep.equal(["REGISTERED", "APPROVED", "SUPERSEDED"]);
    });

    it("members lists every organisation with its kind, country, status and accounts", async function () {
      const members = await reader.members();
      expect(members.map((m) => [m.id, m.name, m.country, m.kind])).to.deep.equal([
        [1, "Saigon Textiles JSC", "VN", "TRADER"],
        [2, "VCCI Ho Chi Minh City", "VN", "ISSUING_AUTHORITY"],
        [3, "General Department of Vietnam Customs", "VN", "CUSTOMS"],
        [4, "Plant Protection Department", "VN", "AGENCY"],
        [5, "Rotterdam Imports BV", "NL", "TRADER"],
      ]);
      expect(members[0]!.accounts).to.deep.equal([address.trader, address.trader2]);
      expect(await reader.organisation(2)).to.deep.equal(members[1]);
    });

    it("policies lists each type with a policy of its own, and the default for every other type", async function () {
      expect(await reader.policies()).to.deep.equal({
        default: { issuers: ["TRADER", "ISSUING_AUTHORITY"], approvals: 1 },
        types: [
          { docType: { code: "380", name: "Commercial invoice" }, issuers: ["TRADER"], approvals: 1 },
          { docType: { code: "861", name: "Certificate of origin" }, issuers: ["ISSUING_AUTHORITY"], approvals: 2 },
        ],
      });
    });

    it("proposals lists the council's proposals with their calls", async function () {
      const proposals = await reader.proposals();
      expect(proposals[0]).to.deep.include({ id: 1n, proposer: address.g0, executed: true, approvals: 2, description: "Admit the demo consortium" });
      expect(proposals[0]!.calls).to.have.length(7);
    });

    it("a request signed with EIP-712 and relayed through the forwarder anchors in the signer's name", async function () {
      const { signers, provider } = getCtx();
      const docHash = randomHash();
      const latest = (await provider.getBlock("latest"))!;
      const req = {
        from: address.trader!,
        to: deployment.registry,
        value: "0",
        gas: "300000",
        nonce: String(await reader.forwarder.nonces(address.trader!)),
        deadline: latest.timestamp + 3600,
        data: reader.registry.interface.encodeFunctionData("register", [docHash, 380]) as Hex,
      };
      const signature = await signForwardRequest(signers[3]!, deployment, req);
      const relay = reader.forwarder.connect(signers[11]!);
      await (await relay.execute(toForwardRequestData(req, signature))).wait();
      const result = await reader.verify(docHash);
      expect([result.status, result.issuer?.account]).to.deep.equal(["VALID", address.trader]);
    });
  });

  describe("errors", function () {
    const expectRevert = async (p: Promise<unknown>, type: RevertClass, errorName: string, args: unknown[]) => {
      const e = await rejection(p);
      expect(e, String(e)).to.be.instanceOf(type);
      // The stable code is the class's name in upper snake case; errorName is the contract's.
      expect((e as ContractRevertError).code).to.equal(type.name.replace(/Error$/, "").replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase());
      expect((e as ContractRevertError).errorName).to.equal(errorName);
      expect((e as ContractRevertError).args).to.deep.equal(args);
    };

    it("an outsider cannot register: NotMemberError", async function () {
      await expectRevert(outsider.register(randomHash(), 380), NotMemberError, "DocumentRegistryNotMember", [address.outsider]);
    });

    it("a trader cannot issue a certificate of origin: NotIssuerError", async function () {
      await expectRevert(trader.register(randomHash(), 861), NotIssuerError, "DocumentRegistryNotIssuer", [address.trader, 861n]);
    });

    it("a hash is anchored once: AlreadyAnchoredError", async function () {
      const h = randomHash();
      await trader.register(h, 380);
      await expectRevert(trader2.register(h, 380), AlreadyAnchoredError, "DocumentRegistryAlreadyAnchored", [h]);
    });

    it("approvals: NotPendingError, AlreadyApprovedError, UnknownAnchorError", async function () {
      const valid = randomHash();
      await trader.register(valid, 380);
      await expectRevert(trader2.approve(valid), NotPendingError, "DocumentRegistryNotPending", [valid]);
      const pending = randomHash();
      await officer1.register(pending, 861);
      await expectRevert(officer1.approve(pending), AlreadyApprovedError, "DocumentRegistryAlreadyApproved", [pending, address.officer1]);
      const unknown = randomHash();
      await expectRevert(officer2.approve(unknown), UnknownAnchorError, "DocumentRegistryUnknownAnchor", [unknown]);
    });

    it("revocation: NotIssuingOrganisationError, AlreadyRevokedError, InvalidProofError", async function () {
      const h = randomHash();
      await trader.register(h, 380);
      await expectRevert(officer1.revoke(h, "not ours"), NotIssuingOrganisationError, "DocumentRegistryNotIssuingOrganisation", [address.officer1, h]);
      await trader.revoke(h, "first");
      await expectRevert(trader.revoke(h, "again"), AlreadyRevokedError, "DocumentRegistryAlreadyRevoked", [h, h]);
      const receipts = await trader.registerBatch([randomHash(), randomHash(), randomHash()], 380);
      const bad = { ...receipts[0]!, proof: receipts[1]!.proof };
      await expectRevert(trader.revokeInBatch(bad, "x"), InvalidProofError, "DocumentRegistryInvalidProof", [bad.root, bad.docHash]);
    });

    it("only customs and agencies attest: NotAttesterError", async function () {
      await expectRevert(trader.attest(randomHash(), "ACCEPTED"), NotAttesterError, "DocumentRegistryNotAttester", [address.trader]);
    });

    it("every other revert has its class too, with its custom-error name: InvalidSuccessorError", async function () {
      const h = randomHash();
      await trader.register(h, 380);
      await expectRevert(trader.supersede(h, h), InvalidSuccessorError, "DocumentRegistryInvalidSuccessor", [h]);
    });

    it("only governors propose: NotGovernorError; a failing call of a proposal is reported by its own error", async function () {
      const call = addOrganisationCall(deployment, { name: "Duplicate", country: "VN", kind: "TRADER", accounts: [address.trader!] });
      await expectRevert(trader.propose([call], "x"), NotGovernorError, "CouncilNotGovernor", [address.trader]);
      const id = await governors[0]!.propose([call], "Admit an account twice");
      await governors[1]!.approveProposal(id);
      await expectRevert(governors[1]!.executeProposal(id), AccountUnavailableError, "DocumentRegistryAccountUnavailable", [address.trader]);
    });

    it("a transaction mined as failed is reported by its custom error", async function () {
      // An explicit gas limit skips estimation, so the node mines the failing transaction (anvil does; the
      // in-process chain refuses it at once): either way the custom error names the cause.
      const registry = reader.registry.connect(getCtx().signers[9]!);
      const e = await rejection(
        atBoundary(async () => waitForReceipt(getCtx().provider, await registry.register(randomHash(), 380, { gasLimit: 300_000 })), registry.interface),
      );
      expect(e).to.be.instanceOf(NotMemberError);
      expect((e as NotMemberError).args).to.deep.equal([address.outsider]);
    });

    it("writes need a signer: SignerRequiredError", async function () {
      const e = await rejection(reader.register(randomHash(), 380));
      expect(e).to.be.instanceOf(SignerRequiredError);
    });

    it("bad input is refused before any call: InvalidHashError, InvalidReceiptError, InvalidArgumentError", async function () {
      expect(await rejection(reader.verify("0x1234"))).to.be.instanceOf(InvalidHashError);
      const receipt = await trader.register(randomHash(), 380);
      expect(await rejection(reader.verify(receipt.docHash, { receipt: { ...receipt, proof: "none" } as unknown as Receipt }))).to.be.instanceOf(InvalidReceiptError);
      expect(await rejection(trader.register(randomHash(), "invoice"))).to.be.instanceOf(InvalidArgumentError);
      expect(await rejection(trader.register(randomHash(), 70000))).to.be.instanceOf(InvalidArgumentError);
      // In range for the contract, but not a UNTDID 1001 code: nobody could read the type of what it anchors.
      expect(await rejection(trader.register(randomHash(), 999))).to.be.instanceOf(InvalidArgumentError);
      expect(await rejection(trader.registerBatch([randomHash()], "12345"))).to.be.instanceOf(InvalidArgumentError);
      expect(await rejection(customs.attest(randomHash(), "MAYBE" as "ACCEPTED"))).to.be.instanceOf(InvalidArgumentError);
    });

    it("a receipt from another ledger is WrongChainError, not a verdict", async function () {
      const receipt = await trader.register(randomHash(), 380);
      const e = await rejection(reader.verify(receipt.docHash, { receipt: { ...receipt, chainId: receipt.chainId + 1 } }));
      expect(e).to.be.instanceOf(WrongChainError);
    });

    it("concurrent writes from one account all succeed, each with its own receipt, each error pinned to its own document", async function () {
      const docs = Array.from({ length: 20 }, randomHash);
      const taken = await trader.register(randomHash(), 380);
      const registers = docs.map((d) => trader.register(d, 380));
      const outcomes = await Promise.allSettled([
        ...registers,
        trader.register(taken.docHash, 380), // already anchored: must fail, alone
        trader.revoke(docs[0]!, "issued in error").catch(async (e: unknown) => {
          // The revocation may be checked before the registration it revokes is mined: then it is refused on its
          // own, and goes through once that registration has its receipt.
          expect(e).to.be.instanceOf(UnknownAnchorError);
          await registers[0];
          return trader.revoke(docs[0]!, "issued in error");
        }),
      ]);
      const registered = outcomes.slice(0, docs.length);
      expect(registered.map((o) => o.status)).to.deep.equal(docs.map(() => "fulfilled"));
      const receipts = registered.map((o) => (o as PromiseFulfilledResult<Receipt>).value);
      expect(receipts.map((r) => r.docHash)).to.deep.equal(docs);
      expect(new Set(receipts.map((r) => r.txHash)).size).to.equal(docs.length);
      const duplicate = outcomes[docs.length]!;
      expect(duplicate.status).to.equal("rejected");
      expect((duplicate as PromiseRejectedResult).reason).to.be.instanceOf(AlreadyAnchoredError);
      expect(outcomes[docs.length + 1]!.status).to.equal("fulfilled");
      const results = await reader.verifyMany(docs.map((docHash) => ({ docHash })));
      expect(results.map((r) => r.status)).to.deep.equal(docs.map((_, i) => (i === 0 ? "REVOKED" : "VALID")));
    });

    it("a member's account without ether gets InsufficientFundsError naming it and the chain where gas costs, and writes where it is free", async function () {
      const poor = Wallet.createRandom().connect(getCtx().provider);
      const id = await governors[0]!.propose([addOrganisationCall(deployment, { name: "Penniless Trading Co", country: "VN", kind: "TRADER", accounts: [poor.address] })], "Admit an unfunded trader");
      await governors[1]!.approveProposal(id);
      await governors[1]!.executeProposal(id);
      const member = reader.withSigner(poor);
      if ((await getCtx().provider.getFeeData()).gasPrice === 0n) {
        const receipt = await member.register(randomHash(), 380);
        expect(receipt.issuer).to.equal(poor.address);
        return;
      }
      const e = await rejection(member.register(randomHash(), 380));
      expect(e).to.be.instanceOf(InsufficientFundsError);
      expect((e as InsufficientFundsError).shortMessage).to.equal(
        `Account ${poor.address} holds too little ether to pay for gas on chain ${deployment.chainId}. A consortium network charges no gas (min-gas-price 0, zero base fee); on this chain, fund the account first.`,
      );
    });
  });
}
