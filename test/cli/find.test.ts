// `tradeproof register --reference…`, `register-batch --reference-field` and `tradeproof find`, as an operator runs them.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { demoWallet } from "../../scripts/demo.js";
import { FREE_GAS_FLAGS } from "../../scripts/embedded/anvil.js";
import { parseReceipt } from "../../sdk/index.js";
import { runCli, startAnvil, type Anvil } from "./harness.js";

const SAMPLES = "/work/shared/samples";
const AUTHORITY = "Regional Export-Import Management Office, Ho Chi Minh City";

describe("tradeproof find, and registering under a number", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let dir: string;
  let env: Record<string, string>;
  const as = (role: Parameters<typeof demoWallet>[0]) => ({ ...env, TRADEPROOF_PRIVATE_KEY: demoWallet(role).privateKey });

  before(async function () {
    anvil = await startAnvil(FREE_GAS_FLAGS);
    dir = await mkdtemp(join(tmpdir(), "tradeproof-find-"));
    env = { TRADEPROOF_RPC: anvil.url, TRADEPROOF_DEPLOYMENT: join(dir, "deployment.json") };
    const deploy = await runCli(["deploy", "--demo"], env);
    expect(deploy.code, deploy.stderr).to.equal(0);
    for (const f of ["certificate-of-origin.json", "commercial-invoice.json"]) await copyFile(join(SAMPLES, f), join(dir, f));
  });
  after(async function () {
    await anvil?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("registers the certificate of origin under the number printed in it, and finds it by that number in any letter case", async function () {
    const file = join(dir, "certificate-of-origin.json");
    const reg = await runCli(["register", file, "--type", "861", "--reference-field", "referenceNumber"], as("officer1"));
    expect(reg.stderr).to.equal("");
    expect(reg.code).to.equal(0);
    expect(reg.stdout).to.include("filed under certificate number VN-SG 26/01/000123");
    const receipt = parseReceipt(JSON.parse(await readFile(`${file}.receipt.json`, "utf8")));
    expect(receipt.reference).to.include({ scheme: "certificate", id: "VN-SG 26/01/000123" });

    // Pending: found, but not VALID, so exit 1.
    const pending = await runCli(["find", "--issuer", AUTHORITY.toLowerCase(), "--scheme", "certificate", "vn-sg 26/01/000123"], env);
    expect(pending.code).to.equal(1);
    expect(pending.stdout).to.match(/^1 document\(s\) filed by Regional Export-Import Management Office, Ho Chi Minh City under certificate number vn-sg 26\/01\/000123, newest first:\n\nPENDING/);
    expect((await runCli(["approve", file], as("officer2"))).code).to.equal(0);

    const found = await runCli(["find", "--issuer", "2", "--scheme", "certificate", "VN-SG 26/01/000123", "--json"], env);
    expect(found.code).to.equal(0);
    const json = JSON.parse(found.stdout);
    expect(json.organisation).to.deep.equal({ id: 2, name: AUTHORITY });
    expect(json.documents.map((d: { result: { docHash: string; status: string } }) => [d.result.docHash, d.result.status])).to.deep.equal([[receipt.docHash, "VALID"]]);
  });

  it("says NOT FOUND for a number nobody filed, and for another organisation's number (exit 1)", async function () {
    const none = await runCli(["find", "--issuer", AUTHORITY, "--scheme", "certificate", "VN-SG 26/01/000124"], env);
    expect(none.code).to.equal(1);
    expect(none.stdout).to.include(`NOT FOUND — ${AUTHORITY} filed no document under certificate number VN-SG 26/01/000124`);
    const other = await runCli(["find", "--issuer", "Mekong Coffee Export JSC", "--scheme", "certificate", "VN-SG 26/01/000123"], env);
    expect(other.code).to.equal(1);
    expect(other.stdout).to.include("NOT FOUND");
  });

  it("registers a public batch under each document's number, with the scheme the type implies", async function () {
    const batch = join(dir, "invoices");
    await mkdir(batch);
    const sample = JSON.parse(await readFile(join(SAMPLES, "commercial-invoice.json"), "utf8"));
    for (const n of ["0871", "0872"]) await writeFile(join(batch, `${n}.json`), JSON.stringify({ ...sample, invoiceNumber: `MCE-INV-2026-${n}` }));
    const run = await runCli(["register-batch", batch, "--type", "380", "--public", "--receipts", join(dir, "r"), "--reference-field", "invoiceNumber"], as("trader"));
    expect(run.stderr).to.equal("");
    expect(run.code).to.equal(0);
    const receipt = parseReceipt(JSON.parse(await readFile(join(dir, "r", "0872.json.receipt.json"), "utf8")));
    expect(receipt.reference).to.include({ scheme: "invoice", id: "MCE-INV-2026-0872" });
    const found = await runCli(["find", "--issuer", "Mekong Coffee Export JSC", "--scheme", "invoice", "mce inv 2026 0872", "--json"], env);
    expect(found.code).to.equal(0);
    expect(JSON.parse(found.stdout).documents.map((d: { result: { docHash: string } }) => d.result.docHash)).to.deep.equal([receipt.docHash]);
  });

  it("refuses bad input with a clear error and exit 2, before anything is sent", async function () {
    const file = join(dir, "commercial-invoice.json");
    const cases: [string[], Record<string, string>, string][] = [
      [["find", "--issuer", "2", "--scheme", "licence", "1"], env, "is not a reference scheme: use one of certificate, invoice, transport, declaration, free"],
      [["find", "--issuer", "2", "--scheme", "invoice", "  "], env, "The document number is empty"],
      [["find", "--issuer", "2", "--scheme", "invoice", "x".repeat(101)], env, "longer than 100 characters"],
      [["find", "--issuer", "Nobody Ltd", "--scheme", "invoice", "1"], env, 'No member organisation is called "Nobody Ltd"'],
      [["register", file, "--type", "380", "--reference-field", "nothingHere"], as("trader"), "has no nothingHere to file it under"],
      [["register", file, "--type", "380", "--reference", "1", "--reference-field", "invoiceNumber"], as("trader"), "not both"],
      [["register", file, "--type", "271", "--reference", "PL-1"], as("trader"), "document type 271 has no usual kind of number: name one with --scheme"],
    ];
    for (const [args, e, message] of cases) {
      const run = await runCli(args, e);
      expect(run.code, args.join(" ")).to.equal(2);
      expect(run.stderr, args.join(" ")).to.include(message);
    }
  });
});
