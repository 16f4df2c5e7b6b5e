import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider } from "ethers";
import { hashJson, loadDeployment, TradeproofClient, type Hex, type Receipt } from "../../sdk/index.js";
import { demoWallet } from "../../scripts/demo.js";
import { prng } from "../../bench/documents.js";
import { freePort, launchEmbedded, nodePid, startEmbedded, type Embedded } from "./embedded.js";

describe("npm start survives kill -9", function () {
  this.timeout(300_000);
  let dataDir: string;
  let running: Embedded | undefined;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "tradeproof-crash-"));
  });
  after(async () => {
    await running?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("every document acknowledged before a SIGKILL of the whole process group is there after a restart, with the same status, time and transaction hash", async () => {
    const port = await freePort();
    running = await startEmbedded({ dataDir, port });
    const deployment = await loadDeployment(join(dataDir, "deployment.json"));

    // Register through the SDK; `register` returns once the receipt is seen, i.e. once acknowledged.
    const provider = new JsonRpcProvider(running.rpcUrl, deployment.chainId, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
    const trader = await TradeproofClient.connect({ runner: demoWallet("trader", provider), deployment });
    const receipts: Receipt[] = [];
    for (let i = 0; i < 5; i++) {
      receipts.push(await trader.register(hashJson({ invoice: `CRASH-${i}`, at: Date.now() }), 380));
    }
    // One more kind of write: a revocation, acknowledged just before the crash.
    const revoked = receipts[4]!;
    await trader.revoke(revoked.docHash, "crash test");
    provider.destroy();

    const before = await verifyAll(running.apiUrl, receipts.map((r) => r.docHash));
    await running.crash();
    running = await startEmbedded({ dataDir, port });
    const after = await verifyAll(running.apiUrl, receipts.map((r) => r.docHash));

    expect(after).to.deep.equal(before);
    expect(after.map((r) => r.status)).to.deep.equal(["VALID", "VALID", "VALID", "VALID", "REVOKED"]);
    expect(after.map((r) => r.txHash)).to.deep.equal(receipts.map((r) => r.txHash));
    expect(after.map((r) => r.anchoredAt)).to.deep.equal(receipts.map((r) => r.anchoredAt));
    expect(running.output()).to.include("data reused");
  });

  for (const seed of [11, 23, 37]) {
    it(`SIGKILL at random moments (seed ${seed}: during writes, during a checkpoint, during the replay at start) loses no acknowledged write`, async () => {
      await running?.stop();
      running = undefined;
      const random = prng(seed);
      const port = await freePort();
      // A checkpoint every 3 blocks, so that kills land during checkpoints too.
      const env = { TRADEPROOF_CHECKPOINT_BLOCKS: "3" };
      const acknowledged: Receipt[] = [];
      for (let round = 0; round < 3; round++) {
        const node = await startEmbedded({ dataDir, port, env });
        const deployment = await loadDeployment(join(dataDir, "deployment.json"));
        const provider = new JsonRpcProvider(node.rpcUrl, deployment.chainId, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });
        const trader = await TradeproofClient.connect({ runner: demoWallet("trader", provider), deployment });
        // Writes go on until the kill; those whose receipts came back before it are acknowledged.
        let killed = false;
        const writing = (async () => {
          for (let i = 0; !killed; i++) {
            try {
              const r = await trader.register(hashJson({ invoice: `KILL-${seed}-${round}-${i}` }), 380);
              if (!killed) acknowledged.push(r);
            } catch {
              return; // the node went away mid-write: never acknowledged
            }
          }
        })();
        await new Promise((r) => setTimeout(r, 300 + random() * 1_500));
        killed = true;
        await node.crash();
        await writing;
        provider.destroy();
        // Sometimes the next start is killed too, part-way through its replay and checkpoint loading.
        if (random() < 0.6) {
          const starting = launchEmbedded({ dataDir, port, env });
          await new Promise((r) => setTimeout(r, 200 + random() * 1_200));
          await starting.crash();
        }
      }
      running = await startEmbedded({ dataDir, port, env });
      expect(acknowledged.length, "writes acknowledged before the kills").to.be.greaterThan(0);
      const after = await verifyAll(running.apiUrl, acknowledged.map((r) => r.docHash));
      expect(after.map((r) => r.status)).to.deep.equal(acknowledged.map(() => "VALID"));
      expect(after.map((r) => r.txHash)).to.deep.equal(acknowledged.map((r) => r.txHash));
      expect(after.map((r) => r.anchoredAt)).to.deep.equal(acknowledged.map((r) => r.anchoredAt));
      expect(after.map((r) => r.blockNumber)).to.deep.equal(acknowledged.map((r) => r.blockNumber));
    });
  }

  it("Ctrl-C (SIGINT to the whole foreground group) stops with a checkpoint while the node still answers: the next start replays nothing, and no node is left running", async () => {
    await running?.stop();
    running = undefined;
    const port = await freePort();
    let started = await startEmbedded({ dataDir, port });
    const deployment = await loadDeployment(join(dataDir, "deployment.json"));
    const provider = new JsonRpcProvider(started.rpcUrl, deployment.chainId, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
    const trader = await TradeproofClient.connect({ runner: demoWallet("trader", provider), deployment });
    const receipt = await trader.register(hashJson({ invoice: "CTRL-C", at: Date.now() }), 380);
    provider.destroy();
    const node = nodePid(dataDir)!;
    const exited = new Promise((r) => started.child.once("exit", r));
    process.kill(-started.child.pid!, "SIGINT"); // what the terminal does on Ctrl-C
    await exited;
    expect(started.output(), started.output()).to.match(/Writing a checkpoint of the chain[\s\S]*Tradeproof stopped\./);
    expect(isRunning(node), "the node stopped with the start script").to.equal(false);
    expect(nodePid(dataDir)).to.equal(undefined);

    started = await startEmbedded({ dataDir, port });
    running = started;
    expect(started.output()).to.not.match(/[1-9]\d* block\(s\) replayed/);
    expect((await verifyAll(started.apiUrl, [receipt.docHash]))[0]!.txHash).to.equal(receipt.txHash);
  });

  it("npm start killed outright (its own group only) leaves no node running, and the next start comes up", async () => {
    await running?.stop();
    running = undefined;
    const port = await freePort();
    const first = await startEmbedded({ dataDir, port });
    const node = nodePid(dataDir)!;
    expect(isRunning(node)).to.equal(true);
    const exited = new Promise((r) => first.child.once("exit", r));
    process.kill(-first.child.pid!, "SIGKILL"); // the start script's group: the node runs in a group of its own
    await exited;
    // The kernel ends the node with its parent (setpriv --pdeathsig); without setpriv, the next start stops it.
    for (let i = 0; i < 50 && isRunning(node); i++) await new Promise((r) => setTimeout(r, 100));
    running = await startEmbedded({ dataDir, port });
    expect(isRunning(node), "no node of the killed start is left").to.equal(false);
    expect(nodePid(dataDir)).to.not.equal(node);
  });

  it("when the chain node dies on its own, npm start restarts it from disk and the API answers again with the same records", async () => {
    await running?.stop();
    const port = await freePort();
    running = await startEmbedded({ dataDir, port });
    const deployment = await loadDeployment(join(dataDir, "deployment.json"));
    const provider = new JsonRpcProvider(running.rpcUrl, deployment.chainId, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
    const trader = await TradeproofClient.connect({ runner: demoWallet("trader", provider), deployment });
    const receipt = await trader.register(hashJson({ invoice: "NODE-DEATH", at: Date.now() }), 380);
    const before = await verifyAll(running.apiUrl, [receipt.docHash]);

    const anvilPid = nodePid(dataDir);
    expect(execFileSync("ps", ["-o", "args=", "-p", String(anvilPid)], { encoding: "utf8" }), "data/anvil.pid names the node").to.contain("/bin/anvil ");
    process.kill(anvilPid!, "SIGKILL");
    for (let i = 0; i < 600 && !running.output().includes("the chain node is back"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(running.output()).to.include("the chain node stopped unexpectedly (SIGKILL); restarting it from");

    expect(await verifyAll(running.apiUrl, [receipt.docHash])).to.deep.equal(before);
    const next = await trader.register(hashJson({ invoice: "AFTER-NODE-DEATH", at: Date.now() }), 380);
    expect((await verifyAll(running.apiUrl, [next.docHash]))[0]!.status).to.equal("VALID");
    provider.destroy();
  });
});

/** Whether `pid` is a live process (a killed one nobody has reaped yet is a zombie with no command line). */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").length > 0;
  } catch {
    return false;
  }
}

async function verifyAll(apiUrl: string, docHashes: Hex[]): Promise<{ status: string; txHash?: string; anchoredAt?: string; blockNumber?: number }[]> {
  const res = await fetch(`${apiUrl}/v1/verify/batch`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ docHashes }),
  });
  expect(res.status).to.equal(200);
  return ((await res.json()) as { results: { status: string; txHash?: string; anchoredAt?: string; blockNumber?: number }[] }).results;
}
