import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { demoWallet } from "../../scripts/demo.js";
import { addOrganisationCall, hashJson, loadDeployment, TradeproofClient } from "../../sdk/index.js";
import { runCli } from "../cli/harness.js";
import { freePort, startEmbedded, type Embedded } from "./embedded.js";

/**
 * The embedded chain behaves like a consortium network: no gas price, so a member admitted by the council writes
 * at once, without anyone sending its account ether; and, with TRADEPROOF_BLOCK_TIME, blocks on a period like QBFT's.
 */
for (const blockTime of [undefined, 2]) {
  describe(`npm start ${blockTime ? `with a block every ${blockTime} s` : "with a block per transaction"}: free gas`, function () {
    this.timeout(300_000);
    let dataDir: string;
    let server: Embedded;
    let provider: JsonRpcProvider;

    before(async function () {
      dataDir = await mkdtemp(join(tmpdir(), "tradeproof-free-gas-"));
      server = await startEmbedded({ dataDir, port: await freePort(), env: blockTime ? { TRADEPROOF_BLOCK_TIME: String(blockTime) } : {} });
      provider = new JsonRpcProvider(server.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
    });
    after(async function () {
      provider?.destroy();
      await server?.stop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it("keeps the console for people: the API logs JSON lines to a file under the data folder", async function () {
      expect(server.output()).to.contain(`API log:       ${join(dataDir, "api.log")}`);
      await fetch(`${server.apiUrl}/health`);
      expect(server.output().split("\n").filter((l) => l.trimStart().startsWith("{"))).to.deep.equal([]);
    });

    it("the node quotes no gas price and no base fee", async function () {
      expect(await provider.send("eth_gasPrice", [])).to.equal("0x0");
      const block = await provider.getBlock("latest");
      expect(block!.baseFeePerGas).to.equal(0n);
      expect(server.output()).to.contain(blockTime ? `a block every ${blockTime} s` : "a block per transaction");
    });

    it("passes tradeproof doctor: free gas, this build's contracts, the block period; only the client (anvil, not Besu) warns", async function () {
      // Blocks on a period need a few before there is one to measure; the per-transaction chain has the seeding's.
      if (blockTime) while ((await provider.getBlockNumber()) < 8) await new Promise((r) => setTimeout(r, 500));
      const args = ["doctor", "--json", ...(blockTime ? ["--block-period", String(blockTime)] : [])];
      const run = await runCli(args, { TRADEPROOF_RPC: server.rpcUrl, TRADEPROOF_DEPLOYMENT: join(dataDir, "deployment.json") });
      expect(run.stderr).to.equal("");
      expect(run.code).to.equal(0);
      const report = JSON.parse(run.stdout) as { ok: boolean; checks: { id: string; status: string; message: string }[] };
      expect(report.checks.filter((c) => c.status !== "pass").map((c) => c.id)).to.deep.equal(["client"]);
      const period = report.checks.find((c) => c.id === "block-period")!.message;
      expect(period).to.match(blockTime ? new RegExp(`^a block every ${blockTime} s`) : /^blocks mined on demand/);
    });

    it("a member the council admits registers from the CLI with an account that holds no ether", async function () {
      const deployment = await loadDeployment(join(dataDir, "deployment.json"));
      const member = Wallet.createRandom();
      expect(await provider.getBalance(member.address)).to.equal(0n);
      const [g1, g2] = await Promise.all(
        (["governor1", "governor2"] as const).map((role) => TradeproofClient.connect({ runner: demoWallet(role, provider), deployment })),
      );
      const id = await g1!.propose(
        [addOrganisationCall(deployment, { name: "Saigon Newport Logistics", country: "VN", kind: "TRADER", accounts: [member.address] })],
        "admit a trader",
      );
      await g2!.approveProposal(id);
      await g2!.executeProposal(id);

      const invoice = { documentType: "380", invoiceNumber: "SNP-2026-0001", total: 420 };
      const file = join(dataDir, "snp-invoice.json");
      await writeFile(file, JSON.stringify(invoice));
      const env = { TRADEPROOF_RPC: server.rpcUrl, TRADEPROOF_DEPLOYMENT: join(dataDir, "deployment.json"), TRADEPROOF_PRIVATE_KEY: member.privateKey };
      const run = await runCli(["register", file, "--type", "380"], env);
      expect(run.stderr).to.equal("");
      expect(run.code).to.equal(0);
      const verified = await runCli(["verify", file, "--json"], env);
      const result = JSON.parse(verified.stdout) as { docHash: string; status: string; issuer: { organisation: string; account: string } };
      expect(result).to.deep.include({ docHash: hashJson(invoice), status: "VALID" });
      expect(result.issuer).to.deep.include({ organisation: "Saigon Newport Logistics", account: member.address });
      expect(await provider.getBalance(member.address)).to.equal(0n);
    });

    it("says it stopped when it is stopped", async function () {
      await server.stop();
      expect(server.output()).to.match(/Tradeproof stopped\.\n$/);
      expect(existsSync(join(dataDir, "api.log"))).to.equal(true);
    });
  });
}
