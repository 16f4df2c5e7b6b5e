import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { ethers } from "ethers";
import autocannon from "autocannon";
import { Anvil, deployConsortium, DocType, tempDir, freePort } from "../test/api/helpers.ts";
const anvil = await Anvil.start();
const c = await deployConsortium(anvil.url);
const h = ethers.keccak256("0x01");
await (await c.registry.connect(c.trader).register(h, DocType.INVOICE)).wait();
const dataDir = tempDir();
writeFileSync(join(dataDir, "deployment.json"), JSON.stringify(c.deployment));
const port = await freePort();
const p = spawn(process.execPath, ["--cpu-prof", "--cpu-prof-dir=/tmp/prof3", "--import", "tsx", "api/server.ts"], { stdio: "inherit", env: { ...process.env, TRADEPROOF_RPC: anvil.url, TRADEPROOF_DATA_DIR: dataDir, TRADEPROOF_DEPLOYMENT: join(dataDir, "deployment.json"), TRADEPROOF_API_PORT: String(port), TRADEPROOF_LOG_LEVEL: "warn", TRADEPROOF_RATE_LIMIT: "0" } });
try {
  for (let i = 0; i < 100 && !(await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 200));
  await fetch(`http://127.0.0.1:${port}/v1/documents/${h}`);
  const r = await autocannon({ url: `http://127.0.0.1:${port}/v1/documents/${h}`, connections: 50, duration: 8 });
  console.log("rps", r.requests.average, "p99", r.latency.p99);
} finally {
  p.kill("SIGTERM");
  await new Promise((r) => p.once("exit", r));
  c.provider.destroy(); await anvil.stop();
}
