/**
 * Measures `verifyMany` against a local anvil node that this script starts on 127.0.0.1 (and stops).
 * Not a test: it prints figures and asserts nothing about time.
 *
 *   npx tsx bench/verify-many.ts [count=10000]
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { Network, hexlify, randomBytes } from "ethers";
import { RpcProvider } from "../sdk/provider.js";
import { TradeproofClient, addOrganisationCall, deployLedger, type Hex } from "../sdk/index.js";

const count = Number(process.argv[2] ?? 10_000);

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as { port: number };
await new Promise((resolve) => server.close(resolve));
const anvil = spawn("npx", ["anvil", "--host", "127.0.0.1", "--port", String(port), "--silent"], { stdio: "ignore", detached: true });
const provider = new RpcProvider(`http://127.0.0.1:${port}`, Network.from(31337), { staticNetwork: true, pollingInterval: 20 });
try {
  for (let i = 0; ; i++) {
    try {
      await provider.getBlockNumber();
      break;
    } catch (e) {
      if (i > 300) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const [g0, g1, g2, trader] = await Promise.all([0, 1, 2, 3].map((i) => provider.getSigner(i)));
  const deployment = await deployLedger(g0!, { governors: [g0!.address, g1!.address, g2!.address], threshold: 2 });
  const reader = await TradeproofClient.connect({ runner: provider, deployment });
  const id = await reader.withSigner(g0!).propose(
    [addOrganisationCall(deployment, { name: "Trader", country: "VN", kind: "TRADER", accounts: [trader!.address] })],
    "measure",
  );
  await reader.withSigner(g1!).approveProposal(id);
  await reader.withSigner(g1!).executeProposal(id);

  const docs = Array.from({ length: count }, () => hexlify(randomBytes(32)) as Hex);
  let t = performance.now();
  const receipts = await reader.withSigner(trader!).registerBatch(docs, 380);
  console.log(`registerBatch (private) of ${count}: ${(performance.now() - t).toFixed(0)} ms`);

  for (const [label, items] of [
    ["unknown hashes", docs.map(() => ({ docHash: hexlify(randomBytes(32)) as Hex }))],
    ["batch documents with receipts", receipts.map((receipt) => ({ docHash: receipt.docHash, receipt }))],
  ] as const) {
    await reader.verifyMany(items.slice(0, 500)); // warm-up
    t = performance.now();
    const results = await reader.verifyMany(items);
    const ms = performance.now() - t;
    const statuses = new Set(results.map((r) => r.status));
    console.log(`verifyMany of ${count} ${label}: ${ms.toFixed(0)} ms, ${Math.round((count / ms) * 1000)} per second (${[...statuses]})`);
  }
} finally {
  provider.destroy();
  if (anvil.pid) process.kill(-anvil.pid, "SIGTERM");
}
