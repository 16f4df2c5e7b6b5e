import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { HDNodeWallet, Network, type Signer } from "ethers";
import { network } from "hardhat";
import { NodeUnreachableError, RpcProvider, TradeproofClient, deployLedger, type Hex } from "../../sdk/index.js";
import { FREE_GAS_FLAGS } from "../../scripts/embedded/anvil.js";
import { rejection, shouldBehaveLikeATradeproofClient, type ClientSuiteContext } from "./client.behavior.js";

/**
 * A port that was free a moment ago on 127.0.0.1, drawn below the ephemeral range (32768 and up) that other
 * suites' `listen(0)` servers take, so that a node starting a second later rarely finds it taken.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
}

/** The chain id a JSON-RPC node on `port` answers, or undefined (nothing there, not JSON-RPC, or too slow). */
async function chainIdAt(port: number): Promise<bigint | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await response.json()) as { result?: string };
    return body.result ? BigInt(body.result) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A provider that never probes the network on its own and polls receipts often (automining nodes answer at once).
 * The SDK's RpcProvider, so the anvil suite takes the direct-fetch reads while the in-process suite takes ethers' own.
 */
function localProvider(port: number, chainId = 31337): RpcProvider {
  return new RpcProvider(`http://127.0.0.1:${port}`, Network.from(chainId), { staticNetwork: true, pollingInterval: 20 });
}

/**
 * Starts anvil with `extra` flags on a free port, with a chain id of its own: other suites start anvils too, and the
 * chain id proves that the node answering on the port is ours. Returns the process (its group is stopped with
 * `process.kill(-pid)`) and a suite context of 12 unlocked accounts.
 */
async function startOwnAnvil(extra: string[], opts: { wallets?: boolean } = {}): Promise<{ anvil: ChildProcess; ctx: ClientSuiteContext }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const chainId = 100_000 + Math.floor(Math.random() * 800_000);
    // detached: npx starts anvil as its child; the whole process group is stopped in `after`.
    const child = spawn(
      "npx",
      ["anvil", "--host", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId), "--accounts", "12", "--silent", ...extra],
      { stdio: "ignore", detached: true },
    );
    let exited = false;
    child.once("exit", () => (exited = true));
    let ours = false;
    for (let i = 0; i < 200 && !exited && !ours; i++) {
      ours = (await chainIdAt(port)) === BigInt(chainId);
      if (!ours) await new Promise((r) => setTimeout(r, 100));
    }
    if (!ours) {
      if (!exited && child.pid) process.kill(-child.pid, "SIGTERM");
      continue;
    }
    const provider = localProvider(port, chainId);
    // Keys held by the client (as on Besu, which has no unlocked accounts), or the node's unlocked accounts.
    const signers: Signer[] = opts.wallets
      ? Array.from({ length: 12 }, (_, i) => HDNodeWallet.fromPhrase(ANVIL_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider))
      : await Promise.all(Array.from({ length: 12 }, (_, i) => provider.getSigner(i)));
    return { anvil: child, ctx: { provider, signers } };
  }
  throw new Error("anvil did not start");
}

/** anvil's default accounts come from this phrase. */
const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

const DEPLOYMENT = {
  chainId: 31337,
  registry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0" as Hex,
  council: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" as Hex,
  forwarder: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Hex,
  startBlock: 0,
};

describe("TradeproofClient", function () {
  this.timeout(120_000);

  describe("on the in-process chain", function () {
    let ctx: ClientSuiteContext;
    before(async function () {
      const { ethers } = await network.create();
      ctx = { provider: ethers.provider, signers: (await ethers.getSigners()) as Signer[] };
    });
    shouldBehaveLikeATradeproofClient(() => ctx);
  });

  describe("on anvil (a second node implementation)", function () {
    let anvil: ChildProcess | undefined;
    let ctx: ClientSuiteContext | undefined;

    before(async function () {
      ({ anvil, ctx } = await startOwnAnvil([]));
    });

    after(function () {
      if (anvil?.pid) {
        try {
          process.kill(-anvil.pid, "SIGTERM");
        } catch {
          // Already stopped by the last test.
        }
      }
      (ctx?.provider as RpcProvider | undefined)?.destroy();
    });

    shouldBehaveLikeATradeproofClient(() => ctx!);

    // Mocha runs a suite's own tests before its nested suites: this one stops the node, so it gets a suite of
    // its own, declared after the shared behaviour.
    describe("when the node goes away", function () {
      it("verify throws NodeUnreachableError instead of giving a verdict", async function () {
        const { provider, signers } = ctx!;
        const governors = await Promise.all(signers.slice(0, 3).map((g) => g.getAddress()));
        const deployment = await deployLedger(signers[0]!, { governors, threshold: 2 });
        const client = await TradeproofClient.connect({ runner: provider, deployment });
        const exited = new Promise((r) => anvil!.once("exit", r));
        process.kill(-anvil!.pid!, "SIGTERM");
        await exited;
        const e = await rejection(client.verify(`0x${"12".repeat(32)}`));
        expect(e).to.be.instanceOf(NodeUnreachableError);
        expect((e as NodeUnreachableError).code).to.equal("NODE_UNREACHABLE");
      });
    });
  });

  // The network profile: a block every 2 s and no gas price, as on a QBFT consortium, so that nothing in the client
  // silently assumes that a transaction is mined the moment it is sent.
  describe("on anvil mining a block every 2 s with free gas (the network profile)", function () {
    this.timeout(300_000);
    let anvil: ChildProcess | undefined;
    let ctx: ClientSuiteContext | undefined;

    before(async function () {
      ({ anvil, ctx } = await startOwnAnvil(["--block-time", "2", ...FREE_GAS_FLAGS], { wallets: true }));
    });
    after(function () {
      if (anvil?.pid) process.kill(-anvil.pid, "SIGTERM");
      (ctx?.provider as RpcProvider | undefined)?.destroy();
    });

    shouldBehaveLikeATradeproofClient(() => ctx!);
  });

  describe("without a node", function () {
    it("connecting to a closed port is NodeUnreachableError", async function () {
      const provider = localProvider(await freePort());
      const e = await rejection(TradeproofClient.connect({ runner: provider, deployment: DEPLOYMENT }));
      expect(e).to.be.instanceOf(NodeUnreachableError);
      expect((e as NodeUnreachableError).code).to.equal("NODE_UNREACHABLE");
      provider.destroy();
    });
  });
});
