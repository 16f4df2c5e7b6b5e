// The three credential flows from the command line, against a real API on 127.0.0.1: issue (`credential`), verify online
// (`verify-credential`), verify offline from a cache (`cache refresh`, `verify-credential --offline`).
import { createServer, type Server } from "node:http";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import type { Services } from "../../api/services.js";
import { hashFile } from "../../sdk/index.js";
import { apiFor } from "../api/app-helpers.js";
import { Anvil, deployConsortium, DocType, freePort, tempDir, type Consortium } from "../api/helpers.js";
import { runCli } from "./harness.js";

const SAMPLES = new URL("../../../shared/samples/", import.meta.url).pathname;

describe("CLI: credential, verify-credential, cache refresh", function () {
  this.timeout(180_000);
  let anvil: Anvil;
  let c: Consortium;
  let services: Services;
  let server: Server | undefined;
  let api: string;
  let port: number;
  const work = tempDir();
  const invoice = join(work, "commercial-invoice.json");
  const other = join(work, "goods-declaration.json");
  const jwt = `${invoice}.credential.jwt`;
  const cache = join(work, "cache");
  const listen = async () => {
    server = createServer(await apiFor(c, anvil.url, { dataDir: join(work, "api"), env: { TRADEPROOF_PUBLIC_URL: api } }).then((a) => ((services = a.services), a.app)));
    await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    await services.indexer.syncOnce();
  };
  const shut = async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    await services?.close();
  };

  before(async function () {
    copyFileSync(join(SAMPLES, "commercial-invoice.json"), invoice);
    copyFileSync(join(SAMPLES, "goods-declaration.json"), other);
    anvil = await Anvil.start();
    c = await deployConsortium(anvil.url);
    await (await c.registry.connect(c.trader).register(await hashFile(invoice), DocType.INVOICE)).wait();
    port = await freePort();
    api = `http://127.0.0.1:${port}`;
    await listen();
  });
  after(async function () {
    await shut();
    c?.provider.destroy();
    await anvil?.stop();
  });

  it("gets a VALID document's credential into <file>.credential.jwt and checks it online, document included", async function () {
    const got = await runCli(["credential", invoice, "--api", api]);
    expect(got.stderr).to.equal("");
    expect(got.code).to.equal(0);
    expect(got.stdout).to.include(`written to ${jwt}`);
    expect(readFileSync(jwt, "utf8").trim().split(".")).to.have.length(3);
    const run = await runCli(["verify-credential", jwt, "--api", api, "--document", invoice]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/VALID — signed by the ledger/);
    expect(run.stdout).to.include("the file given is this document");
    expect(run.stdout).to.match(/revocation\s+clear\s+fetched \d+ s ago, valid until/);
    const json = JSON.parse((await runCli(["verify-credential", jwt, "--api", api, "--json"])).stdout);
    expect(json.verdict).to.equal("VALID");
    expect(json.credential.credentialSubject.docHash).to.equal(await hashFile(invoice));
  });

  it("refuses another document, and a credential of a ledger it was not told to trust", async function () {
    const mismatch = await runCli(["verify-credential", jwt, "--api", api, "--document", other]);
    expect(mismatch.code).to.equal(1);
    expect(mismatch.stdout).to.include("INVALID").and.include("the file given is NOT this document");
    const foreign = await runCli(["verify-credential", jwt, "--api", api, "--issuer", "did:web:ledger.other-customs.example"]);
    expect(foreign.code).to.equal(1);
    expect(foreign.stdout).to.include(`not by this ledger (did:web:ledger.other-customs.example)`);
  });

  it("offline: says what to do with an empty cache; after `cache refresh` verifies with the API stopped, saying how old the lists are", async function () {
    const empty = await runCli(["verify-credential", jwt, "--offline", "--api", api], { TRADEPROOF_CACHE_DIR: cache });
    expect(empty.code).to.equal(1);
    expect(empty.stdout).to.include("INVALID").and.include("The signature cannot be checked: the DID document");
    expect(empty.stderr).to.include("tradeproof cache refresh");
    const refreshed = await runCli(["cache", "refresh", "--api", api], { TRADEPROOF_CACHE_DIR: cache });
    expect(refreshed.code, refreshed.stderr).to.equal(0);
    expect(refreshed.stdout).to.include(`cached the DID document of did:web:127.0.0.1%3A${port} and 2 status lists in ${cache}`);
    await shut();
    const offline = await runCli(["verify-credential", jwt, "--offline", "--cache", cache, "--api", api, "--document", invoice]);
    expect(offline.code, offline.stdout + offline.stderr).to.equal(0);
    expect(offline.stdout).to.match(/revocation\s+clear\s+cached \d+ s ago, valid until \d{4}-/);
    expect(offline.stdout).to.match(/DID document\s+cached \d+ s ago\n/); // a key retired since the refresh is still trusted by this copy
    const { didDocument } = JSON.parse((await runCli(["verify-credential", jwt, "--offline", "--cache", cache, "--api", api, "--json"])).stdout);
    expect(didDocument).to.include({ id: `did:web:127.0.0.1%3A${port}`, fetchedAt: / at (\S+)\n$/.exec(refreshed.stdout)![1] });
    expect(didDocument.ageSeconds).to.be.a("number").and.at.least(0);
    // A folder of more than 20: one line for each that is not VALID, then the counts (every credential kept whole for
    // the end is only for --json and a few files).
    const inbox = join(work, "inbox");
    mkdirSync(inbox);
    const good = readFileSync(jwt, "utf8").trim();
    const [header, payload, signature] = good.split(".");
    const altered = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8"));
    altered.credentialSubject.documentType.code = "861";
    for (let i = 0; i < 24; i++) writeFileSync(join(inbox, `${String(i).padStart(2, "0")}.credential.jwt`), `${good}\n`);
    writeFileSync(join(inbox, "24.credential.jwt"), `${header}.${Buffer.from(JSON.stringify(altered)).toString("base64url")}.${signature}\n`);
    const many = await runCli(["verify-credential", "--offline", "--cache", cache, "--api", api, inbox]);
    expect(many.code).to.equal(1);
    const lines = many.stdout.trim().split("\n");
    expect(lines).to.have.length(2);
    expect(lines[0]).to.equal(`${join(inbox, "24.credential.jwt")}  INVALID  The signature does not verify: the credential was altered or not signed by this key.`);
    expect(lines[1]).to.match(/^25 credentials: 24 VALID, 1 INVALID; status lists \d+ s old, DID document \d+ s old$/);
    const online = await runCli(["verify-credential", jwt, "--api", api]);
    expect(online.code).to.equal(1);
    expect(online.stdout).to.include("INVALID").and.include("cannot be reached");
    const noApi = await runCli(["credential", invoice, "--api", api]);
    expect(noApi.code).to.equal(3);
    expect(noApi.stderr).to.include(`The API at ${api} cannot be reached`);
  });

  it("after a revocation: REVOKED online at once, offline once the cache is refreshed, and no new credential", async function () {
    await (await c.registry.connect(c.trader).revoke(await hashFile(invoice), "issued in error")).wait();
    await listen();
    const online = await runCli(["verify-credential", jwt, "--api", api]);
    expect(online.code).to.equal(1);
    expect(online.stdout).to.include("REVOKED — the ledger has revoked this document");
    expect(online.stdout).to.match(/revocation\s+set/);
    const stale = await runCli(["verify-credential", jwt, "--offline", "--cache", cache, "--api", api]);
    expect(stale.stdout).to.match(/VALID[\s\S]*cached \d+ s ago/); // what the cache knew, and how old it is
    expect((await runCli(["cache", "refresh", "--api", api, "--cache", cache])).code).to.equal(0);
    const fresh = await runCli(["verify-credential", jwt, "--offline", "--cache", cache, "--api", api]);
    expect(fresh.code).to.equal(1);
    expect(fresh.stdout).to.include("REVOKED");
    const refused = await runCli(["credential", invoice, "--api", api]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include("The document was revoked; no credential is issued for it.");
  });
});
