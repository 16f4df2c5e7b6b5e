// The network profile: the API (relayer and indexer loops running) and the CLI against anvil mining a block every
// 2 s with no gas price, as on a QBFT consortium, so that nothing silently assumes a block per transaction. The SDK's
// whole behaviour suite runs on the same profile in test/sdk/client.test.ts.
import { expect } from "chai";
import { ethers } from "ethers";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import type { RequestListener } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import type { Services } from "../../api/services.js";
import { FREE_GAS_FLAGS } from "../../scripts/embedded/anvil.js";
import { maxPublicBatch, referenceCommitment, type Receipt } from "../../sdk/index.js";
import { demoWallet } from "../../scripts/demo.js";
import { apiFor } from "../api/app-helpers.js";
import { Anvil, deployConsortium, DocType, type Consortium } from "../api/helpers.js";
import { runCli } from "../cli/harness.js";

const label = (s: string) => ethers.keccak256(ethers.toUtf8Bytes(s)).toLowerCase();
const BLOCK_SECONDS = 2;

describe("the network profile: a block every 2 s, no gas price", function () {
  this.timeout(300_000);
  let anvil: Anvil;
  let c: Consortium;

  before(async function () {
    anvil = await Anvil.start(["--block-time", String(BLOCK_SECONDS), ...FREE_GAS_FLAGS]);
    c = await deployConsortium(anvil.url);
  });
  after(async function () {
    c?.provider.destroy();
    await anvil?.stop();
  });

  describe("the API with its loops running", function () {
    let app: RequestListener;
    let services: Services;

    before(async function () {
      ({ app, services } = await apiFor(c, anvil.url, { env: { TRADEPROOF_POLL_MS: "200" } }));
      services.start();
    });
    after(async function () {
      await services?.close();
    });

    async function submit(signer: ethers.HDNodeWallet, action: Record<string, unknown>): Promise<string> {
      const prepared = await request(app).post("/v1/requests/prepare").send({ from: signer.address, ...action });
      expect(prepared.status, JSON.stringify(prepared.body)).to.equal(200);
      const { domain, types, message } = prepared.body;
      const res = await request(app).post("/v1/requests").send({ request: message, signature: await signer.signTypedData(domain, types, message) });
      expect(res.status, JSON.stringify(res.body)).to.equal(202);
      return res.body.id as string;
    }
    async function settled(ids: string[], timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const all = await Promise.all(ids.map(async (id) => (await request(app).get(`/v1/requests/${id}`).expect(200)).body));
        if (all.every((r) => r.status === "mined" || r.status === "failed") || Date.now() > until) return all;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    async function documentStatus(docHash: string, wanted: string, timeoutMs = 20_000): Promise<string> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const { body } = await request(app).get(`/v1/documents/${docHash}`).expect(200);
        if (body.status === wanted || Date.now() > until) return body.status as string;
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    it("30 relayed registers of 3 members submitted together are all mined, many to a transaction, within a few blocks", async function () {
      const members = [c.trader, c.trader2, c.officer1];
      // Each member submits its own run in order (each request takes the next nonce); the members run side by side.
      const runs = await Promise.all(
        members.map(async (m, k) => {
          const ids: string[] = [];
          for (let i = 0; i < 10; i++) ids.push(await submit(m, { action: "register", docHash: label(`network ${k} ${i}`), docType: m === c.officer1 ? DocType.CERTIFICATE_OF_ORIGIN : 380 }));
          return ids;
        }),
      );
      const results = await settled(runs.flat());
      expect(results.map((r) => r.status)).to.deep.equal(results.map(() => "mined"));
      const transactions = new Set(results.map((r) => r.txHash));
      const blocks = results.map((r) => r.blockNumber as number);
      expect(transactions.size, "relayer transactions for 30 requests").to.be.below(10);
      expect(Math.max(...blocks) - Math.min(...blocks), "blocks spanned").to.be.at.most(5);
      for (let k = 0; k < 3; k++) expect(await documentStatus(label(`network ${k} 9`), k === 2 ? "PENDING" : "VALID")).to.equal(k === 2 ? "PENDING" : "VALID");
    });

    it("a certificate's second signature and a revocation, relayed, reach the index", async function () {
      const docHash = label("network four eyes");
      const [registered] = await settled([await submit(c.officer1, { action: "register", docHash, docType: DocType.CERTIFICATE_OF_ORIGIN })]);
      expect(registered.status).to.equal("mined");
      expect(await documentStatus(docHash, "PENDING")).to.equal("PENDING");
      const [approved] = await settled([await submit(c.officer2, { action: "approve", anchor: docHash })]);
      expect(approved.status, JSON.stringify(approved)).to.equal("mined");
      expect(await documentStatus(docHash, "VALID")).to.equal("VALID");
      const [revoked] = await settled([await submit(c.officer1, { action: "revoke", anchor: docHash, reason: "issued in error" })]);
      expect(revoked.status, JSON.stringify(revoked)).to.equal("mined");
      expect(await documentStatus(docHash, "REVOKED")).to.equal("REVOKED");
    });

    it("a relayed document's credential verifies, and reads REVOKED through its status list once the revocation is mined", async function () {
      const docHash = label("network credential");
      const [registered] = await settled([await submit(c.trader, { action: "register", docHash, docType: 380 })]);
      expect(registered.status, JSON.stringify(registered)).to.equal("mined");
      expect(await documentStatus(docHash, "VALID")).to.equal("VALID");
      const credential = (await request(app).get(`/v1/documents/${docHash}/credential`).expect(200)).text;
      const check = async () => (await request(app).post("/v1/credentials/verify").send({ credential, docHash }).expect(200)).body;
      expect((await check()).verdict).to.equal("VALID");
      const [revoked] = await settled([await submit(c.trader, { action: "revoke", anchor: docHash, reason: "issued in error" })]);
      expect(revoked.status, JSON.stringify(revoked)).to.equal("mined");
      // The lists follow the index, which follows the blocks: the bit is set within a few polls of the block.
      const until = Date.now() + 20_000;
      let body = await check();
      while (body.verdict !== "REVOKED" && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200));
        body = await check();
      }
      expect(body.verdict, JSON.stringify(body.problem)).to.equal("REVOKED");
      expect(body.statuses.map((s: { purpose: string; set: boolean }) => [s.purpose, s.set])).to.deep.equal([["revocation", true], ["superseded", false]]);
    });
  });

  describe("documents by number", function () {
    let app: RequestListener;
    let services: Services;

    before(async function () {
      ({ app, services } = await apiFor(c, anvil.url, { env: { TRADEPROOF_POLL_MS: "200" } }));
      services.start();
    });
    after(async function () {
      await services?.close();
    });

    it("a relayed register and its filing are both mined, the filing never before the register, and the number finds the document", async function () {
      const docHash = label("network numbered invoice");
      const ids: string[] = [];
      for (const action of [
        { action: "register", docHash, docType: 380 },
        { action: "fileReferences", anchor: docHash, references: [{ docHash, scheme: "invoice", id: "NET-INV-0001" }] },
      ]) {
        const prepared = await request(app).post("/v1/requests/prepare").send({ from: c.trader.address, ...action });
        expect(prepared.status, JSON.stringify(prepared.body)).to.equal(200);
        const { domain, types, message } = prepared.body;
        ids.push((await request(app).post("/v1/requests").send({ request: message, signature: await c.trader.signTypedData(domain, types, message) }).expect(202)).body.id);
      }
      const until = Date.now() + 60_000;
      let states: { status: string; blockNumber?: number }[] = [];
      while (Date.now() < until) {
        states = await Promise.all(ids.map(async (id) => (await request(app).get(`/v1/requests/${id}`).expect(200)).body));
        if (states.every((r) => r.status === "mined" || r.status === "failed")) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(states.map((r) => r.status)).to.deep.equal(["mined", "mined"]);
      // The member's forwarder nonces order them: the filing is in the register's transaction or a later one.
      expect(states[1]!.blockNumber!).to.be.at.least(states[0]!.blockNumber!);
      const commitment = referenceCommitment(1, { scheme: "invoice", id: "net inv 0001" });
      let found: string[] = [];
      while (Date.now() < until && found.length === 0) {
        found = (await request(app).get(`/v1/references/1/${commitment}`).expect(200)).body.documents.map((d: { result: { docHash: string } }) => d.result.docHash);
        if (found.length === 0) await new Promise((r) => setTimeout(r, 200));
      }
      expect(found).to.deep.equal([docHash]);
    });
  });

  describe("the CLI", function () {
    let dir: string;
    let env: Record<string, string>;
    const as = (role: Parameters<typeof demoWallet>[0]) => ({ ...env, TRADEPROOF_PRIVATE_KEY: demoWallet(role).privateKey });

    before(async function () {
      dir = await mkdtemp(join(tmpdir(), "tradeproof-network-cli-"));
      env = { TRADEPROOF_RPC: anvil.url, TRADEPROOF_DEPLOYMENT: join(dir, "deployment.json") };
      const deploy = await runCli(["deploy", "--demo"], env);
      expect(deploy.code, deploy.stderr).to.equal(0);
    });
    after(async function () {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("registers, verifies and revokes a document", async function () {
      const file = join(dir, "invoice.json");
      await writeFile(file, JSON.stringify({ invoice: "NET-1", total: 1 }));
      const register = await runCli(["register", file, "--type", "380"], as("trader"));
      expect(register.code, register.stderr).to.equal(0);
      const verify = await runCli(["verify", file, "--json"], env);
      expect(JSON.parse(verify.stdout).status).to.equal("VALID");
      const revoke = await runCli(["revoke", file, "--reason", "issued in error"], as("trader"));
      expect(revoke.code, revoke.stderr).to.equal(0);
      expect(JSON.parse((await runCli(["verify", file, "--json"], env)).stdout).status).to.equal("REVOKED");
    });

    it("registers under a number and finds the document by it", async function () {
      const file = join(dir, "numbered-invoice.json");
      await writeFile(file, JSON.stringify({ invoiceNumber: "NET-INV-0002", total: 2 }));
      const register = await runCli(["register", file, "--type", "380", "--reference-field", "invoiceNumber"], as("trader"));
      expect(register.code, register.stderr).to.equal(0);
      const find = await runCli(["find", "--issuer", "Mekong Coffee Export JSC", "--scheme", "invoice", "net-inv-0002", "--json"], env);
      expect(find.code, find.stderr).to.equal(0);
      expect(JSON.parse(find.stdout).documents.map((d: { result: { status: string } }) => d.result.status)).to.deep.equal(["VALID"]);
    });

    it("anchors a public batch in parts that fit a small transaction limit, with a receipt for every document", async function () {
      const batch = join(dir, "batch");
      await mkdir(batch);
      for (let i = 0; i < 250; i++) await writeFile(join(batch, `doc-${i}.json`), JSON.stringify({ invoice: `NET-B-${i}` }));
      // 4,096 bytes a transaction: a public batch of at most 117 documents, so 250 documents take three parts.
      const { documents } = maxPublicBatch({ maxTxBytes: 4_096, maxTxGas: 16_777_216 });
      expect(documents).to.equal(117);
      const run = await runCli(["register-batch", batch, "--type", "380", "--public", "--receipts", join(dir, "receipts")], { ...as("trader"), TRADEPROOF_MAX_TX_BYTES: "4096" });
      expect(run.code, run.stderr).to.equal(0);
      const files = await readdir(join(dir, "receipts"));
      expect(files.length).to.equal(250);
      const roots = await Promise.all(files.map(async (f) => (JSON.parse(await readFile(join(dir, "receipts", f), "utf8")) as Receipt).root));
      expect(new Set(roots).size, "three parts, three roots").to.equal(3);
      const results = await Promise.all([0, 120, 249].map(async (i) => JSON.parse((await runCli(["verify", join(batch, `doc-${i}.json`), "--json"], env)).stdout)));
      expect(results.map((r) => r.status)).to.deep.equal(["VALID", "VALID", "VALID"]);
    });
  });
});
