import { expect } from "chai";
import { existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, open, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider } from "ethers";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { startServer } from "../../api/server.js";
import { demoWallet } from "../../scripts/demo.js";
import { ChainArchive } from "../../scripts/embedded/archive.js";
import { Journal } from "../../scripts/embedded/journal.js";
import { startDurableRpc } from "../../scripts/embedded/durable-rpc.js";
import { buildBatch, hashJson, loadDeployment, TradeproofClient } from "../../sdk/index.js";
import type { DidDocument } from "../../sdk/credentials.js";
import { independentStatusBit, opensslVerifies, part } from "../support/credentials.js";
import { freePort, ROOT, startEmbedded, type Embedded } from "./embedded.js";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = join(ROOT, "data", "screenshots");

describe("web verifier in Chromium", function () {
  this.timeout(300_000);
  let dataDir: string;
  let profile: string;
  let port: number;
  let server: Embedded | undefined;
  let browser: BrowserContext;
  let page: Page;
  let demo: (name: string) => string;

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    dataDir = await mkdtemp(join(tmpdir(), "tradeproof-web-"));
    profile = await mkdtemp(join(tmpdir(), "tradeproof-chromium-"));
    await mkdir(SHOTS, { recursive: true });
    port = await freePort();
    server = await startEmbedded({ dataDir, port });
    demo = (name) => join(dataDir, "demo", name);
    // A new, temporary profile (user-data-dir) per run.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 1400 },
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  });

  beforeEach(async () => {
    page = await browser.newPage();
    await page.goto(`${server!.apiUrl}/`);
  });
  afterEach(async () => {
    await page.close();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  });

  const cards = () => page.locator("#results > li");
  const card = (name: string): Locator => page.locator("#results > li", { has: page.locator("h3", { hasText: name }) });
  const settled = async (n: number) => {
    await page.waitForFunction((count) => document.querySelectorAll("#results > li[data-status]").length === count, n);
  };

  it("the three sample documents read as valid, with issuer, country, type, countersignatures and customs outcomes", async () => {
    await page.setInputFiles("#files", ["certificate-of-origin.json", "commercial-invoice.json", "goods-declaration.json"].map(demo));
    await settled(3);
    expect(await cards().count()).to.equal(3);

    const coo = card("certificate-of-origin.json");
    expect(await coo.getAttribute("data-status")).to.equal("VALID");
    expect(await coo.locator(".badge").innerText()).to.include("Valid — genuine");
    const cooText = await coo.innerText();
    expect(cooText).to.include("Genuine: this exact document was anchored by Regional Export-Import Management Office, Ho Chi Minh City, Vietnam (VN), on ");
    expect(cooText).to.include("Certificate of origin (UNTDID 1001 code 861)");
    expect(cooText).to.include("Countersignatures\n2 of 2");
    expect(cooText).to.match(/inspected by Plant Protection Department on .* — Physical examination of the goods/);
    expect(cooText).to.match(/accepted by Cat Lai Port Customs Branch on .* — Confirmed with the issuing body/);

    const declaration = card("goods-declaration.json");
    expect(await declaration.getAttribute("data-status")).to.equal("VALID");
    expect(await declaration.innerText()).to.include("accepted by Cat Lai Port Customs Branch");
    expect(await card("commercial-invoice.json").getAttribute("data-status")).to.equal("VALID");
    expect(await page.locator("#summary").innerText()).to.equal("3 files: 3 valid.");

    // History is expandable.
    await coo.locator("summary", { hasText: "History" }).click();
    expect(await coo.locator(".history li").first().innerText()).to.match(/UTC — Anchored by Regional Export-Import Management Office/);
    await page.screenshot({ path: join(SHOTS, "web-samples.png"), fullPage: true });
  });

  it("looks a document up by the number printed on it, hashed in the browser: every document under it, newest first", async () => {
    const sent: string[] = [];
    page.on("request", (r) => sent.push(r.url()));
    await page.waitForFunction(() => document.querySelectorAll("#lookup-issuer option").length > 2);
    expect(await page.locator("#lookup-help").innerText()).to.include("hashed (SHA-256) on this device before anything is sent");
    const lookUp = async (issuer: string, scheme: string, number: string) => {
      await page.selectOption("#lookup-issuer", { label: issuer });
      await page.selectOption("#lookup-scheme", scheme);
      await page.fill("#lookup-number", number);
      await page.locator("#lookup-summary").evaluate((e) => (e.textContent = ""));
      await page.click("#lookup button");
      await page.waitForFunction(() => (document.querySelector("#lookup-summary")?.textContent ?? "") !== "" && document.querySelector("#lookup-summary")?.textContent !== "Looking up…");
      return page.locator("#lookup-summary").innerText();
    };
    const authority = "Regional Export-Import Management Office, Ho Chi Minh City (Vietnam (VN))";
    const trader = "Mekong Coffee Export JSC (Vietnam (VN))";

    // The certificate of origin by its number, typed in lower case.
    expect(await lookUp(authority, "certificate", "vn-sg 26/01/000123")).to.match(/^1 document registered by Regional Export-Import Management Office, Ho Chi Minh City under Certificate number vn-sg 26\/01\/000123, newest first: valid\./);
    const found = page.locator("#lookup-results > li");
    expect(await found.count()).to.equal(1);
    expect(await found.first().getAttribute("data-status")).to.equal("VALID");
    expect(await found.first().innerText()).to.include("A copy in your hands is this document only if its fingerprint is the same");
    const certificate = hashJson(JSON.parse(await readFile(demo("certificate-of-origin.json"), "utf8")));
    expect(await found.first().innerText()).to.include(certificate);

    // The invoice number was used by the draft and the final invoice: both, newest first, the draft superseded.
    expect(await lookUp(trader, "invoice", "MCE INV 2026 0871")).to.include("2 documents registered by Mekong Coffee Export JSC under Commercial invoice number MCE INV 2026 0871, newest first: valid, superseded.");
    expect(await found.evaluateAll((cards) => cards.map((c) => c.getAttribute("data-status")))).to.deep.equal(["VALID", "SUPERSEDED"]);
    // The revoked certificate under its own number says so.
    await lookUp(authority, "certificate", "VN-SG 26/01/000123-ERR");
    expect(await found.first().getAttribute("data-status")).to.equal("REVOKED");
    expect(await found.first().innerText()).to.include("Do not accept it.");

    // Another organisation's number, and a number nobody filed: not found, in words.
    expect(await lookUp(trader, "certificate", "VN-SG 26/01/000123")).to.equal("Not found: Mekong Coffee Export JSC registered no document under Certificate number VN-SG 26/01/000123 on this ledger. Check the number and the issuer.");
    expect(await found.count()).to.equal(0);
    // Bad input is refused in the page, before anything is sent.
    const before = sent.length;
    expect(await lookUp(trader, "invoice", " -/- ")).to.equal("A document number has letters or digits; this one has none.");
    expect(sent.length).to.equal(before);

    // No number ever left the page: only commitments went to the API.
    const lookups = sent.filter((u) => u.includes("/v1/references/"));
    expect(lookups).to.have.length(4);
    for (const u of lookups) {
      expect(u).to.match(/\/v1\/references\/\d+\/0x[0-9a-f]{64}$/);
      expect(u.toUpperCase()).to.not.include("000123").and.to.not.include("0871");
    }
    await page.screenshot({ path: join(SHOTS, "web-lookup.png"), fullPage: true });
  });

  it("a tampered copy reads as not found, a revoked and a superseded document say so in words", async () => {
    const invoice = JSON.parse(await readFile(demo("commercial-invoice.json"), "utf8")) as { totalAmount: unknown };
    const tampered = join(dataDir, "commercial-invoice-tampered.json");
    invoice.totalAmount = 1;
    await writeFile(tampered, JSON.stringify(invoice));
    await page.setInputFiles("#files", [tampered, demo("certificate-of-origin-revoked.json"), demo("commercial-invoice-draft.json")]);
    await settled(3);

    const t = card("commercial-invoice-tampered.json");
    expect(await t.getAttribute("data-status")).to.equal("NOT_FOUND");
    expect(await t.locator(".badge").innerText()).to.include("Not found — not anchored on this ledger");
    expect(await t.locator(".message").innerText()).to.include("Not anchored on this ledger — it may have been altered");
    expect(await t.locator(".message").innerText()).to.include("If it was anchored in a private batch, drop its receipt with it");

    const r = card("certificate-of-origin-revoked.json");
    expect(await r.getAttribute("data-status")).to.equal("REVOKED");
    expect(await r.locator(".badge").innerText()).to.include("Revoked");
    expect(await r.locator(".message").innerText()).to.match(
      /^Revoked on \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC by Regional Export-Import Management Office, Ho Chi Minh City, Vietnam \(VN\): “Issued in error: consignee name misspelt; replaced by VN-SG 26\/01\/000123”\. Do not accept it\.$/,
    );

    const s = card("commercial-invoice-draft.json");
    expect(await s.getAttribute("data-status")).to.equal("SUPERSEDED");
    expect(await s.locator(".badge").innerText()).to.include("Superseded — replaced by a newer version");
    expect(await s.locator(".message").innerText()).to.match(/^Replaced by 0x[0-9a-f]{8}…[0-9a-f]{6} \(the newer version, anchored on \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC, issued by Mekong Coffee Export JSC\)\. Ask for the newer version\.$/);
    expect(await s.innerText()).to.include("Version chain");
    expect(await s.locator(".versions li").count()).to.equal(2);
    await page.screenshot({ path: join(SHOTS, "web-statuses.png"), fullPage: true });
  });

  it("a receipt dropped with its document is recognised and matched by docHash", async () => {
    await page.setInputFiles("#files", [demo("commercial-invoice.json"), demo("receipts/commercial-invoice.json.receipt.json")]);
    await settled(1);
    const c = card("commercial-invoice.json");
    expect(await c.getAttribute("data-status")).to.equal("VALID");
    expect(await c.innerText()).to.include("Receipt matched: transaction");
  });

  it("a receipt dropped without its document is a receipt, never a verdict, and is not counted as valid", async () => {
    await page.setInputFiles("#files", [demo("receipts/commercial-invoice.json.receipt.json"), demo("certificate-of-origin.json")]);
    await page.waitForFunction(() => document.querySelectorAll("#results > li[data-status]").length === 2);
    const receipt = page.locator("#results > li[data-status=RECEIPT_ONLY]");
    expect(await receipt.locator(".badge").innerText()).to.equal("A receipt — drop the document it belongs to");
    expect(await receipt.innerText()).to.not.match(/Valid|genuine/i);
    await page.waitForFunction(() => document.querySelector("#summary")?.textContent === "2 files: 1 valid, 1 receipt without its document.");
  });

  it("a VALID card offers the document's credential as a download, which checks when dropped with its document and asks for it when alone", async () => {
    await page.setInputFiles("#files", [demo("commercial-invoice.json")]);
    await settled(1);
    const [download] = await Promise.all([page.waitForEvent("download"), card("commercial-invoice.json").locator("button.credential").click()]);
    expect(download.suggestedFilename()).to.equal("commercial-invoice.json.credential.jwt");
    const jwtFile = join(dataDir, "commercial-invoice.json.credential.jwt");
    await download.saveAs(jwtFile);
    const jwt = (await readFile(jwtFile, "utf8")).trim();
    expect(part(jwt, 0).typ).to.equal("vc+jwt");
    // The download verifies with libraries the ledger's own verifier does not use: OpenSSL and the status list library.
    const didDoc = (await (await page.request.get(`${server!.apiUrl}/.well-known/did.json`)).json()) as DidDocument;
    expect(opensslVerifies(jwt, didDoc)).to.equal(true);
    for (const entry of part(jwt, 1).credentialStatus) {
      const list = await (await page.request.get(entry.statusListCredential)).text();
      expect(opensslVerifies(list, didDoc)).to.equal(true);
      expect(await independentStatusBit(part(jwt, 1), entry.statusPurpose, list)).to.equal(false);
    }
    await page.waitForFunction(() => document.querySelector("button.credential")?.textContent === "Credential downloaded");

    await page.reload();
    await page.setInputFiles("#files", [demo("commercial-invoice.json"), jwtFile]);
    await page.waitForSelector("#results > li[data-status] [data-credential]");
    const both = card("commercial-invoice.json");
    expect(await both.getAttribute("data-status")).to.equal("VALID");
    expect(await both.innerText()).to.include("Credential checked: signed by this ledger, the document is in force, and the file dropped is its document.");

    await page.reload();
    await page.setInputFiles("#files", [jwtFile, demo("goods-declaration.json")]);
    await page.waitForSelector("#results > li[data-status=CREDENTIAL_ONLY][data-credential=VALID]");
    const alone = page.locator("#results > li[data-status=CREDENTIAL_ONLY]");
    expect(await alone.locator(".badge").innerText()).to.equal("A genuine credential of this ledger — drop the document it belongs to");
    await page.waitForFunction(() => document.querySelector("#summary")?.textContent === "2 files: 1 valid, 1 credential without its document.");

    // A credential altered by one character of its payload is refused, in words.
    const [h, p, sig] = jwt.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    payload.credentialSubject.issuedBy.name = "Someone Else Ltd";
    const forged = join(dataDir, "forged.credential.jwt");
    await writeFile(forged, `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${sig}`);
    await page.reload();
    await page.setInputFiles("#files", [forged]);
    await page.waitForSelector("#results > li[data-status=CREDENTIAL_ONLY][data-credential=INVALID]");
    expect(await page.locator("#results > li[data-status=CREDENTIAL_ONLY]").innerText()).to.include("The signature does not verify");

    // Several files dropped, and the check of one credential fails: only that file's card says so.
    const other = { ...payload, credentialSubject: { ...payload.credentialSubject, docHash: hashJson(JSON.parse(await readFile(demo("goods-declaration.json"), "utf8"))) } };
    const failing = join(dataDir, "goods-declaration.json.credential.jwt");
    await writeFile(failing, `${h}.${Buffer.from(JSON.stringify(other)).toString("base64url")}.${sig}`);
    await page.route("**/v1/credentials/verify", (route) =>
      route.request().postData()?.includes(Buffer.from(JSON.stringify(other)).toString("base64url"))
        ? route.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: { code: "INTERNAL", message: "The check failed on the server." } }) })
        : route.continue());
    await page.reload();
    await page.setInputFiles("#files", [demo("commercial-invoice.json"), jwtFile, demo("goods-declaration.json"), failing]);
    await page.waitForFunction(() => document.querySelectorAll("#results > li:not([aria-busy]) [data-credential]").length === 2);
    expect(await both.getAttribute("data-status")).to.equal("VALID");
    expect(await both.locator("[data-credential]").getAttribute("data-credential")).to.equal("VALID");
    const goods = card("goods-declaration.json");
    expect(await goods.getAttribute("data-status")).to.equal("VALID");
    expect(await goods.locator("[data-credential]").getAttribute("data-credential")).to.equal("NOT_CHECKED");
    expect(await goods.innerText()).to.include("The credential could not be checked: The check failed on the server.");
    await page.unroute("**/v1/credentials/verify");
  });

  it("loads without a request that fails (the icon included)", async () => {
    const failed: string[] = [];
    page.on("response", (r) => void (r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`)));
    await page.reload();
    await page.waitForLoadState("networkidle");
    expect(failed).to.deep.equal([]);
    expect(await page.locator("link[rel=icon]").getAttribute("href")).to.equal("favicon.svg");
  });

  it("an outcome recorded against a document nobody anchored never reads as an acceptance", async () => {
    const deployment = await loadDeployment(join(dataDir, "deployment.json"));
    const provider = new JsonRpcProvider(server!.rpcUrl, deployment.chainId, { staticNetwork: true, cacheTimeout: -1 });
    const customs = await TradeproofClient.connect({ runner: demoWallet("customs", provider), deployment });
    const forged = { documentType: "861", referenceNumber: "VN-SG 26/01/000777", note: "never anchored" };
    await customs.attest(hashJson(forged), "ACCEPTED", 4711);
    provider.destroy();
    const file = join(dataDir, "certificate-never-anchored.json");
    await writeFile(file, JSON.stringify(forged));
    await page.setInputFiles("#files", [file]);
    await settled(1);
    const c = card("certificate-never-anchored.json");
    expect(await c.getAttribute("data-status")).to.equal("NOT_FOUND");
    const text = await c.innerText();
    expect(text).to.include("Recorded against this fingerprint");
    expect(text).to.match(/Cat Lai Port Customs Branch recorded “accepted” on .* — reason code 4711 \(the administration's own\)/);
    expect(text).to.include("not a verdict on the document");
    expect(text).not.to.include("accepted by");
    expect(text).not.to.include("Customs and agency outcomes");
  });

  it("a certificate awaiting its countersignature reads as pending, with how many signatures it has", async () => {
    const deployment = await loadDeployment(join(dataDir, "deployment.json"));
    const provider = new JsonRpcProvider(server!.rpcUrl, deployment.chainId, { staticNetwork: true, cacheTimeout: -1 });
    const officer = await TradeproofClient.connect({ runner: demoWallet("officer1", provider), deployment });
    const certificate = { documentType: "861", referenceNumber: "VN-SG 26/01/000999", issueDate: "2026-11-23" };
    await officer.register(hashJson(certificate), 861);
    provider.destroy();
    const file = join(dataDir, "certificate-pending.json");
    await writeFile(file, JSON.stringify(certificate, null, 2));
    await page.setInputFiles("#files", [file]);
    await settled(1);
    const c = card("certificate-pending.json");
    expect(await c.getAttribute("data-status")).to.equal("PENDING");
    expect(await c.locator(".badge").innerText()).to.include("Pending — awaiting countersignature");
    expect(await c.locator(".message").innerText()).to.equal(
      "Awaiting countersignature: anchored by Regional Export-Import Management Office, Ho Chi Minh City, Vietnam (VN), but only 1 of 2 required signatures so far. Do not rely on it yet.",
    );
    expect(await c.innerText()).to.include("Countersignatures\n1 of 2");
  });

  it("a document of a private batch is confirmed with its receipt (proof checked in the page and by the ledger); a proof for another document is refused", async () => {
    const deployment = await loadDeployment(join(dataDir, "deployment.json"));
    const provider = new JsonRpcProvider(server!.rpcUrl, deployment.chainId, { staticNetwork: true, cacheTimeout: -1 });
    const trader = await TradeproofClient.connect({ runner: demoWallet("trader", provider), deployment });
    const docs = [0, 1, 2].map((i) => ({ packingList: `PL-2026-0${i}`, cartons: 10 + i }));
    const receipts = await trader.registerBatch(docs.map(hashJson), 271, { public: false });
    provider.destroy();
    const docFile = join(dataDir, "packing-list-1.json");
    const receiptFile = join(dataDir, "packing-list-1.receipt.json");
    await writeFile(docFile, JSON.stringify(docs[1]));
    await writeFile(receiptFile, JSON.stringify(receipts[1]));

    // Alone, a private batch's document cannot be found by its hash.
    await page.setInputFiles("#files", [docFile]);
    await settled(1);
    expect(await card("packing-list-1.json").getAttribute("data-status")).to.equal("NOT_FOUND");

    // With its receipt, the proof is checked in the page, then by the ledger against the anchored root: VALID.
    await page.setInputFiles("#files", [receiptFile]);
    await page.waitForFunction(() => document.querySelector("#results > li")?.textContent?.includes("proof was checked here"));
    const c = card("packing-list-1.json");
    expect(await c.getAttribute("data-status")).to.equal("VALID");
    expect(await c.innerText()).to.include("Receipt matched (its Merkle proof was checked here and by the ledger)");
    expect(await c.innerText()).to.include(receipts[1]!.root.slice(0, 10));

    // A receipt whose proof leads elsewhere is refused.
    const forged = { ...receipts[1], docHash: hashJson(docs[0]) };
    const forgedFile = join(dataDir, "forged.receipt.json");
    const doc0 = join(dataDir, "packing-list-0.json");
    await writeFile(forgedFile, JSON.stringify({ ...forged, proof: receipts[1]!.proof }));
    await writeFile(doc0, JSON.stringify(docs[0]));
    await page.setInputFiles("#files", [doc0, forgedFile]);
    await page.waitForFunction(() => document.querySelectorAll("#results > li[data-status]").length === 2);
    const f = card("packing-list-0.json");
    expect(await f.getAttribute("data-status")).to.equal("NOT_FOUND");
    expect(await f.innerText()).to.include("The receipt's Merkle proof does not lead to its root");

    // A well-formed receipt of a batch this ledger never anchored: the proof holds, the ledger says NOT_FOUND.
    const unanchoredDocs = [{ packingList: "PL-never-anchored", cartons: 1 }, { packingList: "PL-other", cartons: 2 }];
    const tree = buildBatch(unanchoredDocs.map(hashJson));
    const ghostHash = hashJson(unanchoredDocs[0]);
    const ghostFile = join(dataDir, "packing-list-ghost.json");
    const ghostReceipt = join(dataDir, "packing-list-ghost.receipt.json");
    await writeFile(ghostFile, JSON.stringify(unanchoredDocs[0]));
    await writeFile(ghostReceipt, JSON.stringify({ ...receipts[1], docHash: ghostHash, root: tree.root, proof: tree.proof(ghostHash) }));
    await page.setInputFiles("#files", [ghostFile, ghostReceipt]);
    await page.waitForFunction(() => [...document.querySelectorAll("#results > li")].some((li) => li.textContent?.includes("no such batch")));
    const g = card("packing-list-ghost.json");
    expect(await g.getAttribute("data-status")).to.equal("NOT_FOUND");
    expect(await g.locator(".message").innerText()).to.match(/^Not anchored on this ledger: its receipt places it in a private batch \(root 0x[0-9a-f]{8}…[0-9a-f]{6}\) and its proof leads to that root, but the ledger has no such batch/);
    expect(await g.innerText()).to.not.include("Receipt matched");
  });

  it("says plainly when the API is up but the ledger node is not, and recovers when the node is back", async () => {
    const rpcPort = await freePort();
    const apiData = await mkdtemp(join(tmpdir(), "tradeproof-web-api-"));
    const api = await startServer({
      env: {
        TRADEPROOF_RPC: `http://127.0.0.1:${rpcPort}`, TRADEPROOF_DEPLOYMENT: join(dataDir, "deployment.json"),
        TRADEPROOF_DATA_DIR: apiData, TRADEPROOF_API_PORT: "0", TRADEPROOF_LOG_LEVEL: "silent", TRADEPROOF_POLL_MS: "200",
      },
      handleSignals: false,
    });
    try {
      await page.goto(`${api.url}/`);
      const alert = page.locator("#connection");
      await alert.waitFor({ state: "visible", timeout: 30_000 });
      expect(await alert.innerText()).to.equal("The ledger node cannot be reached, so documents cannot be checked right now. Retrying automatically…");
      await page.setInputFiles("#files", [demo("commercial-invoice.json")]);
      await page.waitForFunction(() => document.querySelector("#results > li .badge")?.textContent === "Waiting for the service");

      // The node comes back on the address the API expects (a gateway onto the running chain).
      const reader = new JsonRpcProvider(server!.rpcUrl, undefined, { staticNetwork: true });
      const head = await reader.getBlockNumber();
      reader.destroy();
      const journal = await Journal.open(join(apiData, "journal.ndjson"), 0);
      const archive = ChainArchive.open(join(apiData, "archive.sqlite"));
      const node = await startDurableRpc({ upstream: server!.rpcUrl, journal, archive, journaledBlock: head, checkpoints: { dir: apiData, everyBlocks: 0, last: head }, port: rpcPort });
      try {
        await alert.waitFor({ state: "hidden", timeout: 30_000 });
        await settled(1);
        expect(await card("commercial-invoice.json").getAttribute("data-status")).to.equal("VALID");
      } finally {
        // The page stops polling and the API stops while its node still answers; then the node goes.
        await page.goto("about:blank").catch(() => undefined);
        await api.close();
        await node.close({ flush: false });
      }
    } finally {
      await api.close(); // a no-op when closed above
      await rm(apiData, { recursive: true, force: true });
    }
  });

  it("fingerprints JSON in the browser by RFC 8785 then SHA-256: the six JCS test vectors", async () => {
    const dir = join(ROOT, "..", "shared", "vectors", "jcs");
    if (!existsSync(dir)) throw new Error(`${dir} is missing`);
    const names = (await readdir(join(dir, "input"))).filter((n) => n.endsWith(".json")).sort();
    expect(names.length).to.equal(6);
    await page.setInputFiles("#files", names.map((n) => join(dir, "input", n)));
    await settled(names.length);
    for (const name of names) {
      const expected = `0x${createHash("sha256").update(await readFile(join(dir, "output", name))).digest("hex")}`;
      expect(await card(name).locator("dd code.hash").last().innerText(), name).to.equal(expected);
    }
  });

  it("a .json file that is not JSON is reported as unreadable, not as a verdict", async () => {
    const file = join(dataDir, "broken.json");
    await writeFile(file, "{ not json");
    await page.setInputFiles("#files", [file]);
    await page.waitForFunction(() => document.querySelector("#results > li .badge")?.textContent === "Cannot read");
    expect(await card("broken.json").innerText()).to.include("This .json file is not valid JSON");
    expect(await card("broken.json").getAttribute("data-status")).to.equal(null);
  });

  it("fingerprints any other file over its exact bytes", async () => {
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
    const file = join(dataDir, "scan.pdf");
    await writeFile(file, bytes);
    await page.setInputFiles("#files", [file]);
    await settled(1);
    expect(await card("scan.pdf").locator("dd code.hash").last().innerText()).to.equal(`0x${createHash("sha256").update(bytes).digest("hex")}`);
  });

  it("a large scan is hashed as a stream in a worker, shows its progress, and gets the verdict of its exact bytes", async () => {
    // About 600 MB, cheap to make: a sparse file (holes read as zeros) with a distinct 4 KiB stamp every
    // 7,777,777 bytes (never on the page's 8 MiB slice boundaries) and an odd length, so a slice lost, repeated
    // or reordered changes the hash.
    const file = join(dataDir, "scan-large.pdf");
    const size = 600 * 1024 * 1024 + 12_345;
    const fh = await open(file, "w");
    await fh.truncate(size);
    for (let at = 0, k = 0; at < size; at += 7_777_777, k++) {
      const stamp = Buffer.alloc(4096, (k % 250) + 1);
      stamp.writeUInt32BE(k);
      await fh.write(stamp, 0, Math.min(stamp.length, size - at), at);
    }
    await fh.write(Buffer.from("%%EOF\n"), 0, 6, size - 6);
    await fh.close();
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(file, { highWaterMark: 8 * 1024 * 1024 })) hash.update(chunk as Buffer);
    const expected = `0x${hash.digest("hex")}`;

    const deployment = await loadDeployment(join(dataDir, "deployment.json"));
    const provider = new JsonRpcProvider(server!.rpcUrl, deployment.chainId, { staticNetwork: true, cacheTimeout: -1 });
    const trader = await TradeproofClient.connect({ runner: demoWallet("trader", provider), deployment });
    await trader.register(expected as `0x${string}`, 705);
    provider.destroy();

    // Record what the live region says and what the card's percentage shows while the file is hashed.
    await page.evaluate(() => {
      const w = window as unknown as { announced: string[]; percents: string[] };
      w.announced = [];
      w.percents = [];
      const live = document.querySelector("#summary")!;
      new MutationObserver(() => w.announced.push(live.textContent ?? "")).observe(live, { childList: true, characterData: true, subtree: true });
      new MutationObserver(() => {
        const p = document.querySelector("#results .percent")?.textContent;
        if (p && p !== w.percents.at(-1)) w.percents.push(p);
      }).observe(document.querySelector("#results")!, { childList: true, characterData: true, subtree: true });
    });
    await page.setInputFiles("#files", [file]);
    await settled(1);

    const c = card("scan-large.pdf");
    expect(await c.getAttribute("data-status")).to.equal("VALID");
    expect(await c.locator("dd code.hash").last().innerText()).to.equal(expected);
    expect(await c.locator(".message").innerText()).to.match(/^Genuine: this exact document was anchored by Mekong Coffee Export JSC/);
    expect(page.workers().map((w) => new URL(w.url()).pathname)).to.deep.equal(["/hash-worker.js"]);
    // Only that worker may compile WebAssembly; the page itself keeps helmet's script policy.
    const policy = async (path: string) => (await page.request.get(`${server!.apiUrl}${path}`)).headers()["content-security-policy"];
    expect(await policy("/hash-worker.js")).to.include("script-src 'self' 'wasm-unsafe-eval';");
    expect(await policy("/")).to.include("script-src 'self';");

    const { announced, percents } = await page.evaluate(() => {
      const w = window as unknown as { announced: string[]; percents: string[] };
      return { announced: w.announced, percents: w.percents };
    });
    // The card counted up in whole percents to 100, then the verdict replaced it.
    const numbers = percents.map((p) => Number(p.replace("%", "")));
    expect(numbers.length, percents.join(" ")).to.be.greaterThan(10);
    expect(numbers).to.deep.equal([...numbers].sort((a, b) => a - b));
    expect(numbers.at(-1)).to.equal(100);
    // The live region spoke in quarters, not at every slice, then gave the verdict.
    expect(announced.filter((a) => a.includes("%"))).to.deep.equal([0, 25, 50, 75].map((q) => `1 file: 1 being fingerprinted (scan-large.pdf: ${q}%).`));
    expect(announced.length, announced.join("\n")).to.be.at.most(8);
    expect(announced.at(-1)).to.equal("1 file: 1 valid.");
    await rm(file);
  });

  it("a JSON file too large to canonicalise in the browser is refused in words, pointing to the CLI", async () => {
    const file = join(dataDir, "huge-invoice.json");
    const fh = await open(file, "w");
    await fh.truncate(32 * 1024 * 1024 + 1);
    await fh.close();
    await page.setInputFiles("#files", [file]);
    await page.waitForFunction(() => document.querySelector("#results > li .badge")?.textContent === "Cannot read");
    expect(await card("huge-invoice.json").locator("p").last().innerText()).to.equal(
      "JSON documents over 32 MB cannot be checked in the browser; use the CLI: npx tradeproof verify huge-invoice.json",
    );
    await rm(file);
  });

  it("the file picker is reachable by keyboard and results are announced in a live region", async () => {
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal("files");
    expect(await page.locator("#summary").getAttribute("aria-live")).to.equal("polite");
    expect(await page.locator("#files").evaluate((e) => (e as HTMLInputElement).labels?.[0]?.innerText ?? "")).to.include("choose files");
  });

  it("fits a phone screen without sideways scrolling", async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.setInputFiles("#files", [demo("certificate-of-origin.json"), demo("certificate-of-origin-revoked.json")]);
    await settled(2);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(375);
    await page.screenshot({ path: join(SHOTS, "web-phone.png"), fullPage: true });
  });

  it("says plainly when the service cannot be reached and recovers by itself when it is back", async () => {
    await server!.stop();
    const alert = page.locator("#connection");
    // While stopping, the node may go a moment before the API does: the page may first say the node is
    // unreachable, then that the service is.
    const unreachable = "The Tradeproof service cannot be reached. Check your connection; retrying automatically…";
    await page.waitForFunction((text) => document.querySelector("#connection")?.textContent === text, unreachable, { timeout: 30_000 });
    expect(await alert.isVisible()).to.equal(true);
    await page.setInputFiles("#files", [demo("goods-declaration.json")]);
    await page.waitForFunction(() => document.querySelector("#results > li .badge")?.textContent === "Waiting for the service");
    expect(await page.locator("#summary").innerText()).to.equal("1 file: 1 waiting for the service.");
    await page.screenshot({ path: join(SHOTS, "web-offline.png"), fullPage: true });

    server = await startEmbedded({ dataDir, port });
    await alert.waitFor({ state: "hidden", timeout: 30_000 });
    await settled(1);
    expect(await card("goods-declaration.json").getAttribute("data-status")).to.equal("VALID");
  });
});
