import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { encryptKeystoreJson, JsonRpcProvider } from "ethers";
import { hashFile, loadDeployment, parseReceipt, TradeproofClient, type Deployment, type Receipt } from "../../sdk/index.js";
import { demoWallet, deployDemoLedger, seedDemoConsortium } from "../../scripts/demo.js";
import { runCli, startAnvil, type Anvil } from "./harness.js";

const SAMPLES = "/work/shared/samples";
const SAMPLE_FILES = ["certificate-of-origin.json", "commercial-invoice.json", "goods-declaration.json"].map((f) => join(SAMPLES, f));
const INVOICE = join(SAMPLES, "commercial-invoice.json");
const CERTIFICATE = join(SAMPLES, "certificate-of-origin.json");

describe("the tradeproof CLI", function () {
  this.timeout(120_000);

  let anvil: Anvil;
  let dir: string;
  let env: Record<string, string>;
  let deployment: Deployment;
  let provider: JsonRpcProvider;
  let client: TradeproofClient;
  const as = (role: Parameters<typeof demoWallet>[0]) => ({ ...env, TRADEPROOF_PRIVATE_KEY: demoWallet(role).privateKey });

  before(async function () {
    anvil = await startAnvil();
    dir = await mkdtemp(join(tmpdir(), "tradeproof-cli-"));
    env = { TRADEPROOF_RPC: anvil.url, TRADEPROOF_DEPLOYMENT: join(dir, "deployment.json") };
    const deploy = await runCli(["deploy", "--demo"], env);
    expect(deploy.stderr).to.equal("");
    expect(deploy.code).to.equal(0);
    deployment = await loadDeployment(env.TRADEPROOF_DEPLOYMENT);
    provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    client = await TradeproofClient.connect({ runner: provider, deployment });
  });

  after(async function () {
    provider?.destroy();
    await anvil?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("deploy --demo seeds the demo consortium through the council", async function () {
    const members = await client.members();
    expect(members.map((m) => [m.name, m.country, m.kind, m.status, m.accounts.length])).to.deep.equal([
      ["Mekong Coffee Export JSC", "VN", "TRADER", "ACTIVE", 1],
      ["Regional Export-Import Management Office, Ho Chi Minh City", "VN", "ISSUING_AUTHORITY", "ACTIVE", 2],
      ["Cat Lai Port Customs Branch", "VN", "CUSTOMS", "ACTIVE", 1],
      ["Plant Protection Department", "VN", "AGENCY", "ACTIVE", 1],
      ["State Audit Office of Vietnam", "VN", "AUDITOR", "ACTIVE", 1],
    ]);
    expect(members[1].accounts).to.deep.equal([demoWallet("officer1").address, demoWallet("officer2").address]);
  });

  it("hash prints the SDK's hash of each sample, and sha256sum's hash of a file that is not JSON", async function () {
    const blob = join(dir, "scan.pdf");
    await writeFile(blob, Buffer.from("%PDF-1.7\n not really a PDF \u00ff\n", "latin1"));
    const run = await runCli(["hash", ...SAMPLE_FILES, blob], env);
    expect(run.code).to.equal(0);
    const expected = [];
    for (const f of SAMPLE_FILES) expected.push(`${await hashFile(f)}  ${f}`);
    const sha256sum = execFileSync("sha256sum", [blob], { encoding: "utf8" }).split(" ")[0];
    expected.push(`0x${sha256sum}  ${blob}`);
    expect(run.stdout).to.equal(`${expected.join("\n")}\n`);
  });

  it("a registered invoice verifies VALID with its issuer and type, and exit code 0; its receipt is kept beside it", async function () {
    const copy = join(dir, "registered", "commercial-invoice.json");
    await mkdir(dirname(copy), { recursive: true });
    await copyFile(INVOICE, copy);
    const register = await runCli(["register", copy, "--type", "380"], as("trader"));
    expect(register.stderr).to.equal("");
    expect(register.code).to.equal(0);
    // A trader gets a receipt by default, named as everywhere else: <file name>.receipt.json.
    expect(register.stdout).to.contain(`receipt     ${copy}.receipt.json`);
    const receipt = parseReceipt(JSON.parse(await readFile(`${copy}.receipt.json`, "utf8")));
    expect(receipt.docHash).to.equal(await hashFile(INVOICE));
    expect(await readdir(dirname(copy))).to.deep.equal(["commercial-invoice.json", "commercial-invoice.json.receipt.json"]);
    const verify = await runCli(["verify", INVOICE], env);
    expect(verify.code).to.equal(0);
    expect(verify.stdout).to.match(/^.*commercial-invoice\.json {2}VALID — anchored by its issuer and in force$/m);
    expect(verify.stdout).to.contain(`document    ${await hashFile(INVOICE)}`);
    expect(verify.stdout).to.contain("issuer      Mekong Coffee Export JSC, VN (trader)");
    expect(verify.stdout).to.contain("type        Commercial invoice (380)");
  });

  it("a copy of the invoice with one byte changed is NOT_FOUND, with exit code 1", async function () {
    const text = await readFile(INVOICE, "utf8");
    const tampered = join(dir, "commercial-invoice-tampered.json");
    const at = text.indexOf("MCE-INV-2026-0871") + "MCE-INV-2026-087".length;
    await writeFile(tampered, text.slice(0, at) + "2" + text.slice(at + 1));
    const run = await runCli(["verify", tampered], env);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain("NOT FOUND — this exact document is not anchored on this ledger (altered, or never registered)");
  });

  it("an unknown flag and a missing file are usage errors with exit code 2 and one line of explanation", async function () {
    const flag = await runCli(["verify", INVOICE, "--no-such-flag"], env);
    expect(flag.code).to.equal(2);
    expect(flag.stderr).to.equal("error: unknown option '--no-such-flag'\n");
    const missing = await runCli(["verify", join(dir, "missing.json")], env);
    expect(missing.code).to.equal(2);
    expect(missing.stderr.trim().split("\n")).to.have.length(1);
    expect(missing.stderr).to.contain("missing.json");
  });

  it("verify --json prints the SDK's normative result, as an array for several files", async function () {
    const run = await runCli(["verify", "--json", INVOICE, CERTIFICATE], env);
    expect(run.code).to.equal(1); // the certificate is not anchored yet
    const printed = JSON.parse(run.stdout);
    const expected = await client.verifyMany([{ docHash: await hashFile(INVOICE) }, { docHash: await hashFile(CERTIFICATE) }]);
    expect(printed).to.deep.equal(JSON.parse(JSON.stringify(expected)));
    const [invoice, certificate] = printed;
    expect(Object.keys(invoice).sort()).to.deep.equal(
      ["anchoredAt", "blockNumber", "docHash", "docType", "issuer", "status", "txHash"],
    );
    expect(invoice.status).to.equal("VALID");
    expect(invoice.docType).to.deep.equal({ code: "380", name: "Commercial invoice" });
    expect(invoice.issuer).to.deep.equal({
      account: demoWallet("trader").address,
      organisation: "Mekong Coffee Export JSC",
      country: "VN",
      kind: "TRADER",
      status: "ACTIVE",
    });
    expect(invoice.anchoredAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(certificate).to.deep.equal({ docHash: await hashFile(CERTIFICATE), status: "NOT_FOUND" });
  });

  it("a certificate of origin stays PENDING until a second officer approves it", async function () {
    const register = await runCli(["register", CERTIFICATE, "--type", "861", "--no-receipt"], as("officer1"));
    expect(register.code).to.equal(0);
    expect(register.stdout).to.contain("PENDING — anchored, waiting for countersignature (1 of 2 approvals)");
    expect(register.stdout).to.contain("receipt     not written (--no-receipt)");
    expect(existsSync(`${CERTIFICATE}.receipt.json`)).to.equal(false);
    const approve = await runCli(["approve", CERTIFICATE], as("officer2"));
    expect(approve.code).to.equal(0);
    expect(approve.stdout).to.contain("VALID — anchored by its issuer and in force");
    const result = await client.verify(await hashFile(CERTIFICATE));
    expect([result.status, result.approvals, result.docType]).to.deep.equal([
      "VALID",
      { required: 2, given: 2 },
      { code: "861", name: "Certificate of origin" },
    ]);
  });

  describe("register-batch", function () {
    let batch: string;
    let receipts: string;

    before(async function () {
      batch = join(dir, "batch");
      receipts = join(dir, "receipts");
      await mkdir(batch);
      for (let i = 0; i < 50; i++) {
        const n = String(i).padStart(3, "0");
        await writeFile(join(batch, `invoice-${n}.json`), JSON.stringify({ documentType: "380", number: `INV-${n}`, total: i * 100.5 }));
      }
    });

    it("anchors 50 documents under one root, with a progress bar on stderr, and writes one receipt per document", async function () {
      const run = await runCli(["register-batch", batch, "--type", "380", "--receipts", receipts, "--progress"], as("trader"));
      expect(run.code).to.equal(0);
      expect(run.stdout).to.equal(`anchored 50 documents under 1 root in 1 transaction; 50 receipts written to ${receipts}\n`);
      // The bar goes to stderr (here forced, stderr being a pipe), so stdout stays a clean summary.
      expect(run.stderr).to.contain("hashing   [████████████████████████████████████████] 100% | 50/50");
      expect(run.stderr).to.contain("anchoring [████████████████████████████████████████] 100% | 50/50");
      const names = (await readdir(receipts)).sort();
      expect(names).to.have.length(50);
      expect(names[7]).to.equal("invoice-007.json.receipt.json");
      const receipt: Receipt = JSON.parse(await readFile(join(receipts, names[7]), "utf8"));
      expect(receipt.docHash).to.equal(await hashFile(join(batch, "invoice-007.json")));
      expect(receipt.type).to.equal("tradeproof-receipt/v1");
      expect(receipt.docType).to.equal("380");
      expect(receipt.issuer).to.equal(demoWallet("trader").address);
      expect(receipt.proof.length).to.be.greaterThan(0);
    });

    it("run again, anchors nothing twice", async function () {
      // Self-contained: the first run anchors whatever an earlier test did not (nothing when it ran), the second none.
      expect((await runCli(["register-batch", batch, "--type", "380", "--receipts", receipts], as("trader"))).code).to.equal(0);
      const before = await provider.getBlockNumber();
      const run = await runCli(["register-batch", batch, "--type", "380", "--receipts", receipts], as("trader"));
      expect(run.code).to.equal(0);
      expect(run.stdout).to.equal("anchored 0 documents under 0 roots in 0 transactions; 50 already anchored\n");
      expect(await provider.getBlockNumber()).to.equal(before);
    });

    it("a --receipts that is a file is refused before anything is hashed or anchored", async function () {
      const file = join(dir, "receipts-file.txt");
      await writeFile(file, "not a folder\n");
      const before = await provider.getBlockNumber();
      const run = await runCli(["register-batch", batch, "--type", "380", "--receipts", file], as("trader"));
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain(`--receipts ${file}: not a directory`);
      expect(await provider.getBlockNumber()).to.equal(before);
    });

    it("names each invalid file with its reason and anchors nothing, unless told to skip them", async function () {
      const mixed = join(dir, "mixed");
      await mkdir(mixed);
      await writeFile(join(mixed, "good.json"), JSON.stringify({ number: "GOOD-1" }));
      await writeFile(join(mixed, "broken.json"), '{ "number": "BROKEN-1", ');
      const before = await provider.getBlockNumber();
      const run = await runCli(["register-batch", mixed, "--type", "380", "--receipts", join(dir, "mixed-receipts")], as("trader"));
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/^invalid: .*broken\.json.*JSON/m);
      expect(run.stderr).to.not.contain("good.json");
      expect(run.stderr).to.contain("1 of 2 files are invalid; nothing was anchored");
      expect(await provider.getBlockNumber()).to.equal(before);
      expect(existsSync(join(dir, "mixed-receipts"))).to.equal(false);

      const skip = await runCli(["register-batch", mixed, "--type", "380", "--receipts", join(dir, "mixed-receipts"), "--skip-invalid"], as("trader"));
      expect(skip.code).to.equal(0);
      expect(skip.stdout).to.equal(`anchored 1 document under 1 root in 1 transaction; 1 receipt written to ${join(dir, "mixed-receipts")}; 1 invalid skipped\n`);
      expect(await readdir(join(dir, "mixed-receipts"))).to.deep.equal(["good.json.receipt.json"]);
    });

    it("verify finds a document of a private batch with its receipt, not without, nor with a receipt whose proof was altered", async function () {
      const [withReceipt, without, tampered] = ["invoice-007.json", "invoice-008.json", "invoice-009.json"].map((f) => join(batch, f));
      const receipt = join(receipts, "invoice-007.json.receipt.json");
      const bad: Receipt = JSON.parse(await readFile(join(receipts, "invoice-009.json.receipt.json"), "utf8"));
      bad.proof[0] = `0x${bad.proof[0].slice(2, 65)}${bad.proof[0].endsWith("0") ? "1" : "0"}`;
      const badFile = join(dir, "invoice-009.bad-receipt.json");
      await writeFile(badFile, JSON.stringify(bad));
      const run = await runCli(["verify", withReceipt, "--receipt", receipt, without, tampered, "--receipt", badFile, "--json"], env);
      expect(run.code).to.equal(1);
      const [found, notFound, notProven] = JSON.parse(run.stdout);
      expect(found.status).to.equal("VALID");
      expect(found.batch).to.deep.equal({ root: JSON.parse(await readFile(receipt, "utf8")).root, public: false });
      expect(notFound).to.deep.equal({ docHash: await hashFile(without), status: "NOT_FOUND" });
      expect(notProven).to.deep.equal({ docHash: await hashFile(tampered), status: "NOT_FOUND" });
      expect(run.stderr).to.match(/^note: the receipt of .*invoice-009\.json does not hold: /m);
    });

    it("verify finds a document of a public batch by its hash alone, without a receipt", async function () {
      const pub = join(dir, "public-batch");
      await mkdir(pub);
      await writeFile(join(pub, "a.json"), JSON.stringify({ invoice: "PUB-1", total: 10 }));
      await writeFile(join(pub, "b.json"), JSON.stringify({ invoice: "PUB-2", total: 20 }));
      const anchored = await runCli(["register-batch", pub, "--type", "380", "--public", "--receipts", join(dir, "public-receipts")], as("trader"));
      expect(anchored.code, anchored.stderr).to.equal(0);
      const run = await runCli(["verify", join(pub, "b.json"), "--json"], env);
      expect(run.code, run.stderr).to.equal(0);
      const result = JSON.parse(run.stdout);
      expect(result.status).to.equal("VALID");
      const receipt: Receipt = JSON.parse(await readFile(join(dir, "public-receipts", "b.json.receipt.json"), "utf8"));
      expect(result.batch).to.deep.equal({ root: receipt.root, public: true });
    });

    it("run again on a fresh chain at the same addresses, anchors again instead of trusting the old receipts", async function () {
      const fresh = await startAnvil();
      const freshProvider = new JsonRpcProvider(fresh.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
      try {
        const freshDeployment = await deployDemoLedger(freshProvider);
        await seedDemoConsortium({ provider: freshProvider, deployment: freshDeployment });
        expect(freshDeployment.registry).to.equal(deployment.registry); // same deployer, same nonces
        const freshFile = join(dir, "fresh-deployment.json");
        await writeFile(freshFile, JSON.stringify(freshDeployment));
        const copy = join(dir, "receipts-copy");
        await mkdir(copy);
        for (const name of await readdir(receipts)) await writeFile(join(copy, name), await readFile(join(receipts, name)));
        const run = await runCli(["register-batch", batch, "--type", "380", "--receipts", copy], {
          ...as("trader"),
          TRADEPROOF_RPC: fresh.url,
          TRADEPROOF_DEPLOYMENT: freshFile,
        });
        expect(run.code).to.equal(0);
        expect(run.stdout).to.equal(`anchored 50 documents under 1 root in 1 transaction; 50 receipts written to ${copy}\n`);
      } finally {
        freshProvider.destroy();
        await fresh.stop();
      }
    });

    it("revoke --receipt revokes one document of the batch, and verify says so", async function () {
      const doc = join(batch, "invoice-011.json");
      const receipt = join(receipts, "invoice-011.json.receipt.json");
      const revoke = await runCli(["revoke", doc, "--receipt", receipt, "--reason", "duplicate of INV-010"], as("trader"));
      expect(revoke.stderr).to.equal("");
      expect(revoke.code).to.equal(0);
      const verify = await runCli(["verify", "--json", "--receipts", receipts, doc, join(batch, "invoice-012.json")], env);
      expect(verify.code).to.equal(1);
      const [revoked, sibling] = JSON.parse(verify.stdout);
      expect(revoked.status).to.equal("REVOKED");
      expect(revoked.revocationReason).to.equal("duplicate of INV-010");
      expect(sibling.status).to.equal("VALID");
      // A receipts folder without the file's receipt is said, not silently ignored.
      const other = join(dir, "no-receipt-here.json");
      await writeFile(other, JSON.stringify({ invoice: "NONE" }));
      const missing = await runCli(["verify", "--receipts", receipts, other], env);
      expect(missing.stderr).to.equal(`note: ${receipts} holds no receipt for ${other} (looked for no-receipt-here.json.receipt.json)\n`);
    });
  });

  it("supersede marks the old version SUPERSEDED with its successor", async function () {
    const v1 = join(dir, "packing-list-v1.json");
    const v2 = join(dir, "packing-list-v2.json");
    await writeFile(v1, JSON.stringify({ documentType: "271", number: "PL-1", packages: 320 }));
    await writeFile(v2, JSON.stringify({ documentType: "271", number: "PL-1", packages: 360, amends: "PL-1" }));
    const trader = client.withSigner(demoWallet("trader", provider));
    for (const f of [v1, v2]) await trader.register(await hashFile(f), "271");
    const supersede = await runCli(["supersede", v1, v2], as("trader"));
    expect(supersede.stderr).to.equal("");
    expect(supersede.code).to.equal(0);
    const verify = await runCli(["verify", v1], env);
    expect(verify.code).to.equal(1);
    expect(verify.stdout).to.contain("SUPERSEDED — replaced by an amended version");
    expect(verify.stdout).to.contain(`replaced by ${await hashFile(v2)}`);
  });

  it("attest records a customs outcome that verify and history show", async function () {
    const declaration = join(SAMPLES, "goods-declaration.json");
    const docHash = await hashFile(declaration);
    await client.withSigner(demoWallet("trader", provider)).register(docHash, "830");
    // A reason outside the list (codes below 1000 are the list's) is refused before anything is sent, saying what to give.
    const refused = await runCli(["attest", declaration, "--outcome", "INSPECTED", "--reason", "12"], as("customs"));
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.contain("The reason code 12 is not on the list").and.contain("PHYSICAL_EXAMINATION");
    expect((await runCli(["attest", declaration, "--outcome", "INSPECTED", "--reason", "bribery"], as("customs"))).stderr).to.contain('Unknown reason "bribery"');
    const help = await runCli(["attest", "--help"], env);
    expect(help.stdout).to.contain(" 2  PHYSICAL_EXAMINATION   Physical examination of the goods").and.contain("Codes from 1000 to 65535");
    const attest = await runCli(["attest", declaration, "--outcome", "INSPECTED", "--reason", "physical-examination"], as("customs"));
    expect(attest.stderr).to.equal("");
    expect(attest.code).to.equal(0);
    expect(attest.stdout).to.contain("INSPECTED (Physical examination of the goods)");
    // A code of the administration's own, by number, the old option's spelling included.
    expect((await runCli(["attest", declaration, "--outcome", "ACCEPTED", "--reason-code", "4711"], as("customs"))).code).to.equal(0);
    const history = await runCli(["history", declaration, "--json"], env);
    expect(history.code).to.equal(0);
    const { entries, versions } = JSON.parse(history.stdout);
    expect(versions).to.deep.equal([docHash]);
    expect(entries.map((e: { action: string; organisation: number; organisationName: string; details: unknown }) => [e.action, e.organisation, e.organisationName, e.details])).to.deep.equal([
      ["REGISTERED", 1, "Mekong Coffee Export JSC", { docType: "830", status: "VALID" }],
      ["ATTESTED", 3, "Cat Lai Port Customs Branch", { outcome: "INSPECTED", reasonCode: 2, reason: "Physical examination of the goods" }],
      ["ATTESTED", 3, "Cat Lai Port Customs Branch", { outcome: "ACCEPTED", reasonCode: 4711 }],
    ]);
    // For people: names, and a registration's status named as the status it began with.
    const text = (await runCli(["history", declaration], env)).stdout;
    expect(text).to.match(/REGISTERED +by Mekong Coffee Export JSC \(0x[0-9a-fA-F]{40}\) {2}docType="830" initialStatus="VALID"/);
    expect(text).to.match(/ATTESTED +by Cat Lai Port Customs Branch \(.*reason="Physical examination of the goods"/);
    const [result] = await client.verifyMany([{ docHash }]);
    // The normative result's by, organisation, outcome and at, and the reason (named when listed) where one was given.
    expect(result.attestations?.map((a) => [a.organisation, a.outcome, a.reason])).to.deep.equal([
      ["Cat Lai Port Customs Branch", "INSPECTED", { code: 2, name: "Physical examination of the goods" }],
      ["Cat Lai Port Customs Branch", "ACCEPTED", { code: 4711 }],
    ]);
    const shown = await runCli(["verify", declaration], env);
    expect(shown.stdout).to.contain("by Cat Lai Port Customs Branch at").and.contain(": Physical examination of the goods").and.contain(": reason 4711");
  });

  it("policies lists who may register each type and how many approvals it needs", async function () {
    const run = await runCli(["policies"], env);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain("  861  Certificate of origin: issuing authority; 2 approvals of the issuing organisation\n");
    expect(run.stdout).to.contain("  830  Goods declaration for exportation: trader, customs; no countersignature\n");
    expect(run.stdout).to.match(/other {2}every other type: trader, issuing authority; no countersignature\n$/);
    const json = JSON.parse((await runCli(["policies", "--json"], env)).stdout);
    expect(json.types.map((p: { docType: { code: string } }) => p.docType.code)).to.deep.equal(["271", "380", "705", "830", "861"]);
  });

  it("council propose and approve admit an organisation (once executed) that members then lists", async function () {
    const account = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";
    const propose = await runCli(
      ["council", "propose", "add-org", "--name", "Lion City Roasters Pte Ltd", "--country", "SG", "--kind", "TRADER", "--account", account],
      as("governor1"),
    );
    expect(propose.stderr).to.equal("");
    expect(propose.code).to.equal(0);
    const id = /^proposed #(\d+): Admit Lion City Roasters Pte Ltd \(SG, TRADER\)$/m.exec(propose.stdout)?.[1];
    expect(id).to.equal("2"); // the demo consortium was proposal 1
    // Executed too early, the refusal is a sentence, not the contract's CouncilBelowThreshold(2, 1, 2).
    const early = await runCli(["council", "execute", id!], as("governor1"));
    expect(early.code).to.equal(1);
    expect(early.stderr).to.equal(`error: Proposal ${id} has 1 of the 2 approvals it needs.\n`);
    expect((await runCli(["council", "list"], env)).stdout).to.match(new RegExp(`^#${id} {2}1 of 2 approvals {2}Admit Lion City Roasters`, "m"));
    const approve = await runCli(["council", "approve", id!], as("governor2"));
    expect(approve.stderr).to.equal("");
    expect(approve.code).to.equal(0);
    await client.withSigner(demoWallet("governor3", provider)).executeProposal(BigInt(id!));
    const members = await runCli(["members", "--json"], env);
    expect(members.code).to.equal(0);
    expect(JSON.parse(members.stdout).at(-1)).to.deep.equal({
      id: 6,
      name: "Lion City Roasters Pte Ltd",
      country: "SG",
      kind: "TRADER",
      status: "ACTIVE",
      accounts: [account],
    });
  });

  it("council propose suspend takes the organisation's name as members lists it, and names an unknown one", async function () {
    const byName = await runCli(["council", "propose", "suspend", "plant protection department"], as("governor1"));
    expect(byName.code, byName.stderr).to.equal(0);
    expect(byName.stdout).to.match(/^proposed #\d+: Suspend Plant Protection Department \(organisation 4\)$/m);
    const unknown = await runCli(["council", "propose", "suspend", "Nobody Ltd"], as("governor1"));
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/^error: no organisation "Nobody Ltd"; the members are: 1 Mekong Coffee Export JSC; /);
  });

  it("an unreachable node is exit code 3, never a verdict", async function () {
    const run = await runCli(["verify", INVOICE, "--rpc", "http://127.0.0.1:9"], env);
    expect(run.code).to.equal(3);
    expect(run.stdout).to.equal("");
    expect(run.stderr).to.equal("error: The blockchain node at http://127.0.0.1:9 did not answer; no verdict was reached.\n");
  });

  it("signs with an encrypted keystore whose password comes from the environment", async function () {
    const trader = demoWallet("trader");
    const keystore = join(dir, "trader.keystore.json");
    await writeFile(keystore, await encryptKeystoreJson({ address: trader.address, privateKey: trader.privateKey }, "correct horse", { scrypt: { N: 1 << 12 } }));
    const doc = join(dir, "bill-of-lading.json");
    await writeFile(doc, JSON.stringify({ documentType: "705", number: "BL-SGN-2611" }));
    const wrong = await runCli(["register", doc, "--type", "705", "--keystore", keystore], { ...env, TRADEPROOF_KEYSTORE_PASSWORD: "wrong" });
    expect(wrong.code).to.equal(2);
    expect(wrong.stderr).to.contain("cannot decrypt keystore");
    const run = await runCli(["register", doc, "--type", "705", "--keystore", keystore, "--json"], {
      ...env,
      TRADEPROOF_KEYSTORE_PASSWORD: "correct horse",
    });
    expect(run.stderr).to.equal("");
    expect(run.code).to.equal(0);
    expect(JSON.parse(run.stdout).issuer).to.equal(trader.address);
    expect(JSON.parse(await readFile(`${doc}.receipt.json`, "utf8"))).to.deep.equal(JSON.parse(run.stdout));
  });

  it("a receipt that cannot be written is shown on stderr, not lost; a hash alone gets none unless --receipts says where", async function () {
    const doc = join(dir, "sea-waybill.json");
    await writeFile(doc, JSON.stringify({ documentType: "705", number: "SWB-SGN-0042" }));
    const blocker = join(dir, "not-a-folder");
    await writeFile(blocker, "a file where the receipts folder should be");
    const run = await runCli(["register", doc, "--type", "705", "--receipts", blocker], as("trader"));
    expect(run.code).to.equal(0); // the document is anchored
    expect(run.stderr).to.contain(`The document is anchored, but its receipt could not be written to ${join(blocker, "sea-waybill.json.receipt.json")} (EEXIST)`);
    const shown = parseReceipt(JSON.parse(run.stderr.slice(run.stderr.indexOf("{"))));
    expect(shown.docHash).to.equal(await hashFile(doc));
    expect(run.stdout).to.contain(`receipt     not written to ${join(blocker, "sea-waybill.json.receipt.json")}`);

    const hash = `0x${"ab".repeat(32)}`;
    const byHash = await runCli(["register", hash, "--type", "705"], as("trader"));
    expect(byHash.code, byHash.stderr).to.equal(0);
    expect(byHash.stdout).to.contain("receipt     not written: a hash has no file to put it beside; give --receipts DIR or --json");
    const into = join(dir, "hash-receipts");
    const kept = await runCli(["register", `0x${"cd".repeat(32)}`, "--type", "705", "--receipts", into], as("trader"));
    expect(kept.code, kept.stderr).to.equal(0);
    expect(await readdir(into)).to.deep.equal([`0x${"cd".repeat(32)}.receipt.json`]);
  });
});
