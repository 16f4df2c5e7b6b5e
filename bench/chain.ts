/**
 * Local chains for the benchmarks, and our ledger deployed on them from the build's TypeChain
 * factories (so the same code deploys on the in-process chain and on anvil), with one trader admitted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { freePort } from "../scripts/embedded/anvil.js";
import { ethers, type Signer } from "ethers";
import { RpcProvider } from "../sdk/provider.js";
import { Council__factory, DocumentRegistry__factory, Forwarder__factory } from "../types/ethers-contracts/index.js";

/** UNTDID 1001 code of a commercial invoice: the type every benchmark registers. */
export const INVOICE = 380;

const TRADER = 1;
const ISSUING_AUTHORITY = 2;
const CUSTOMS = 3;
const kinds = (...list: number[]) => list.reduce((bits, k) => bits | (1 << k), 0);

/** Forwarder, council (signers 0-2 govern, threshold 2) and registry; signer 3 is an admitted trader, signer 4 customs. */
export async function deployOurLedger(signers: Signer[]) {
  const [g0, g1, g2, trader, customs] = signers;
  const governors = await Promise.all([g0, g1, g2].map((g) => g.getAddress()));
  const forwarder = await new Forwarder__factory(g0).deploy();
  const council = await new Council__factory(g0).deploy(governors, 2, 7 * 24 * 3600, await forwarder.getAddress());
  const registry = await new DocumentRegistry__factory(g0).deploy(
    await council.getAddress(),
    await forwarder.getAddress(),
    kinds(TRADER, ISSUING_AUTHORITY),
  );
  const receipts = await Promise.all([forwarder, council, registry].map(async (c) => (await c.deploymentTransaction()!.wait())!));
  const target = await registry.getAddress();
  const calls = [
    {
      target,
      data: registry.interface.encodeFunctionData("addOrganisation", [
        "Saigon Textiles JSC",
        ethers.hexlify(ethers.toUtf8Bytes("VN")),
        TRADER,
        [await trader.getAddress()],
      ]),
    },
    { target, data: registry.interface.encodeFunctionData("setDocumentPolicy", [INVOICE, kinds(TRADER), 1]) },
    {
      target,
      data: registry.interface.encodeFunctionData("addOrganisation", [
        "General Department of Vietnam Customs",
        ethers.hexlify(ethers.toUtf8Bytes("VN")),
        CUSTOMS,
        [await customs.getAddress()],
      ]),
    },
  ];
  const id = (await council.proposalCount()) + 1n;
  await (await council.connect(g0).propose(calls, "benchmark consortium")).wait();
  await (await council.connect(g1).approve(id)).wait();
  await (await council.connect(g1).execute(id)).wait();
  const network = await g0.provider!.getNetwork();
  return {
    registry,
    council,
    forwarder,
    trader,
    customs,
    deployGas: receipts.reduce((sum, r) => sum + Number(r.gasUsed), 0),
    deployment: {
      chainId: Number(network.chainId),
      registry: target as `0x${string}`,
      council: (await council.getAddress()) as `0x${string}`,
      forwarder: (await forwarder.getAddress()) as `0x${string}`,
      startBlock: Math.min(...receipts.map((r) => r.blockNumber)),
    },
  };
}


/** An anvil node (from @foundry-rs/anvil) on 127.0.0.1 with 20 unlocked accounts and `extra` flags; `stop()` ends it. */
export async function startAnvil(extra: string[] = []) {
  const require = createRequire(import.meta.url);
  const binary = join(dirname(require.resolve("@foundry-rs/anvil-linux-amd64/package.json")), "bin", "anvil");
  const port = await freePort();
  const proc: ChildProcess = spawn(binary, ["--host", "127.0.0.1", "--port", String(port), "--accounts", "20", "--silent", ...extra], {
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  const ask = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) };
  let chainId: number;
  for (const until = Date.now() + 20_000; ; ) {
    // Polled with fetch: an ethers provider created before the node listens logs retry warnings.
    const answer = await fetch(url, ask).then((r) => r.json() as Promise<{ result: string }>, () => undefined);
    if (answer) {
      chainId = Number(answer.result);
      break;
    }
    if (Date.now() > until) throw new Error(`anvil did not answer on ${url}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const provider = new RpcProvider(url, chainId, { staticNetwork: true, cacheTimeout: -1 });
  const signers = await Promise.all(Array.from({ length: 5 }, (_, i) => provider.getSigner(i)));
  return {
    url,
    provider,
    signers,
    async stop() {
      provider.destroy();
      if (proc.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      });
    },
  };
}
