import { expect } from "chai";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, parseEther } from "ethers";
import { demoWallet } from "../../scripts/demo.js";
import { startAnvil, type Anvil } from "../../scripts/embedded/anvil.js";
import { startDurableRpc, type DurableRpc } from "../../scripts/embedded/durable-rpc.js";

describe("durable JSON-RPC gateway of npm start", function () {
  this.timeout(60_000);
  let dir: string;
  let anvil: Anvil | undefined;
  let gateway: DurableRpc | undefined;
  let provider: JsonRpcProvider | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tradeproof-gateway-"));
  });
  afterEach(async () => {
    provider?.destroy();
    await gateway?.close({ flush: false });
    await anvil?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const stateFile = join(dir, "chain.json");
    anvil = await startAnvil({ stateFile });
    gateway = await startDurableRpc({ upstream: anvil.url, stateFile, port: 0 });
    provider = new JsonRpcProvider(gateway.url, 31337, { staticNetwork: true, cacheTimeout: -1 });
    return stateFile;
  };

  it("a transaction whose receipt a client has seen is already in the state file on disk", async () => {
    const stateFile = await start();
    const tx = await demoWallet("trader", provider).sendTransaction({ to: demoWallet("auditor").address, value: parseEther("1") });
    const receipt = await tx.wait();
    const state = await readFile(stateFile, "utf8");
    expect(state).to.include(receipt!.hash.slice(2));
  });

  it("a node restarted from the state file has the same block, time and transaction", async () => {
    const stateFile = await start();
    const tx = await demoWallet("trader", provider).sendTransaction({ to: demoWallet("auditor").address, value: 1n });
    const receipt = (await tx.wait())!;
    const block = (await provider!.getBlock(receipt.blockNumber))!;
    // Crash: no final flush, the node killed outright.
    const exited = new Promise((r) => anvil!.process.once("exit", r));
    anvil!.process.kill("SIGKILL");
    await exited;
    await gateway!.close({ flush: false });
    provider!.destroy();

    anvil = await startAnvil({ stateFile });
    gateway = await startDurableRpc({ upstream: anvil.url, stateFile, port: 0 });
    provider = new JsonRpcProvider(gateway.url, 31337, { staticNetwork: true, cacheTimeout: -1 });
    const again = (await provider.getTransactionReceipt(receipt.hash))!;
    expect(again.blockNumber).to.equal(receipt.blockNumber);
    expect((await provider.getBlock(again.blockNumber))!.timestamp).to.equal(block.timestamp);
  });

  it("the gateway refuses to let a client load or dump another state", async () => {
    await start();
    const res = await fetch(gateway!.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "anvil_loadState", params: ["0x00"] }),
    });
    expect(await res.json()).to.deep.equal({ jsonrpc: "2.0", id: 7, error: { code: -32601, message: "anvil_loadState is not available through this gateway" } });
  });
});
