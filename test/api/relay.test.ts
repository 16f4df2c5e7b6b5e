import { expect } from "chai";
import { ethers } from "ethers";
import type { RequestListener } from "node:http";
import secp256k1 from "secp256k1";
import request from "supertest";
import type { RequestRow } from "../../api/relay/queue.js";
import type { RelayTransaction } from "../../api/relay/worker.js";
import type { Services } from "../../api/services.js";
import { DEFAULT_TRANSACTION_LIMITS, FORWARD_REQUEST_TYPES, TradeproofClient, buildBatch, checkReceipt, forwarderDomain, maxPublicBatch, parseReceipt, type Hex } from "../../sdk/index.js";
import { apiFor } from "./app-helpers.js";
import { Anvil, deployConsortium, DocType, type Consortium } from "./helpers.js";

const label = (s: string) => ethers.keccak256(ethers.toUtf8Bytes(s)).toLowerCase();

describe("API writes: build, sign, send through the relayer", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let c: Consortium;
  let app: RequestListener;
  let services: Services;

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    ({ app, services } = await apiFor(c, anvil.url));
  });
  after(async function () {
    await services?.close();
    c?.provider.destroy();
    await anvil?.stop();
  });

  /** prepare → sign with the member's key → the body of POST /v1/requests. */
  async function prepared(a: RequestListener, signer: ethers.Wallet | ethers.HDNodeWallet, body: Record<string, unknown>) {
    const res = await request(a).post("/v1/requests/prepare").send({ from: signer.address, ...body }).expect((r) => { if (r.status !== 200) throw new Error(`prepare: ${r.status} ${JSON.stringify(r.body)}`); });
    const { domain, types, message } = res.body;
    return { request: message, signature: await signer.signTypedData(domain, types, message) };
  }
  const status = async (a: RequestListener, id: string) => (await request(a).get(`/v1/requests/${id}`).expect(200)).body;

  it("prepare returns the forwarder's EIP-712 request for the member to sign", async function () {
    const docHash = label("prepared only");
    const { body } = await request(app).post("/v1/requests/prepare").send({ action: "register", from: c.trader.address, docHash, docType: "380" }).expect(200);
    expect(body.domain).to.deep.equal({ name: "Tradeproof Forwarder", version: "1", chainId: 31337, verifyingContract: c.deployment.forwarder });
    expect(body.types).to.deep.equal(FORWARD_REQUEST_TYPES);
    expect(body.primaryType).to.equal("ForwardRequest");
    expect(body.message).to.deep.include({ from: c.trader.address.toLowerCase(), to: c.deployment.registry, value: "0", nonce: "0" });
    expect(body.message.data).to.equal(c.registry.interface.encodeFunctionData("register", [docHash, 380]));
    expect(body.message.deadline).to.be.greaterThan(Math.floor(Date.now() / 1000));
  });

  it("a signed request is queued (202), relayed and mined; the ledger sees the member, not the relayer", async function () {
    const docHash = label("relayed invoice");
    const body = await prepared(app, c.trader, { action: "register", docHash, docType: 380 });
    const res = await request(app).post("/v1/requests").send(body).expect(202);
    expect(res.body.status).to.equal("queued");
    expect(res.headers.location).to.equal(`/v1/requests/${res.body.id}`);
    expect((await status(app, res.body.id)).status).to.equal("queued");
    await services.indexer.syncOnce();
    expect((await request(app).get(`/v1/documents/${docHash}`).expect(200)).body.status).to.equal("NOT_FOUND");
    await services.worker!.processOnce();
    const done = await status(app, res.body.id);
    expect(done.status).to.equal("mined");
    expect(done.txHash).to.match(/^0x[0-9a-f]{64}$/);
    const receipt = await c.provider.getTransactionReceipt(done.txHash);
    expect(receipt!.from).to.equal(c.relayer.address);
    expect(receipt!.blockNumber).to.equal(done.blockNumber);
    // read-your-writes: once the request shows mined, the API's answer shows the document
    expect((await request(app).get(`/v1/documents/${docHash}`).expect(200)).body.status).to.equal("VALID");
    const state = await c.registry.verify(docHash, docHash, []);
    expect(state.account).to.equal(c.trader.address);
    expect(state.status).to.equal(2n);
  });

  it("a relayed outcome takes its reason by id or code and the verification result names it; an unlisted reason is a 400", async function () {
    const docHash = label("relayed rejection of a forged certificate");
    const ids = [];
    for (const reason of [{ reason: "SUSPECTED_FORGERY" }, { reason: 21 }, { reasonCode: 4711 }]) {
      ids.push((await request(app).post("/v1/requests").send(await prepared(app, c.customs, { action: "attest", docHash, outcome: "REJECTED", ...reason })).expect(202)).body.id);
    }
    await services.worker!.processOnce();
    for (const id of ids) expect((await status(app, id)).status).to.equal("mined");
    await services.indexer.syncOnce();
    const result = (await request(app).get(`/v1/documents/${docHash}`).expect(200)).body;
    expect(result.attestations.map((a: { reason: unknown }) => a.reason)).to.deep.equal([
      { code: 25, name: "Suspected forgery" }, { code: 21, name: "Does not match the declaration or the goods" }, { code: 4711 },
    ]);
    for (const reason of [{ reason: "BRIBERY" }, { reason: 12 }, { reasonCode: 70_000 }]) {
      const refused = await request(app).post("/v1/requests/prepare").send({ action: "attest", from: c.customs.address, docHash, outcome: "REJECTED", ...reason }).expect(400);
      expect(refused.body.error.code, JSON.stringify(reason)).to.equal("VALIDATION_FAILED");
      expect(refused.body.error.message, JSON.stringify(reason)).to.match(/reason/i);
    }
  });

  it("a mined write has its receipts: the normative receipt of a document, and of each document of a public batch", async function () {
    const single = label("receipt of a relayed invoice");
    const batchDocs = ["pub-1", "pub-2", "pub-3"].map(label) as Hex[];
    const id1 = (await request(app).post("/v1/requests").send(await prepared(app, c.trader, { action: "register", docHash: single, docType: 380 })).expect(202)).body.id;
    const id2 = (await request(app).post("/v1/requests").send(await prepared(app, c.trader, { action: "registerPublicBatch", docHashes: batchDocs, docType: 380 })).expect(202)).body.id;
    const notYet = await request(app).get(`/v1/requests/${id1}/receipts`).expect(409);
    expect(notYet.body.error.code).to.equal("REQUEST_NOT_MINED");
    await services.worker!.processOnce();
    const mined = await status(app, id1);
    const one = (await request(app).get(`/v1/requests/${id1}/receipts`).expect(200)).body;
    const block = await c.provider.getBlock(mined.blockNumber);
    expect(one.receipts).to.deep.equal([
      {
        type: "tradeproof-receipt/v1", docHash: single, docType: "380", root: single, proof: [], chainId: 31337,
        registry: ethers.getAddress(c.deployment.registry), txHash: mined.txHash, blockNumber: mined.blockNumber,
        anchoredAt: new Date(block!.timestamp * 1000).toISOString().replace(".000Z", "Z"), issuer: c.trader.address,
      },
    ]);
    // What the SDK hands out for the same document, read from the ledger, is the same receipt.
    const client = await TradeproofClient.connect({ runner: c.trader, deployment: c.deployment });
    const before = await c.provider.getBlockNumber();
    expect(await client.registerBatch([single as Hex], 380, { skipAnchored: true })).to.deep.equal(one.receipts);
    expect(await c.provider.getBlockNumber()).to.equal(before); // found on the ledger, not anchored again

    const many = (await request(app).get(`/v1/requests/${id2}/receipts`).expect(200)).body;
    const tree = buildBatch(batchDocs);
    expect(many.anchor.root).to.equal(tree.root);
    expect(many.receipts.map((r: { docHash: string }) => r.docHash)).to.deep.equal(tree.leaves);
    for (const r of many.receipts) {
      expect(checkReceipt(parseReceipt(r)).ok).to.equal(true);
      expect(r.proof).to.deep.equal(tree.proof(r.docHash));
      // and the API's own verification agrees with the receipt
      const verdict = (await request(app).get(`/v1/documents/${r.docHash}`).expect(200)).body;
      expect(verdict).to.deep.include({ status: "VALID", txHash: r.txHash, blockNumber: r.blockNumber, anchoredAt: r.anchoredAt });
    }
  });

  it("receipts: a private batch gives its anchor only; a write that anchors nothing, or failed, is 409; an unknown id 404", async function () {
    const root = label("private root");
    const idP = (await request(app).post("/v1/requests").send(await prepared(app, c.trader, { action: "registerBatch", root, count: 12, docType: 380 })).expect(202)).body.id;
    await services.worker!.processOnce();
    const priv = (await request(app).get(`/v1/requests/${idP}/receipts`).expect(200)).body;
    expect(priv.receipts).to.equal(undefined);
    expect(priv.anchor).to.deep.include({ root, docType: "380", issuer: c.trader.address, txHash: (await status(app, idP)).txHash });
    const idA = (await request(app).post("/v1/requests").send(await prepared(app, c.customs, { action: "attest", docHash: root, outcome: "ACCEPTED" })).expect(202)).body.id;
    // Two members race for one document: the second request fails on chain.
    const raced = label("raced for receipts");
    const idW = (await request(app).post("/v1/requests").send(await prepared(app, c.trader2, { action: "register", docHash: raced, docType: 380 })).expect(202)).body.id;
    const idL = (await request(app).post("/v1/requests").send(await prepared(app, c.otherTrader, { action: "register", docHash: raced, docType: 380 })).expect(202)).body.id;
    await services.worker!.processOnce();
    expect((await status(app, idA)).status).to.equal("mined");
    expect((await request(app).get(`/v1/requests/${idA}/receipts`).expect(409)).body.error.code).to.equal("NOT_AN_ANCHOR");
    expect((await status(app, idW)).status).to.equal("mined");
    expect((await status(app, idL)).status).to.equal("failed");
    const lost = (await request(app).get(`/v1/requests/${idL}/receipts`).expect(409)).body.error;
    expect(lost).to.deep.equal({ code: "REQUEST_NOT_MINED", message: "The request failed (ALREADY_ANCHORED); receipts exist once it is mined." });
    expect((await request(app).get(`/v1/requests/${crypto.randomUUID()}/receipts`).expect(404)).body.error.code).to.equal("REQUEST_NOT_FOUND");
  });

  it("several requests of one member take consecutive nonces and are mined in order", async function () {
    const a = label("first of two");
    const b = label("second of two");
    const first = await prepared(app, c.trader2, { action: "register", docHash: a, docType: 380 });
    const idA = (await request(app).post("/v1/requests").send(first).expect(202)).body.id;
    const second = await prepared(app, c.trader2, { action: "supersede", oldAnchor: a, newAnchor: a });
    expect(BigInt(second.request.nonce)).to.equal(BigInt(first.request.nonce) + 1n);
    const idB = (await request(app).post("/v1/requests").send(second).expect(202)).body.id;
    await services.worker!.processOnce();
    expect((await status(app, idA)).status).to.equal("mined");
    const failed = await status(app, idB);
    // supersede(a, a) reaches the chain (it could not be simulated behind a queued request) and fails there, with the reason.
    expect(failed.status).to.equal("failed");
    expect(failed.code).to.be.oneOf(["INVALID_SUCCESSOR", "NOT_SUPERSEDABLE"]);
  });

  it("a request that fails on chain uses its nonce, never blocks the member's requests behind it, and the member writes on", async function () {
    const taken = label("taken first");
    const first = await prepared(app, c.trader, { action: "register", docHash: taken, docType: 380 });
    const loser = await prepared(app, c.otherTrader, { action: "register", docHash: taken, docType: 380 });
    await request(app).post("/v1/requests").send(first).expect(202);
    const idL = (await request(app).post("/v1/requests").send(loser).expect(202)).body.id;
    // Accepted behind the loser, before anyone knows it will lose.
    const behind = await prepared(app, c.otherTrader, { action: "register", docHash: label("behind a loser"), docType: 380 });
    expect(BigInt(behind.request.nonce)).to.equal(BigInt(loser.request.nonce) + 1n);
    const idB = (await request(app).post("/v1/requests").send(behind).expect(202)).body.id;
    await services.worker!.processOnce();
    expect((await status(app, idL))).to.deep.include({ status: "failed", code: "ALREADY_ANCHORED" });
    expect((await status(app, idB)).status).to.equal("mined");
    // The forwarder recorded the failed call and used its nonce: the next request takes the one after.
    const next = await prepared(app, c.otherTrader, { action: "register", docHash: label("written after a failure"), docType: 380 });
    expect(BigInt(next.request.nonce)).to.equal(BigInt(loser.request.nonce) + 2n);
    const idN = (await request(app).post("/v1/requests").send(next).expect(202)).body.id;
    // ...but only once while it is live.
    expect((await request(app).post("/v1/requests").send(next).expect(409)).body.error.code).to.equal("DUPLICATE_REQUEST");
    await services.worker!.processOnce();
    expect((await status(app, idN)).status).to.equal("mined");
  });

  it("a request that became invalid while queued fails with the contract's error name", async function () {
    const docHash = label("raced");
    const one = await prepared(app, c.trader, { action: "register", docHash, docType: 380 });
    const two = await prepared(app, c.otherTrader, { action: "register", docHash, docType: 380 });
    const id1 = (await request(app).post("/v1/requests").send(one).expect(202)).body.id;
    const id2 = (await request(app).post("/v1/requests").send(two).expect(202)).body.id;
    await services.worker!.processOnce();
    expect((await status(app, id1)).status).to.equal("mined");
    const lost = await status(app, id2);
    expect(lost).to.deep.include({ status: "failed", code: "ALREADY_ANCHORED" });
  });

  describe("refusals", function () {
    async function signRaw(signer: ethers.HDNodeWallet, overrides: Record<string, unknown> = {}, domain = forwarderDomain(c.deployment as never)) {
      const message = {
        from: signer.address.toLowerCase(), to: c.deployment.registry, value: "0", gas: "200000",
        nonce: (await c.forwarder.nonces(signer.address)).toString(), deadline: Math.floor(Date.now() / 1000) + 600,
        data: c.registry.interface.encodeFunctionData("register", [label(`raw ${Math.random()}`), 380]), ...overrides,
      };
      return { request: message, signature: await signer.signTypedData(domain, FORWARD_REQUEST_TYPES, message) };
    }
    const refused = async (body: unknown, statusCode: number, code: string) => {
      const res = await request(app).post("/v1/requests").send(body as object).expect(statusCode);
      expect(res.body.error.code).to.equal(code);
    };

    it("a signer of no member organisation: 403 NOT_MEMBER", async function () {
      await refused(await signRaw(c.outsider), 403, "NOT_MEMBER");
    });

    it("a nonce already used: 409 STALE_NONCE", async function () {
      const body = await signRaw(c.agency, {});
      // the agency uses its nonce directly at the forwarder, outside the API
      const attest = c.registry.interface.encodeFunctionData("attest", [label("direct"), 1, 0]);
      const direct = await signRaw(c.agency, { data: attest });
      await (await c.forwarder.connect(c.relayer).execute({ ...direct.request, signature: direct.signature })).wait();
      await refused(body, 409, "STALE_NONCE");
    });

    it("a nonce from the future: 409 STALE_NONCE", async function () {
      const next = (await c.forwarder.nonces(c.trader.address)) + 5n;
      await refused(await signRaw(c.trader, { nonce: next.toString() }), 409, "STALE_NONCE");
    });

    it("a deadline in the past: 400 DEADLINE_PASSED", async function () {
      await refused(await signRaw(c.trader, { deadline: Math.floor(Date.now() / 1000) - 1 }), 400, "DEADLINE_PASSED");
    });

    it("a signature by another key: 400 INVALID_SIGNATURE", async function () {
      const body = await signRaw(c.trader);
      body.signature = (await signRaw(c.trader2, body.request)).signature;
      await refused(body, 400, "INVALID_SIGNATURE");
    });

    it("a signature for another chain: 400 INVALID_SIGNATURE", async function () {
      await refused(await signRaw(c.trader, {}, { ...forwarderDomain(c.deployment as never), chainId: 1 }), 400, "INVALID_SIGNATURE");
    });

    it("the same signature with the upper s (EIP-2, which the forwarder refuses): 400 INVALID_SIGNATURE saying so", async function () {
      const body = await signRaw(c.trader);
      const sig = ethers.Signature.from(body.signature);
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const high = ethers.concat([sig.r, ethers.toBeHex(n - BigInt(sig.s), 32), sig.v === 27 ? "0x1c" : "0x1b"]);
      // the same key still recovers from it: only the s rule refuses it
      const digest = ethers.getBytes(ethers.TypedDataEncoder.hash(forwarderDomain(c.deployment as never), FORWARD_REQUEST_TYPES, body.request));
      const key = secp256k1.ecdsaRecover(ethers.getBytes(high).subarray(0, 64), 1 - sig.yParity, digest, false);
      expect(ethers.computeAddress(ethers.hexlify(key))).to.equal(c.trader.address);
      const res = await request(app).post("/v1/requests").send({ ...body, signature: high }).expect(400);
      expect(res.body.error.code).to.equal("INVALID_SIGNATURE");
      expect(res.body.error.message).to.contain("EIP-2");
    });

    it("a signature that is not one: 400 INVALID_SIGNATURE", async function () {
      const body = await signRaw(c.trader);
      await refused({ ...body, signature: "0x1234" }, 400, "INVALID_SIGNATURE");
    });

    it("a gas value above uint256 or a deadline above uint48: 400 VALIDATION_FAILED saying which and why, not a bad signature", async function () {
      const body = await signRaw(c.trader);
      const gas = await request(app).post("/v1/requests").send({ ...body, request: { ...body.request, gas: (2n ** 256n).toString() } }).expect(400);
      expect(gas.body.error).to.deep.equal({ code: "VALIDATION_FAILED", message: "body.request.gas: at most 2^256 - 1 (uint256)" });
      const deadline = await request(app).post("/v1/requests").send({ ...body, request: { ...body.request, deadline: 2 ** 48 } }).expect(400);
      expect(deadline.body.error).to.deep.equal({ code: "VALIDATION_FAILED", message: "body.request.deadline: at most 2^48 - 1 (uint48, seconds since 1970)" });
    });

    it("a call to another contract: 400 INVALID_TARGET", async function () {
      await refused(await signRaw(c.trader, { to: c.deployment.council }), 400, "INVALID_TARGET");
    });

    it("a write the ledger would refuse: 422 with the contract's error name, at prepare and at submit", async function () {
      const coo = { action: "register", from: c.trader.address, docHash: label("trader's certificate"), docType: DocType.CERTIFICATE_OF_ORIGIN };
      const p = await request(app).post("/v1/requests/prepare").send(coo).expect(422);
      expect(p.body.error.code).to.equal("NOT_ISSUER");
      const data = c.registry.interface.encodeFunctionData("register", [label("trader's certificate"), DocType.CERTIFICATE_OF_ORIGIN]);
      await refused(await signRaw(c.trader, { data }), 422, "NOT_ISSUER");
    });

    it("the same request twice: 409 DUPLICATE_REQUEST", async function () {
      const body = await prepared(app, c.officer1, { action: "register", docHash: label("twice"), docType: DocType.CERTIFICATE_OF_ORIGIN });
      await request(app).post("/v1/requests").send(body).expect(202);
      await refused(body, 409, "DUPLICATE_REQUEST");
      await services.worker!.processOnce();
    });

    it("the same signed request posted five times at once: one 202, and 409 DUPLICATE_REQUEST for the others", async function () {
      const body = await prepared(app, c.officer1, { action: "register", docHash: label("five at once"), docType: DocType.CERTIFICATE_OF_ORIGIN });
      const answers = await Promise.all(Array.from({ length: 5 }, () => request(app).post("/v1/requests").send(body)));
      expect(answers.map((a) => a.status).sort()).to.deep.equal([202, 409, 409, 409, 409]);
      for (const a of answers.filter((a) => a.status === 409)) expect(a.body.error.code).to.equal("DUPLICATE_REQUEST");
      await services.worker!.processOnce();
      expect((await status(app, answers.find((a) => a.status === 202)!.body.id)).status).to.equal("mined");
    });

    it("two different requests signed with one nonce, posted at once: one 202, one 409 DUPLICATE_REQUEST", async function () {
      const first = await prepared(app, c.officer1, { action: "register", docHash: label("one nonce, first"), docType: DocType.CERTIFICATE_OF_ORIGIN });
      const second = await prepared(app, c.officer1, { action: "register", docHash: label("one nonce, second"), docType: DocType.CERTIFICATE_OF_ORIGIN });
      expect(second.request.nonce).to.equal(first.request.nonce);
      const answers = await Promise.all([first, second].map((b) => request(app).post("/v1/requests").send(b)));
      expect(answers.map((a) => a.status).sort()).to.deep.equal([202, 409]);
      expect(answers.find((a) => a.status === 409)!.body.error.code).to.equal("DUPLICATE_REQUEST");
      await services.worker!.processOnce();
    });

    it("requests submitted while earlier ones are being mined are all accepted and all mined", async function () {
      // Each member signs a run of consecutive nonces; the worker mines between the submissions.
      const members = [c.trader, c.trader2, c.customs] as const;
      const ids: string[] = [];
      const next = new Map<string, bigint>();
      for (const m of members) next.set(m.address, await c.forwarder.nonces(m.address));
      const mining = (async () => {
        for (let i = 0; i < 6; i++) {
          await services.worker!.processOnce();
          await new Promise((r) => setTimeout(r, 30));
        }
      })();
      for (let round = 0; round < 5; round++) {
        for (const m of members) {
          const docHash = label(`mined meanwhile ${m.address} ${round}`);
          const action = m === c.customs ? { action: "attest", docHash, outcome: "INSPECTED", reasonCode: round } : { action: "register", docHash, docType: 380 };
          const prepare = await request(app).post("/v1/requests/prepare").send({ from: m.address, ...action }).expect(200);
          const message = { ...prepare.body.message, nonce: String(next.get(m.address)!) };
          next.set(m.address, next.get(m.address)! + 1n);
          const signature = await m.signTypedData(prepare.body.domain, prepare.body.types, message);
          const answer = await request(app).post("/v1/requests").send({ request: message, signature });
          expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
          ids.push(answer.body.id);
        }
      }
      await mining;
      for (let i = 0; i < 10 && (await Promise.all(ids.map((id) => status(app, id)))).some((r) => r.status !== "mined"); i++) {
        await services.worker!.processOnce();
      }
      expect((await Promise.all(ids.map((id) => status(app, id)))).map((r) => r.status)).to.deep.equal(ids.map(() => "mined"));
    });

    it("a public batch that one transaction cannot carry on the network is refused at prepare with the largest that fits", async function () {
      const { documents } = maxPublicBatch(DEFAULT_TRANSACTION_LIMITS, { relayed: true });
      const docHashes = Array.from({ length: documents + 1 }, (_, i) => label(`too many ${i}`));
      const { body } = await request(app).post("/v1/requests/prepare").send({ action: "registerPublicBatch", from: c.trader.address, docHashes, docType: 380 }).expect(400);
      expect(body.error.code).to.equal("BATCH_TOO_LARGE");
      expect(body.error.message).to.equal(
        `A relayed public batch carries at most ${documents} documents on this network (131072 bytes per transaction); this one has ${documents + 1}. Split it into several requests.`,
      );
    });

    it("a malformed request: 400 VALIDATION_FAILED; an unknown action at prepare: 400", async function () {
      await refused({ request: { from: "0x1" }, signature: "0x" }, 400, "VALIDATION_FAILED");
      const { body } = await request(app).post("/v1/requests/prepare").send({ action: "mint", from: c.trader.address }).expect(400);
      expect(body.error.code).to.equal("VALIDATION_FAILED");
      // A uint16 the ledger would store, but not a UNTDID 1001 code: refused as the SDK and the CLI refuse it.
      const unlisted = await request(app).post("/v1/requests/prepare").send({ action: "register", from: c.trader.address, docHash: label("unlisted"), docType: "999" }).expect(400);
      expect(unlisted.body.error.code).to.equal("VALIDATION_FAILED");
      expect(unlisted.body.error.message).to.contain("UNTDID 1001");
    });

    it("an unknown request id: 404 REQUEST_NOT_FOUND; a malformed one: 400", async function () {
      expect((await request(app).get(`/v1/requests/${crypto.randomUUID()}`).expect(404)).body.error.code).to.equal("REQUEST_NOT_FOUND");
      expect((await request(app).get("/v1/requests/42").expect(400)).body.error.code).to.equal("VALIDATION_FAILED");
    });

    it("an API without a relayer key: 503 RELAYER_DISABLED", async function () {
      const readOnly = await apiFor(c, anvil.url, { env: { TRADEPROOF_RELAYER_KEY: "" } });
      const res = await request(readOnly.app).post("/v1/requests").send(await signRaw(c.trader)).expect(503);
      expect(res.body.error.code).to.equal("RELAYER_DISABLED");
      await readOnly.services.close();
    });
  });

  describe("many requests per block", function () {
    /** Signs and submits one register per entry (member, label) through `a`; returns the ids in order. */
    async function submitAll(a: RequestListener, entries: [ethers.HDNodeWallet | ethers.Wallet, string][]): Promise<string[]> {
      const ids: string[] = [];
      for (const [signer, name] of entries) {
        const docType = signer === c.officer1 ? DocType.CERTIFICATE_OF_ORIGIN : 380;
        const body = await prepared(a, signer, { action: "register", docHash: label(name), docType });
        ids.push((await request(a).post("/v1/requests").send(body).expect(202)).body.id);
      }
      return ids;
    }
    const relayerNonce = () => c.provider.getTransactionCount(c.relayer.address, "latest");

    it("requests of several members accepted together go out in one relayer transaction and are all mined", async function () {
      const members = [c.trader, c.trader2, c.officer1];
      const ids = await submitAll(app, Array.from({ length: 12 }, (_, i) => [members[i % 3]!, `together ${i}`] as [ethers.HDNodeWallet, string]));
      const before = await relayerNonce();
      await services.worker!.processOnce();
      const done = await Promise.all(ids.map((id) => status(app, id)));
      expect(done.map((d) => d.status)).to.deep.equal(ids.map(() => "mined"));
      expect(new Set(done.map((d) => d.txHash)).size, JSON.stringify(done)).to.equal(1);
      expect(await relayerNonce()).to.equal(before + 1);
      for (let i = 0; i < 12; i++) expect((await c.registry.verify(label(`together ${i}`), label(`together ${i}`), [])).account).to.equal(members[i % 3]!.address);
    });

    it("with room for 3 requests a transaction, 12 requests go in 4 transactions sent without waiting for each other", async function () {
      let inFlightAtLast = 0;
      const api = await apiFor(c, anvil.url, {
        env: { TRADEPROOF_RELAY_BATCH: "3" },
        overrides: { relayHooks: { afterBroadcast: async () => { inFlightAtLast = (await api.services.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM relay_txs WHERE status = 'pending'"))!.n; } } },
      });
      const ids = await submitAll(api.app, Array.from({ length: 12 }, (_, i) => [[c.trader, c.trader2][i % 2]!, `pipelined ${i}`] as [ethers.HDNodeWallet, string]));
      const before = await relayerNonce();
      await api.services.worker!.processOnce();
      const done = await Promise.all(ids.map((id) => status(api.app, id)));
      expect(done.map((d) => d.status)).to.deep.equal(ids.map(() => "mined"));
      expect(new Set(done.map((d) => d.txHash)).size).to.equal(4);
      expect(inFlightAtLast, "transactions in flight when the fourth was sent").to.equal(4);
      expect(await relayerNonce()).to.equal(before + 4);
      await api.services.close();
    });

    it("while a transaction waits for its block, requests that do not fill one wait a moment for others and go out together", async function () {
      const api = await apiFor(c, anvil.url, { overrides: { relay: { receiptTimeoutMs: 2_000, lingerMs: 500 } } });
      await c.provider.send("evm_setAutomine", [false]);
      try {
        const [first] = await submitAll(api.app, [[c.trader, "linger first"]]);
        await api.services.worker!.processOnce(); // nothing in flight: sent at once, alone
        expect((await status(api.app, first!)).status).to.equal("submitted");
        const [second] = await submitAll(api.app, [[c.trader2, "linger second"]]);
        const pass = api.services.worker!.processOnce();
        await new Promise((r) => setTimeout(r, 100));
        expect((await status(api.app, second!)).status, "a lone request while another transaction is in flight").to.equal("queued");
        const [third] = await submitAll(api.app, [[c.officer1, "linger third"]]);
        await pass;
        const [b, t] = await Promise.all([status(api.app, second!), status(api.app, third!)]);
        expect([b.status, t.status]).to.deep.equal(["submitted", "submitted"]);
        expect(b.txHash).to.equal(t.txHash);
        await c.provider.send("evm_mine", []);
        await api.services.worker!.processOnce();
        expect((await Promise.all([first!, second!, third!].map((id) => status(api.app, id)))).map((d) => d.status)).to.deep.equal(["mined", "mined", "mined"]);
      } finally {
        await c.provider.send("evm_setAutomine", [true]);
        await api.services.close();
      }
    });

    it("a crash with several transactions in flight: after the restart every request is mined once, and no transaction is sent twice", async function () {
      let broadcasts = 0;
      const crashing = await apiFor(c, anvil.url, {
        env: { TRADEPROOF_RELAY_BATCH: "2" },
        overrides: { relayHooks: { beforeBroadcast: () => { if (++broadcasts === 3) throw new Error("simulated crash before the third broadcast"); } } },
      });
      const members = [c.trader, c.trader2, c.officer1];
      const nonces = await Promise.all(members.map((m) => c.forwarder.nonces(m.address)));
      const ids = await submitAll(crashing.app, Array.from({ length: 7 }, (_, i) => [members[i % 3]!, `in flight at the crash ${i}`] as [ethers.HDNodeWallet, string]));
      const before = await relayerNonce();
      const err = await crashing.services.worker!.processOnce().then(() => undefined, (e: Error) => e);
      expect(err?.message).to.equal("simulated crash before the third broadcast");
      const states = await Promise.all(ids.map((id) => status(crashing.app, id)));
      expect(states.map((r) => r.status)).to.deep.equal(["submitted", "submitted", "submitted", "submitted", "submitted", "submitted", "queued"]);
      await crashing.services.close();

      const restarted = await apiFor(c, anvil.url, { dataDir: crashing.dataDir, env: { TRADEPROOF_RELAY_BATCH: "2" } });
      await restarted.services.worker!.processOnce();
      const done = await Promise.all(ids.map((id) => status(restarted.app, id)));
      expect(done.map((d) => d.status)).to.deep.equal(ids.map(() => "mined"));
      // Three transactions stored before the crash (the third never sent until the restart), one for the 7th request.
      expect(await relayerNonce()).to.equal(before + 4);
      expect(done[4]!.txHash).to.equal(states[4]!.txHash);
      const after = await Promise.all(members.map((m) => c.forwarder.nonces(m.address)));
      expect(after.map((n, i) => n - nonces[i]!)).to.deep.equal([3n, 2n, 2n]);
      await restarted.services.close();
    });

    it("the relayer's nonce taken by another transaction (its key used elsewhere): the requests go out again in a new transaction, once", async function () {
      let taken = false;
      const api = await apiFor(c, anvil.url, {
        overrides: {
          relayHooks: {
            beforeBroadcast: async (tx: RelayTransaction) => {
              if (taken) return;
              taken = true;
              // Someone else sends with the relayer's key, at the nonce this transaction was signed with.
              await (await c.relayer.sendTransaction({ to: c.relayer.address, value: 0n, nonce: tx.nonce })).wait();
            },
          },
        },
      });
      const ids = await submitAll(api.app, [[c.trader, "nonce taken 1"], [c.trader2, "nonce taken 2"]]);
      await api.services.worker!.processOnce();
      const done = await Promise.all(ids.map((id) => status(api.app, id)));
      expect(done.map((d) => d.status)).to.deep.equal(["mined", "mined"]);
      const dropped = (await api.services.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM relay_txs WHERE status = 'dropped'"))!;
      expect(dropped.n).to.equal(1);
      await api.services.close();
    });

    it("a gap in the relayer's nonces (the node lost its pool, then refused one transaction) heals by itself", async function () {
      let refuse: string | undefined;
      let balance: bigint | undefined;
      const api = await apiFor(c, anvil.url, {
        env: { TRADEPROOF_RELAY_BATCH: "1" },
        overrides: {
          relay: { receiptTimeoutMs: 300 },
          relayHooks: {
            beforeBroadcast: async (tx: RelayTransaction) => {
              if (tx.hash === refuse) {
                balance ??= await c.provider.getBalance(c.relayer.address);
                await c.provider.send("anvil_setBalance", [c.relayer.address, "0x0"]);
              } else if (balance !== undefined) {
                await c.provider.send("anvil_setBalance", [c.relayer.address, ethers.toQuantity(balance)]);
              }
            },
          },
        },
      });
      const before = await relayerNonce();
      await c.provider.send("evm_setAutomine", [false]);
      try {
        const ids = await submitAll(api.app, [[c.trader, "gap first"], [c.trader2, "gap second"]]);
        await api.services.worker!.processOnce(); // both sent, neither mined: the node mines nothing now
        const sent = await api.services.store.all<{ hash: string; nonce: number }>("SELECT hash, nonce FROM relay_txs WHERE status = 'pending' ORDER BY nonce");
        expect(sent.map((t) => t.nonce)).to.deep.equal([before, before + 1]);
        await c.provider.send("anvil_dropAllTransactions", []);
        refuse = sent[0]!.hash;
        await api.services.worker!.processOnce(); // re-sends: the first is refused, the second waits behind the gap, which is filled
        await c.provider.send("evm_mine", []);
        await api.services.worker!.processOnce();
        const done = await Promise.all(ids.map((id) => status(api.app, id)));
        // The request refused alone fails with the node's words; the one behind the gap is mined in its own transaction.
        expect(done.map((d) => d.status)).to.deep.equal(["failed", "mined"]);
        expect(done[0]!.code).to.equal("BROADCAST_REJECTED");
        expect(done[1]!.txHash).to.equal(sent[1]!.hash);
        expect(await relayerNonce()).to.equal(before + 2); // the filler at the gap, then the second
      } finally {
        await c.provider.send("evm_setAutomine", [true]);
        await api.services.close();
      }
    });
  });

  describe("crash safety of the relay queue", function () {
    const relayerTxCount = () => c.provider.getTransactionCount(c.relayer.address, "latest");

    it("requests accepted before a stop are all relayed after a restart on the same SQLite file", async function () {
      const first = await apiFor(c, anvil.url);
      const hashes = [label("survivor 1"), label("survivor 2"), label("survivor 3")];
      const ids: string[] = [];
      for (const [i, docHash] of hashes.entries()) {
        const signer = [c.trader, c.officer1, c.customs][i];
        const body = await prepared(first.app, signer, [{ action: "register", docHash, docType: 380 }, { action: "register", docHash, docType: 861 }, { action: "attest", docHash, outcome: "INSPECTED", reasonCode: 4 }][i]);
        ids.push((await request(first.app).post("/v1/requests").send(body).expect(202)).body.id);
      }
      await first.services.close();
      const second = await apiFor(c, anvil.url, { dataDir: first.dataDir });
      for (const id of ids) expect((await status(second.app, id)).status).to.equal("queued");
      await second.services.worker!.processOnce();
      for (const id of ids) expect((await status(second.app, id)).status).to.equal("mined");
      await second.services.close();
    });

    it("a transaction the node refuses: its requests go again one per transaction, the one refused alone fails with the node's reason, the others are mined", async function () {
      const bad = label("refused by the node");
      let balance: bigint | undefined;
      // The node refuses the first request's transaction (the relayer cannot pay for it at that moment); the
      // balance is back before the next request's transaction goes out.
      const hooks = {
        beforeBroadcast: async (tx: RelayTransaction) => {
          if (tx.rows.some((row) => row.data.toLowerCase().includes(bad.slice(2)))) {
            balance ??= await c.provider.getBalance(c.relayer.address);
            await c.provider.send("anvil_setBalance", [c.relayer.address, "0x0"]);
          } else if (balance !== undefined) {
            await c.provider.send("anvil_setBalance", [c.relayer.address, ethers.toQuantity(balance)]);
          }
        },
      };
      const api = await apiFor(c, anvil.url, { overrides: { relayHooks: hooks } });
      const ids: string[] = [];
      for (const [signer, docHash] of [[c.trader, bad], [c.officer1, label("behind the refused one")], [c.trader2, label("further behind")]] as const) {
        const body = await prepared(api.app, signer, { action: "register", docHash, docType: signer === c.officer1 ? 861 : 380 });
        ids.push((await request(api.app).post("/v1/requests").send(body).expect(202)).body.id);
      }
      await api.services.worker!.processOnce();
      const [refused, second, third] = await Promise.all(ids.map((id) => status(api.app, id)));
      expect(refused.status).to.equal("failed");
      expect(refused.code).to.equal("BROADCAST_REJECTED");
      expect(refused.reason).to.match(/^The ledger node refused the relayer's transaction: .*insufficient funds/i);
      expect([second.status, third.status], JSON.stringify([second, third])).to.deep.equal(["mined", "mined"]);
      expect((await c.registry.verify(bad, bad, [])).status).to.equal(0n);
      await api.services.close();
    });

    it("a crash after the transaction was stored but before it was sent: the restart sends that same transaction, once", async function () {
      const crashing = await apiFor(c, anvil.url, { overrides: { relayHooks: { beforeBroadcast: () => { throw new Error("simulated crash before broadcast"); } } } });
      const docHash = label("crash before send");
      const body = await prepared(crashing.app, c.trader, { action: "register", docHash, docType: 380 });
      const id = (await request(crashing.app).post("/v1/requests").send(body).expect(202)).body.id;
      const before = await relayerTxCount();
      const err = await crashing.services.worker!.processOnce().then(() => undefined, (e: Error) => e);
      expect(err?.message).to.equal("simulated crash before broadcast");
      const stored = (await crashing.services.store.one<RequestRow>("SELECT * FROM requests WHERE id = ?", [id]))!;
      expect(stored.status).to.equal("submitted");
      expect(await c.provider.getTransaction(stored.tx_hash!)).to.equal(null);
      await crashing.services.close();

      const restarted = await apiFor(c, anvil.url, { dataDir: crashing.dataDir });
      await restarted.services.worker!.processOnce();
      const done = await status(restarted.app, id);
      expect(done).to.deep.include({ status: "mined", txHash: stored.tx_hash });
      expect(await relayerTxCount()).to.equal(before + 1);
      expect(await c.forwarder.nonces(c.trader.address)).to.equal(BigInt(body.request.nonce) + 1n);
      await restarted.services.close();
    });

    it("a crash right after sending: the restart finds the receipt and sends nothing again", async function () {
      const crashing = await apiFor(c, anvil.url, { overrides: { relayHooks: { afterBroadcast: () => { throw new Error("simulated crash after broadcast"); } } } });
      const docHash = label("crash after send");
      const body = await prepared(crashing.app, c.trader, { action: "register", docHash, docType: 380 });
      const id = (await request(crashing.app).post("/v1/requests").send(body).expect(202)).body.id;
      const before = await relayerTxCount();
      await crashing.services.worker!.processOnce().catch(() => undefined);
      expect((await status(crashing.app, id)).status).to.equal("submitted");
      await crashing.services.close();

      const restarted = await apiFor(c, anvil.url, { dataDir: crashing.dataDir });
      await restarted.services.worker!.processOnce();
      await restarted.services.worker!.processOnce();
      expect((await status(restarted.app, id)).status).to.equal("mined");
      expect(await relayerTxCount()).to.equal(before + 1);
      expect((await c.registry.verify(docHash, docHash, [])).account).to.equal(c.trader.address);
      await restarted.services.close();
    });
  });
});
