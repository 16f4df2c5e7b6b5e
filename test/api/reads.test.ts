import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import canonicalize from "canonicalize";
import { createHash } from "node:crypto";
import { ethers } from "ethers";
import { createServer, type RequestListener } from "node:http";
import request from "supertest";
import { csvCell } from "../../api/audit/audit.js";
import type { Services } from "../../api/services.js";
import { TradeproofClient, type Hex } from "../../sdk/index.js";
import { apiFor, signIn } from "./app-helpers.js";
import { Anvil, deployConsortium, DocType, type Consortium } from "./helpers.js";

const sha256 = (b: Uint8Array | string) => `0x${createHash("sha256").update(b).digest("hex")}`;
const label = (s: string) => ethers.keccak256(ethers.toUtf8Bytes(s)).toLowerCase();

describe("API reads: documents, files, batches, members, history, audit", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let c: Consortium;
  let app: RequestListener;
  let services: Services;
  const invoiceJson = { invoiceNumber: "INV-2026-0042", total: 1250.5, lines: [{ sku: "T-SHIRT", qty: 100 }], seller: "Saigon Textiles JSC" };
  const invoiceHash = sha256(canonicalize(invoiceJson)!);
  const pdf = Buffer.from("%PDF-1.7\n% a certificate of origin\n%%EOF\n");
  const pdfHash = sha256(pdf);
  const amended = label("amended invoice");
  const coo = label("certificate of origin, pending");
  const leaves = [label("leaf a"), label("leaf b"), label("leaf c"), label("leaf d")];
  let root: string;

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    const r = c.registry;
    await (await r.connect(c.trader).register(invoiceHash, DocType.INVOICE)).wait();
    await (await r.connect(c.officer1).register(pdfHash, DocType.CERTIFICATE_OF_ORIGIN)).wait();
    await (await r.connect(c.officer2).approve(pdfHash)).wait();
    await (await r.connect(c.officer1).register(coo, DocType.CERTIFICATE_OF_ORIGIN)).wait();
    await (await r.connect(c.trader).register(amended, DocType.INVOICE)).wait();
    await (await r.connect(c.trader).supersede(invoiceHash, amended)).wait();
    const t = StandardMerkleTree.of(leaves.map((h) => [h]), ["bytes32"]);
    root = t.root;
    const ordered = [...leaves].sort((a, b) => (t.leafHash([a]) < t.leafHash([b]) ? -1 : 1));
    await (await r.connect(c.trader2).registerPublicBatch(ordered, DocType.INVOICE)).wait();
    await (await r.connect(c.trader).revokeInBatch(root, leaves[1], t.getProof([leaves[1]]), "damaged goods")).wait();
    await (await r.connect(c.customs).attest(pdfHash, 1, 0)).wait();
    ({ app, services } = await apiFor(c, anvil.url));
    await services.indexer.syncOnce();
  });

  after(async function () {
    await services?.close();
    c?.provider.destroy();
    await anvil?.stop();
  });

  describe("GET /v1/documents/:docHash", function () {
    it("a countersigned certificate is VALID with its issuer, approvals and attestation", async function () {
      const { body } = await request(app).get(`/v1/documents/${pdfHash}`).expect(200);
      expect(body).to.deep.include({ docHash: pdfHash, status: "VALID", docType: { code: "861", name: "Certificate of origin" }, approvals: { required: 2, given: 2 } });
      expect(body.issuer).to.deep.equal({ account: c.officer1.address, organisation: "VCCI Ho Chi Minh City", country: "VN", kind: "ISSUING_AUTHORITY", status: "ACTIVE" });
      expect(body.attestations).to.have.length(1);
      expect(body.attestations[0]).to.deep.include({ by: c.customs.address, organisation: "General Department of Vietnam Customs", outcome: "ACCEPTED" });
    });

    it("a document with more outcomes than the chain lists reads them all from the index; the SDK lists the latest 100 and the total", async function () {
      const doc = label("inspected again and again");
      await (await c.registry.connect(c.trader).register(doc, DocType.INVOICE)).wait();
      // 103 outcomes in a few blocks: sent without waiting, with explicit nonces.
      let nonce = await c.provider.getTransactionCount(c.customs.address, "pending");
      const sent = [];
      for (let i = 0; i < 103; i++) sent.push(await c.registry.connect(c.customs).attest(doc, 3, i, { nonce: nonce++, gasLimit: 200_000 }));
      await Promise.all(sent.map((tx) => tx.wait()));
      const client = await TradeproofClient.connect({ runner: c.provider, deployment: c.deployment });
      const direct = await client.verify(doc as Hex);
      expect(direct.attestations).to.have.length(100);
      expect(direct.attestationsTotal).to.equal(103);
      await services.indexer.syncOnce();
      const { body } = await request(app).get(`/v1/documents/${doc}`).expect(200);
      expect(body.attestations).to.have.length(103);
      expect(body.attestationsTotal).to.equal(undefined);
      expect(body.attestations.slice(3)).to.deep.equal(direct.attestations);
      expect(body.attestations[0]).to.deep.include({ by: c.customs.address, organisation: "General Department of Vietnam Customs", outcome: "INSPECTED" });
    });

    it("a certificate waiting for its second officer is PENDING", async function () {
      const { body } = await request(app).get(`/v1/documents/${coo}`).expect(200);
      expect(body.status).to.equal("PENDING");
      expect(body.approvals).to.deep.equal({ required: 2, given: 1 });
    });

    it("an amended invoice is SUPERSEDED and points to its new version", async function () {
      const { body } = await request(app).get(`/v1/documents/${invoiceHash}`).expect(200);
      expect(body.status).to.equal("SUPERSEDED");
      expect(body.supersededBy).to.equal(amended);
    });

    it("a document of a public batch is found by its hash alone, with the batch root", async function () {
      const { body } = await request(app).get(`/v1/documents/${leaves[2]}`).expect(200);
      expect(body.status).to.equal("VALID");
      expect(body.batch).to.deep.equal({ root, public: true });
      expect(body.issuer.account).to.equal(c.trader2.address);
    });

    it("one revoked document of a public batch is REVOKED with its reason, the others stay VALID", async function () {
      const revoked = (await request(app).get(`/v1/documents/${leaves[1]}`).expect(200)).body;
      expect(revoked).to.deep.include({ status: "REVOKED", revocationReason: "damaged goods" });
      expect((await request(app).get(`/v1/documents/${leaves[3]}`).expect(200)).body.status).to.equal("VALID");
    });

    it("an unknown hash is NOT_FOUND and nothing else", async function () {
      const h = label("never anchored");
      const { body } = await request(app).get(`/v1/documents/${h}`).expect(200);
      expect(body).to.deep.equal({ docHash: h, status: "NOT_FOUND" });
    });

    it("upper-case hex is accepted and answered in lower case", async function () {
      const { body } = await request(app).get(`/v1/documents/0x${pdfHash.slice(2).toUpperCase()}`).expect(200);
      expect(body.docHash).to.equal(pdfHash);
    });

    for (const [name, bad] of [
      ["too short", "0x1234"],
      ["without 0x", "a".repeat(64)],
      ["with a non-hex digit", `0x${"g".repeat(64)}`],
      ["one digit too long", `0x${"a".repeat(65)}`],
    ]) {
      it(`a hash ${name} is refused with 400 INVALID_HASH`, async function () {
        const { body } = await request(app).get(`/v1/documents/${bad}`).expect(400);
        expect(body.error.code).to.equal("INVALID_HASH");
        expect(body.error).to.have.all.keys("code", "message");
      });
    }

    it("a state change shows once the chain moves on (results are cached per block only)", async function () {
      const fresh = label("registered after a first read");
      expect((await request(app).get(`/v1/documents/${fresh}`).expect(200)).body.status).to.equal("NOT_FOUND");
      await (await c.registry.connect(c.trader).register(fresh, DocType.INVOICE)).wait();
      await services.indexer.syncOnce();
      expect((await request(app).get(`/v1/documents/${fresh}`).expect(200)).body.status).to.equal("VALID");
    });
  });

  describe("POST /v1/verify", function () {
    it("hashes a JSON body after JCS: key order and spacing do not matter", async function () {
      const reordered = `{ "total": 1250.5, "seller": "Saigon Textiles JSC", "lines": [ {"qty": 100, "sku": "T-SHIRT"} ], "invoiceNumber": "INV-2026-0042" }`;
      const { body } = await request(app).post("/v1/verify").set("content-type", "application/json").send(reordered).expect(200);
      expect(body.docHash).to.equal(invoiceHash);
      expect(body.status).to.equal("SUPERSEDED");
    });

    it("hashes a PDF body as raw bytes", async function () {
      const { body } = await request(app).post("/v1/verify").set("content-type", "application/pdf").send(pdf).expect(200);
      expect(body.docHash).to.equal(pdfHash);
      expect(body.status).to.equal("VALID");
    });

    it("hashes XML, EDIFACT, images and octet-stream bodies as raw bytes", async function () {
      const xml = Buffer.from("<Invoice><ID>1</ID></Invoice>");
      for (const type of ["application/xml", "text/xml", "application/octet-stream", "application/edifact", "text/plain", "image/png"]) {
        const { body } = await request(app).post("/v1/verify").set("content-type", type).send(xml).expect(200);
        expect(body).to.deep.equal({ docHash: sha256(xml), status: "NOT_FOUND" });
      }
    });

    it("refuses a content type it does not hash with 415", async function () {
      const { body } = await request(app).post("/v1/verify").set("content-type", "application/x-www-form-urlencoded").send("a=1").expect(415);
      expect(body.error.code).to.equal("UNSUPPORTED_CONTENT_TYPE");
    });

    it("refuses malformed JSON with 400 INVALID_JSON", async function () {
      const { body } = await request(app).post("/v1/verify").set("content-type", "application/json").send('{"a": 1,').expect(400);
      expect(body.error.code).to.equal("INVALID_JSON");
    });

    it("hashes a JSON body with a byte-order mark as the SDK does, and refuses invalid UTF-8 and lone surrogates with 400", async function () {
      const reordered = `{ "total": 1250.5, "seller": "Saigon Textiles JSC", "lines": [ {"qty": 100, "sku": "T-SHIRT"} ], "invoiceNumber": "INV-2026-0042" }`;
      const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(reordered)]);
      // superagent would JSON-encode a Buffer sent as application/json: send the bytes as they are.
      const raw = (b: Buffer) => request(app).post("/v1/verify").set("content-type", "application/json").serialize(() => b as never).send(b as never);
      const { body } = await raw(withBom).expect(200);
      expect(body.docHash).to.equal(invoiceHash);
      const invalidUtf8 = Buffer.concat([Buffer.from('{"a": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
      for (const bad of [invalidUtf8, Buffer.from('{"a": "\\ud800"}')]) {
        const refused = await raw(bad).expect(400);
        expect(refused.body.error.code).to.equal("INVALID_JSON");
      }
    });

    it("refuses an empty body with 400 EMPTY_BODY", async function () {
      const { body } = await request(app).post("/v1/verify").set("content-type", "application/pdf").send(Buffer.alloc(0)).expect(400);
      expect(body.error.code).to.equal("EMPTY_BODY");
    });

    it("refuses a file over the limit with 413 PAYLOAD_TOO_LARGE", async function () {
      const small = await apiFor(c, anvil.url, { env: { TRADEPROOF_FILE_LIMIT: "2048" } });
      const { body } = await request(small.app).post("/v1/verify").set("content-type", "application/pdf").send(Buffer.alloc(4096, 1)).expect(413);
      expect(body.error.code).to.equal("PAYLOAD_TOO_LARGE");
      await small.services.close();
    });

    it("hashes a chunked upload as it streams in, and stops one that passes the limit with 413", async function () {
      const small = await apiFor(c, anvil.url, { env: { TRADEPROOF_FILE_LIMIT: "4096" } });
      const server = createServer(small.app).listen(0, "127.0.0.1");
      await new Promise((r) => server.once("listening", r));
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/verify`;
      const chunked = (chunks: Buffer[]) =>
        fetch(url, {
          method: "POST", headers: { "content-type": "application/octet-stream" }, duplex: "half",
          body: new ReadableStream({ start(ctl) { for (const ch of chunks) ctl.enqueue(ch); ctl.close(); } }),
        } as RequestInit);
      try {
        const parts = [Buffer.alloc(1000, 7), Buffer.alloc(1000, 8), Buffer.alloc(1000, 9)];
        const ok = await chunked(parts);
        expect(ok.status).to.equal(200);
        expect((await ok.json()).docHash).to.equal(sha256(Buffer.concat(parts)));
        const big = await chunked([Buffer.alloc(3000, 1), Buffer.alloc(3000, 2)]);
        expect(big.status).to.equal(413);
        expect((await big.json()).error.code).to.equal("PAYLOAD_TOO_LARGE");
      } finally {
        server.close();
        await small.services.close();
      }
    });
  });

  describe("POST /v1/verify/batch", function () {
    it("answers each hash in order", async function () {
      const unknown = label("unknown");
      const { body } = await request(app).post("/v1/verify/batch").send({ docHashes: [pdfHash, unknown, leaves[0], coo] }).expect(200);
      expect(body.results.map((r: { status: string }) => r.status)).to.deep.equal(["VALID", "NOT_FOUND", "VALID", "PENDING"]);
      expect(body.results[1]).to.deep.equal({ docHash: unknown, status: "NOT_FOUND" });
    });

    it("takes 1,000 hashes", async function () {
      const many = Array.from({ length: 1_000 }, (_, i) => label(`bulk ${i}`));
      many[500] = pdfHash;
      const { body } = await request(app).post("/v1/verify/batch").send({ docHashes: many }).expect(200);
      expect(body.results).to.have.length(1_000);
      expect(body.results[500].status).to.equal("VALID");
      expect(body.results.filter((r: { status: string }) => r.status === "NOT_FOUND")).to.have.length(999);
    });

    it("refuses 1,001 hashes with 400 VALIDATION_FAILED", async function () {
      const many = Array.from({ length: 1_001 }, (_, i) => label(`bulk ${i}`));
      const { body } = await request(app).post("/v1/verify/batch").send({ docHashes: many }).expect(400);
      expect(body.error.code).to.equal("VALIDATION_FAILED");
    });

    it("refuses a malformed hash in the list with 400 INVALID_HASH", async function () {
      const { body } = await request(app).post("/v1/verify/batch").send({ docHashes: [pdfHash, "0xnope"] }).expect(400);
      expect(body.error.code).to.equal("INVALID_HASH");
      expect(body.error.message).to.match(/body\.docHashes\.1/);
    });

    it("refuses a body that is not JSON with 415", async function () {
      const { body } = await request(app).post("/v1/verify/batch").set("content-type", "text/plain").send("x").expect(415);
      expect(body.error.code).to.equal("UNSUPPORTED_CONTENT_TYPE");
    });

    it("refuses bad JSON with 400 INVALID_JSON", async function () {
      const { body } = await request(app).post("/v1/verify/batch").set("content-type", "application/json").send("{nope").expect(400);
      expect(body.error.code).to.equal("INVALID_JSON");
    });

    it("refuses a JSON body over the limit with 413", async function () {
      const small = await apiFor(c, anvil.url, { env: { TRADEPROOF_JSON_LIMIT: "1024" } });
      const many = Array.from({ length: 100 }, (_, i) => label(`bulk ${i}`));
      const { body } = await request(small.app).post("/v1/verify/batch").send({ docHashes: many }).expect(413);
      expect(body.error.code).to.equal("PAYLOAD_TOO_LARGE");
      await small.services.close();
    });
  });

  describe("POST /v1/verify/receipt", function () {
    it("confirms a document of a private batch with its receipt; the same document alone is NOT_FOUND", async function () {
      const client = await TradeproofClient.connect({ runner: c.trader, deployment: c.deployment });
      const docs = ["private a", "private b", "private c"].map(label) as Hex[];
      const receipts = await client.registerBatch(docs, 380);
      await services.indexer.syncOnce(); // the other tests expect an index without lag
      const receipt = receipts[1]!;
      expect((await request(app).get(`/v1/documents/${receipt.docHash}`).expect(200)).body.status).to.equal("NOT_FOUND");
      const { body } = await request(app).post("/v1/verify/receipt").send({ receipt }).expect(200);
      expect(body).to.deep.equal(await client.verify(receipt.docHash, { receipt }));
      expect(body).to.deep.include({ docHash: receipt.docHash, status: "VALID", txHash: receipt.txHash, batch: { root: receipt.root, public: false } });
      // A proof for another document of the batch, or a root nobody anchored, proves nothing.
      const wrongDoc = (await request(app).post("/v1/verify/receipt").send({ receipt: { ...receipt, docHash: docs[0] } }).expect(200)).body;
      expect(wrongDoc).to.deep.equal({ docHash: docs[0], status: "NOT_FOUND" });
      const flipped = receipt.proof.map((p, i) => (i === 0 ? `0x${p.slice(2, 65)}${p.endsWith("0") ? "1" : "0"}` : p));
      expect((await request(app).post("/v1/verify/receipt").send({ receipt: { ...receipt, proof: flipped } }).expect(200)).body.status).to.equal("NOT_FOUND");
    });

    it("refuses a receipt of another ledger (422 OTHER_LEDGER) and a malformed one (400)", async function () {
      const receipt = {
        type: "tradeproof-receipt/v1", docHash: invoiceHash, docType: "380", root: invoiceHash, proof: [], chainId: 31337,
        registry: c.deployment.registry, txHash: label("tx"), blockNumber: 1, anchoredAt: "2026-11-23T10:00:00Z", issuer: c.trader.address,
      };
      const other = await request(app).post("/v1/verify/receipt").send({ receipt: { ...receipt, chainId: 1 } }).expect(422);
      expect(other.body.error.code).to.equal("OTHER_LEDGER");
      await request(app).post("/v1/verify/receipt").send({ receipt: { ...receipt, registry: c.deployment.council } }).expect(422);
      for (const bad of [{ ...receipt, proof: "none" }, { ...receipt, type: "oa-v2" }, { receipt: undefined }]) {
        expect((await request(app).post("/v1/verify/receipt").send({ receipt: bad }).expect(400)).body.error.code, JSON.stringify(bad)).to.match(/VALIDATION_FAILED|INVALID/);
      }
      // A single document's receipt works too.
      expect((await request(app).post("/v1/verify/receipt").send({ receipt }).expect(200)).body.status).to.equal("SUPERSEDED");
    });
  });

  describe("GET /v1/members", function () {
    it("lists the six organisations with their accounts", async function () {
      const { body } = await request(app).get("/v1/members").expect(200);
      expect(body.organisations.map((o: { name: string }) => o.name)).to.deep.equal([
        "Saigon Textiles JSC", "VCCI Ho Chi Minh City", "General Department of Vietnam Customs", "Plant Protection Department", "State Audit Office", "Rotterdam Imports BV",
      ]);
      expect(body.organisations[0]).to.deep.equal({ id: 1, name: "Saigon Textiles JSC", country: "VN", kind: "TRADER", status: "ACTIVE", accounts: [c.trader.address, c.trader2.address] });
    });
  });

  describe("GET /v1/policies", function () {
    it("lists who may register each type and how many approvals it needs, and the default", async function () {
      const { body } = await request(app).get("/v1/policies").expect(200);
      expect(body.default).to.deep.equal({ issuers: ["TRADER", "ISSUING_AUTHORITY"], approvals: 1 });
      expect(body.types).to.deep.include({ docType: { code: "861", name: "Certificate of origin" }, issuers: ["ISSUING_AUTHORITY"], approvals: 2 });
    });
  });

  describe("GET /v1/documents/:docHash/history", function () {
    it("needs a session: 401 SESSION_REQUIRED", async function () {
      const { body } = await request(app).get(`/v1/documents/${invoiceHash}/history`).expect(401);
      expect(body.error.code).to.equal("SESSION_REQUIRED");
    });

    it("is refused to a signed-in trader: 403 ROLE_FORBIDDEN", async function () {
      const token = await signIn(app, c.trader);
      const { body } = await request(app).get(`/v1/documents/${invoiceHash}/history`).set("authorization", `Bearer ${token}`).expect(403);
      expect(body.error.code).to.equal("ROLE_FORBIDDEN");
    });

    it("is refused to a signed-in outsider: 403 ROLE_FORBIDDEN", async function () {
      const token = await signIn(app, c.outsider);
      await request(app).get(`/v1/documents/${invoiceHash}/history`).set("authorization", `Bearer ${token}`).expect(403);
    });

    it("refuses a forged token with 401 SESSION_INVALID", async function () {
      const { body } = await request(app).get(`/v1/documents/${invoiceHash}/history`).set("authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl").expect(401);
      expect(body.error.code).to.equal("SESSION_INVALID");
    });

    it("gives customs the ordered events and the chain of versions", async function () {
      const token = await signIn(app, c.customs);
      const { body } = await request(app).get(`/v1/documents/${amended}/history`).set("authorization", `Bearer ${token}`).expect(200);
      expect(body.entries.map((e: { action: string }) => e.action)).to.deep.equal(["REGISTERED", "SUPERSEDED"]);
      expect(body.versions).to.deep.equal([invoiceHash, amended]);
      const superseded = body.entries[1];
      expect(superseded).to.deep.include({ anchor: invoiceHash, account: c.trader.address.toLowerCase(), organisation: 1, organisationName: "Saigon Textiles JSC" });
      expect(superseded.details).to.deep.equal({ newAnchor: amended });
    });

    it("gives an auditor the history of a public batch document, without its neighbours' revocations", async function () {
      const token = await signIn(app, c.auditor);
      const own = (await request(app).get(`/v1/documents/${leaves[1]}/history`).set("authorization", `Bearer ${token}`).expect(200)).body;
      expect(own.entries.map((e: { action: string }) => e.action)).to.deep.equal(["BATCH_REGISTERED", "BATCH_DOCUMENT_REVOKED"]);
      const neighbour = (await request(app).get(`/v1/documents/${leaves[0]}/history`).set("authorization", `Bearer ${token}`).expect(200)).body;
      expect(neighbour.entries.map((e: { action: string }) => e.action)).to.deep.equal(["BATCH_REGISTERED"]);
    });
  });

  describe("GET /v1/audit/events", function () {
    let token: string;
    before(async function () {
      token = await signIn(app, c.agency);
    });
    const get = (q: string) => request(app).get(`/v1/audit/events${q}`).set("authorization", `Bearer ${token}`);

    it("filters by organisation, type and action", async function () {
      const { body } = await get("?organisation=2&docType=861&action=REGISTERED").expect(200);
      expect(body.events.map((e: { docHash: string }) => e.docHash)).to.deep.equal([pdfHash, coo]);
      expect(body).to.not.have.property("nextCursor");
    });

    it("pages with a cursor until every event was seen once", async function () {
      const all = (await get("?limit=1000").expect(200)).body.events;
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const { body } = await get(`?limit=7${cursor ? `&cursor=${cursor}` : ""}`).expect(200);
        seen.push(...body.events.map((e: { txHash: string; logIndex: number }) => `${e.txHash}:${e.logIndex}`));
        cursor = body.nextCursor;
      } while (cursor);
      expect(seen).to.deep.equal(all.map((e: { txHash: string; logIndex: number }) => `${e.txHash}:${e.logIndex}`));
    });

    it("filters by time: a range in the future is empty, one around now has everything", async function () {
      expect((await get("?from=2100-01-01T00:00:00Z").expect(200)).body.events).to.deep.equal([]);
      const all = (await get("?limit=1000").expect(200)).body.events.length;
      expect((await get(`?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&limit=1000`).expect(200)).body.events).to.have.length(all);
    });

    it("exports CSV with a header and one line per event", async function () {
      const res = await get("?format=csv&action=ATTESTED&docType=861").expect(200);
      expect(res.headers["content-type"]).to.match(/^text\/csv/);
      const lines = res.text.trim().split("\r\n");
      expect(lines[0]).to.equal(
        "blockNumber,logIndex,txHash,at,contract,event,action,anchor,docHash,related,organisation,organisationName,organisationCountry,organisationKind,account,docType,details",
      );
      expect(lines).to.have.length(2);
      expect(lines[1]).to.contain(`,DocumentAttested,ATTESTED,${pdfHash},${pdfHash},,3,General Department of Vietnam Customs,VN,CUSTOMS,${c.customs.address.toLowerCase()},861,`);
    });

    it("gives a proposal's calls in words beside their calldata", async function () {
      const { body } = await get("?action=PROPOSAL_CREATED&limit=1").expect(200);
      const words = body.events[0].details.callsInWords as string[];
      expect(words[0]).to.equal(`admit Saigon Textiles JSC (VN, trader) with accounts ${c.trader.address}, ${c.trader2.address}`);
      expect(words).to.include("document type 861: issuing authority may register it, 2 approvals");
    });

    it("names each organisation beside its number in the events", async function () {
      const { body } = await get("?action=ATTESTED&docType=861").expect(200);
      expect(body.events[0]).to.deep.include({ organisation: 3, organisationName: "General Department of Vietnam Customs", organisationCountry: "VN", organisationKind: "CUSTOMS" });
    });

    it("neutralises a CSV cell a spreadsheet would run as a formula, and leaves numbers and plain text alone", function () {
      expect(["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "Mekong Coffee", "", 42, -3].map(csvCell)).to.deep.equal([
        `"'=HYPERLINK(""x"")"`, "'+1", "'-2", "'@SUM(A1)", "'\tx", "Mekong Coffee", "", "42", "-3",
      ]);
    });

    it("refuses an unknown action, a bad date and a forged cursor with 400", async function () {
      expect((await get("?action=STOLEN").expect(400)).body.error.code).to.equal("VALIDATION_FAILED");
      expect((await get("?from=yesterday").expect(400)).body.error.code).to.equal("VALIDATION_FAILED");
      expect((await get("?cursor=bm9wZQ").expect(400)).body.error.code).to.equal("INVALID_CURSOR");
    });

    it("is refused without a session (401) and to a trader (403)", async function () {
      await request(app).get("/v1/audit/events").expect(401);
      const traderToken = await signIn(app, c.otherTrader);
      await request(app).get("/v1/audit/events").set("authorization", `Bearer ${traderToken}`).expect(403);
    });
  });

  describe("service endpoints", function () {
    it("GET /health says the node is reachable and the index has no lag", async function () {
      const { body } = await request(app).get("/health").expect(200);
      expect(body).to.deep.equal({ status: "ok", chainId: 31337, node: { reachable: true, head: await c.provider.getBlockNumber() }, database: { reachable: true }, index: { block: await services.indexer.cursor(), lag: 0 } });
    });

    it("GET /metrics speaks Prometheus with request and index figures", async function () {
      const res = await request(app).get("/metrics").expect(200);
      expect(res.headers["content-type"]).to.match(/^text\/plain/);
      expect(res.text).to.match(/^tradeproof_http_requests_total\{method="GET",route="\/v1\/documents\/:docHash",status="200"\} \d+$/m);
      expect(res.text).to.match(/^tradeproof_index_lag_blocks 0$/m);
    });

    it("GET /v1/openapi.json is OpenAPI 3.1 with every route", async function () {
      const { body } = await request(app).get("/v1/openapi.json").expect(200);
      expect(body.openapi).to.equal("3.1.0");
      expect(Object.keys(body.paths)).to.have.members([
        "/v1/auth/nonce", "/v1/auth/login", "/v1/requests/prepare", "/v1/requests", "/v1/requests/{id}", "/v1/requests/{id}/receipts", "/v1/verify/receipt", "/v1/documents/{docHash}",
        "/v1/documents/{docHash}/history", "/v1/verify", "/v1/verify/batch", "/v1/members", "/v1/policies", "/v1/audit/events", "/v1/references/{organisation}/{commitment}",
        "/v1/documents/{docHash}/credential", "/v1/credentials", "/v1/status", "/v1/status/{purpose}/{list}", "/v1/credentials/verify",
      ]);
      expect(body.paths["/v1/audit/events"].get.security).to.deep.equal([{ session: [] }]);
      expect(body.components.schemas).to.include.keys("VerificationResult", "ForwardRequest", "Error");
    });

    it("GET /docs serves a page that renders the spec with its own script", async function () {
      const res = await request(app).get("/docs/").expect(200);
      expect(res.text).to.contain('<script src="docs.js"');
      expect(res.text).to.not.match(/https?:\/\//);
      await request(app).get("/docs/docs.js").expect(200);
    });

    it("sends security headers", async function () {
      const res = await request(app).get("/health").expect(200);
      expect(res.headers["content-security-policy"]).to.contain("default-src 'self'");
      expect(res.headers["x-content-type-options"]).to.equal("nosniff");
      expect(res.headers).to.not.have.property("x-powered-by");
    });

    it("an unknown route is 404 NOT_FOUND in the error shape", async function () {
      const { body } = await request(app).get("/v1/nothing").expect(404);
      expect(body).to.deep.equal({ error: { code: "NOT_FOUND", message: "No route for GET /v1/nothing." } });
    });

    it("rate-limits the open endpoints with 429 RATE_LIMITED", async function () {
      const limited = await apiFor(c, anvil.url, { env: { TRADEPROOF_RATE_LIMIT: "2" } });
      await request(limited.app).get(`/v1/documents/${pdfHash}`).expect(200);
      await request(limited.app).get(`/v1/documents/${pdfHash}`).expect(200);
      const { body } = await request(limited.app).get(`/v1/documents/${pdfHash}`).expect(429);
      expect(body.error.code).to.equal("RATE_LIMITED");
      await limited.services.close();
    });
  });
});
