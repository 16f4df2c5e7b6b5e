// The integration guide's two flows (api/docs/flows.html) run as written: its examples, started as an integrator
// would (node FILE), against the API listening for real on 127.0.0.1 over a test chain.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ethers } from "ethers";
import { CompactSign, importJWK } from "jose";
import { ledgerKeyFileIn, loadLedgerKeys } from "../../api/identity/keys.js";
import { startServer, type RunningServer } from "../../api/server.js";
import type { AnchorCredential } from "../../sdk/credentials.js";
import { part } from "../support/credentials.js";
import { Anvil, deployConsortium, freePort, tempDir, type Consortium } from "./helpers.js";

const EXAMPLES = fileURLToPath(new URL("../../api/docs/examples/", import.meta.url));

describe("the integration guide's examples", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let c: Consortium;
  let api: RunningServer;
  let dataDir: string;

  before(async function () {
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    dataDir = tempDir();
    writeFileSync(join(dataDir, "deployment.json"), JSON.stringify(c.deployment));
    api = await startServer({
      env: {
        TRADEPROOF_RPC: anvil.url, TRADEPROOF_DATA_DIR: dataDir, TRADEPROOF_DEPLOYMENT: join(dataDir, "deployment.json"),
        TRADEPROOF_API_PORT: String(await freePort()), TRADEPROOF_LOG_LEVEL: "silent", TRADEPROOF_RELAYER_KEY: c.relayer.privateKey,
        TRADEPROOF_POLL_MS: "100",
      },
      handleSignals: false,
    });
  });
  after(async function () {
    await api?.close();
    c?.provider.destroy();
    await anvil?.stop();
  });

  /** Runs an example as a child process (asynchronously: the API answering it runs in this process). */
  const example = (file: string, key: string, args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [join(EXAMPLES, file), ...args], { env: { ...process.env, TRADEPROOF_API: api.url, PRIVATE_KEY: key }, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }));
    });

  it("the guide and its examples are served under /docs", async function () {
    for (const path of ["/docs/flows.html", "/docs/credentials.html", "/docs/examples/sign-in.mjs", "/docs/examples/relayed-write.mjs", "/docs/examples/verify-credential.mjs"]) {
      expect((await fetch(`${api.url}${path}`)).status, path).to.equal(200);
    }
    const index = await (await fetch(`${api.url}/docs/`)).text();
    expect(index).to.contain('href="flows.html"').and.contain('href="credentials.html"');
  });

  it("relayed-write.mjs registers a document through the relayer and prints its receipt; sign-in.mjs then reads its history with a session", async function () {
    const docHash = ethers.keccak256(ethers.toUtf8Bytes("written by the guide's example")).toLowerCase();
    const write = await example("relayed-write.mjs", c.trader.privateKey, [docHash, "380"]);
    expect(write.status, write.stderr).to.equal(0);
    const receipt = JSON.parse(write.stdout);
    expect(receipt).to.deep.include({ type: "tradeproof-receipt/v1", docHash, root: docHash, issuer: c.trader.address });
    await api.services.indexer.syncOnce();
    const read = await example("sign-in.mjs", c.customs.privateKey, [docHash]);
    expect(read.status, read.stderr).to.equal(0);
    expect(read.stdout).to.match(/^\d{4}-\d{2}-\d{2}T[\d:]+Z {2}REGISTERED {2}by Saigon Textiles JSC\n$/);
  });

  it("verify-credential.mjs, written from the specifications with jose alone, checks a credential: VALID, then REVOKED", async function () {
    const docHash = ethers.keccak256(ethers.toUtf8Bytes("a document with a credential, checked by the guide's example")).toLowerCase();
    await (await c.registry.connect(c.trader).register(docHash, 380)).wait();
    await api.services.indexer.syncOnce();
    const file = join(tempDir(), "document.credential.jwt");
    writeFileSync(file, await (await fetch(`${api.url}/v1/documents/${docHash}/credential`)).text());
    const valid = await example("verify-credential.mjs", "", [file]);
    expect(valid.status, valid.stderr).to.equal(0);
    expect(valid.stdout).to.match(new RegExp(`^document ${docHash} \\(Commercial invoice\\), anchored \\S+Z by Saigon Textiles JSC\nVALID\n$`));
    await (await c.registry.connect(c.trader).revoke(docHash, "issued in error")).wait();
    await api.services.indexer.syncOnce();
    const revoked = await example("verify-credential.mjs", "", [file]);
    expect(revoked.status).to.equal(1);
    expect(revoked.stdout).to.match(/\nREVOKED\n$/);
  });

  it("verify-credential.mjs refuses a status list that is not the one its entry names, is for another purpose, has no validUntil or an expired one, or names another issuer", async function () {
    const docHash = ethers.keccak256(ethers.toUtf8Bytes("a credential whose status lists are not what they should be")).toLowerCase();
    await (await c.registry.connect(c.trader).register(docHash, 380)).wait();
    await api.services.indexer.syncOnce();
    const vc = part(await (await fetch(`${api.url}/v1/documents/${docHash}/credential`)).text(), 1) as AnchorCredential;
    const [revocation, superseded] = vc.credentialStatus;
    const list = part(await (await fetch(revocation.statusListCredential)).text(), 1);
    const keys = await loadLedgerKeys(ledgerKeyFileIn(dataDir));
    const key = keys.keys.find((k) => k.kid === keys.current)!;
    const did = `did:web:127.0.0.1%3A${new URL(api.url).port}`;
    const sign = async (payload: object) =>
      new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg: "ES256", typ: "vc+jwt", kid: `${did}#${key.kid}` }).sign(await importJWK(key.privateJwk, "ES256"));
    // Lists signed by the ledger's key, served from another address, which the credential's revocation entry names.
    const served = new Map<string, string>();
    const server = createServer((req, res) => void res.end(served.get(req.url!) ?? ""));
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      const at = (name: string) => `http://127.0.0.1:${port}/${name}`;
      const { validUntil: _, ...noValidUntil } = list;
      for (const [name, served_, refusal] of [
        ["another-list", list, `${at("another-list")} served another list: ${revocation.statusListCredential}`],
        ["another-purpose", { ...list, id: at("another-purpose"), credentialSubject: { ...list.credentialSubject, statusPurpose: "message" } }, `the status list ${at("another-purpose")} is for message, not revocation`],
        ["no-valid-until", { ...noValidUntil, id: at("no-valid-until") }, `the status list ${at("no-valid-until")} is not valid now (validUntil: undefined)`],
        ["expired", { ...list, id: at("expired"), validUntil: "2025-01-01T00:00:00Z" }, `the status list ${at("expired")} is not valid now (validUntil: 2025-01-01T00:00:00Z)`],
        ["another-issuer", { ...list, id: at("another-issuer"), issuer: "did:web:ledger.other-customs.example" }, `the status list ${at("another-issuer")} is not issued by ${did}`],
      ] as const) {
        served.set(`/${name}`, await sign(served_));
        const entry = { ...revocation, id: `${at(name)}#${revocation.statusListIndex}`, statusListCredential: at(name) };
        const file = join(tempDir(), `${name}.credential.jwt`);
        writeFileSync(file, await sign({ ...vc, credentialStatus: [entry, superseded] }));
        const run = await example("verify-credential.mjs", "", [file]);
        expect(run.status, name).to.equal(1);
        expect(run.stdout, name).to.not.include("VALID");
        expect(run.stderr, name).to.include(refusal);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("relayed-write.mjs says why the ledger refuses a write, with the refusal's code", async function () {
    const docHash = ethers.keccak256(ethers.toUtf8Bytes("not the trader's to issue")).toLowerCase();
    const write = await example("relayed-write.mjs", c.trader.privateKey, [docHash, "861"]);
    expect(write.status).to.equal(1);
    expect(write.stderr).to.contain("/v1/requests/prepare: 422 NOT_ISSUER:");
  });
});
