import { expect } from "chai";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ethers } from "ethers";
import request from "supertest";
import { ConfigError, loadConfig } from "../../api/config.js";
import { startServer } from "../../api/server.js";
import { apiFor } from "./app-helpers.js";
import { Anvil, deployConsortium, DocType, tempDir, type Consortium } from "./helpers.js";

describe("API faults: node outage, configuration, server lifecycle", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let c: Consortium;
  const docHash = ethers.keccak256(ethers.toUtf8Bytes("survives the outage")).toLowerCase();

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    await (await c.registry.connect(c.trader).register(docHash, DocType.INVOICE)).wait();
  });
  after(async function () {
    c?.provider.destroy();
    await anvil?.stop();
  });

  it("answers 503 NODE_UNREACHABLE while the node is down, never a verdict, and recovers when it is back", async function () {
    const { app, services } = await apiFor(c, anvil.url);
    await services.indexer.syncOnce();
    expect((await request(app).get(`/v1/documents/${docHash}`).expect(200)).body.status).to.equal("VALID");
    await anvil.stop();
    try {
      const other = ethers.keccak256("0x01");
      const doc = await request(app).get(`/v1/documents/${other}`).expect(503);
      expect(doc.body).to.deep.equal({ error: { code: "NODE_UNREACHABLE", message: "The ledger node cannot be reached; try again shortly." } });
      const health = await request(app).get("/health").expect(503);
      expect(health.body).to.deep.include({ status: "unavailable", node: { reachable: false } });
      expect(health.body.error.code).to.equal("NODE_UNREACHABLE");
      expect((await request(app).get("/v1/members").expect(503)).body.error.code).to.equal("NODE_UNREACHABLE");
      const prep = await request(app).post("/v1/requests/prepare").send({ action: "register", from: c.trader.address, docHash: other, docType: 380 }).expect(503);
      expect(prep.body.error.code).to.equal("NODE_UNREACHABLE");
      const sync = await services.indexer.syncOnce().then(() => undefined, (e: unknown) => e);
      expect(sync).to.be.instanceOf(Error);
    } finally {
      await anvil.start();
    }
    expect((await request(app).get(`/v1/documents/${docHash}`).expect(200)).body.status).to.equal("VALID");
    expect((await request(app).get("/health").expect(200)).body.status).to.equal("ok");
    await services.close();
  });

  it("a node that serves another chain than the deployment's: 503 WRONG_CHAIN", async function () {
    const { app, services } = await apiFor({ ...c, deployment: { ...c.deployment, chainId: 1 } }, anvil.url);
    const { body } = await request(app).get(`/v1/documents/${docHash}`).expect(503);
    expect(body.error.code).to.equal("WRONG_CHAIN");
    expect(body.error.message).to.equal("The node serves chain 31337; the deployment is on chain 1.");
    await services.close();
  });

  /** The API started for real (startServer, an HTTP port on 127.0.0.1) on the test chain. */
  async function serverOnTheChain() {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, "deployment.json"), JSON.stringify(c.deployment));
    return startServer({
      env: { TRADEPROOF_RPC: anvil.url, TRADEPROOF_DATA_DIR: dataDir, TRADEPROOF_DEPLOYMENT: join(dataDir, "deployment.json"), TRADEPROOF_API_PORT: "0", TRADEPROOF_LOG_LEVEL: "silent" },
      handleSignals: false,
    });
  }

  it("startServer listens on 127.0.0.1, serves, and closes cleanly", async function () {
    const running = await serverOnTheChain();
    try {
      expect(running.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${running.url}/v1/documents/${docHash}`);
      expect(res.status).to.equal(200);
      expect((await res.json()).status).to.equal("VALID");
    } finally {
      await running.close();
    }
  });

  it("bad input that Node or the body parser refuses still answers { error: { code, message } }: a false gzip body 400, a 64 KB query string 431", async function () {
    const running = await serverOnTheChain();
    try {
      const gzip = await fetch(`${running.url}/v1/verify/batch`, {
        method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: JSON.stringify({ not: "gzip" }),
      });
      expect(gzip.status).to.equal(400);
      expect((await gzip.json()).error).to.deep.equal({ code: "INVALID_BODY", message: "The body is not valid gzip: send it as its Content-Encoding says, or uncompressed." });
      const long = await fetch(`${running.url}/v1/audit?q=${"x".repeat(64 * 1024)}`);
      expect(long.status).to.equal(431);
      expect(long.headers.get("content-type")).to.match(/^application\/json/);
      expect((await long.json()).error.code).to.equal("HEADERS_TOO_LARGE");
      // The server goes on serving.
      expect((await fetch(`${running.url}/v1/documents/${docHash}`)).status).to.equal(200);
    } finally {
      await running.close();
    }
  });

  it("a missing deployment file stops the start, naming TRADEPROOF_DEPLOYMENT", async function () {
    const err = await startServer({ env: { TRADEPROOF_DATA_DIR: tempDir(), TRADEPROOF_DEPLOYMENT: "/nonexistent/deployment.json", TRADEPROOF_API_PORT: "0" }, handleSignals: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).variable).to.equal("TRADEPROOF_DEPLOYMENT");
  });

  for (const [variable, value] of [
    ["TRADEPROOF_API_PORT", "eighty"],
    ["TRADEPROOF_API_PORT", "70000"],
    ["TRADEPROOF_RPC", "ftp://127.0.0.1"],
    ["TRADEPROOF_RELAYER_KEY", "0x1234"],
    ["TRADEPROOF_CONFIRMATIONS", "-1"],
    ["TRADEPROOF_LOG_LEVEL", "loud"],
    ["TRADEPROOF_SESSION_SECRET", "short"],
  ] as const) {
    it(`a bad ${variable} (${value}) stops the start with a message naming it`, function () {
      expect(() => loadConfig({ [variable]: value })).to.throw(ConfigError, new RegExp(`^${variable}: `));
    });
  }

  it("defaults bind to 127.0.0.1 and keep data under ./data", function () {
    const config = loadConfig({});
    expect(config.host).to.equal("127.0.0.1");
    expect(config.dataDir).to.equal(join(process.cwd(), "data"));
    expect(config.publicUrl).to.equal("http://127.0.0.1:8080");
  });
});
