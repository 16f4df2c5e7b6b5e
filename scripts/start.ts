// `npm start`: the embedded default. One command starts a local chain whose state survives restarts and
// `kill -9`, deploys the ledger and seeds the demo consortium on the first start, and serves the API and the
// web verifier on 127.0.0.1. The README ("Why the chain survives kill -9") explains the durability design.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HDNodeWallet, JsonRpcProvider } from "ethers";
import { pino } from "pino";
import type { RunningServer } from "../api/server.js";
import { loadDeployment, TradeproofClient, type Deployment } from "../sdk/index.js";
import { demoAccounts, deployDemoLedger, seedDemoConsortium, DEMO_MNEMONIC } from "./demo.js";
import { blockTimeFromEnv, type Anvil } from "./embedded/anvil.js";
import { startDurableRpc, type DurableRpc } from "./embedded/durable-rpc.js";
import { writeFileAtomic } from "./embedded/files.js";
import { JournalError } from "./embedded/journal.js";
import { chainFiles, recoverChain } from "./embedded/recover.js";
import { prepareDemoFolder, seedDemoDocuments } from "./embedded/seed.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Account 9 of the public test mnemonic pays the relayer's gas; it plays no member's part. */
const RELAYER_INDEX = 9;

/** A start-up problem worth a one-line message rather than a stack trace. */
class StartError extends Error {}

/** Blocks between background checkpoints (TRADEPROOF_CHECKPOINT_BLOCKS, default 2,000). */
function checkpointEvery(): number {
  const raw = process.env.TRADEPROOF_CHECKPOINT_BLOCKS;
  if (raw === undefined || raw === "") return 2_000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new StartError(`TRADEPROOF_CHECKPOINT_BLOCKS: expected a whole number of blocks, got "${raw}"`);
  return n;
}

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new StartError(`${name}: expected a port number 0-65535, got "${raw}"`);
  return n;
}

const say = (line: string) => process.stdout.write(`${line}\n`);
let anvil: Anvil | undefined;
let gateway: DurableRpc | undefined;
let api: RunningServer | undefined;
let stopping: Promise<void> | undefined;

/** Stops the API first (no new writes), then journals the last blocks and writes a checkpoint, then stops the node. */
function stop(code: number): Promise<void> {
  return (stopping ??= (async () => {
    if (api) {
      // A browser holding a keep-alive connection (the verifier polls /health) would keep close() waiting.
      const running = api;
      const timer = setTimeout(() => running.server.closeAllConnections(), 2_000);
      await running.close().catch((e: unknown) => say(`api: ${(e as Error).message}`));
      clearTimeout(timer);
    }
    // The node runs in a process group of its own, so Ctrl-C reaches this script only, and the node is still up for
    // the last flush and a checkpoint (nothing to replay at the next start). Everything acknowledged is in the journal
    // already: if the node died meanwhile, the next start replays the journal after the last checkpoint instead.
    const nodeUp = anvil !== undefined && anvil.process.exitCode === null && anvil.process.signalCode === null;
    if (nodeUp && gateway) {
      say("Writing a checkpoint of the chain, so that the next start has nothing to replay…");
      await gateway.checkpoint().catch((e: unknown) => say(`checkpoint: ${(e as Error).message}`));
    }
    await gateway?.close({ flush: nodeUp }).catch((e: unknown) => say(`journal: ${(e as Error).message}`));
    await anvil?.stop();
    say(code === 0 ? "Tradeproof stopped." : "Tradeproof stopped after an error.");
    process.exit(code);
  })());
}

/**
 * Restarts the node from the checkpoints and the journal when it dies on its own (the gateway answers "node
 * unavailable" meanwhile, and the API and page say so). Stops everything after 5 deaths within a minute.
 */
function watchNode(dataDir: string, blockTime: number | undefined) {
  const deaths: number[] = [];
  const watch = (node: Anvil) =>
    node.process.once("exit", (code, signal) => {
      if (stopping) return; // stop() is under way

      const now = Date.now();
      deaths.push(now);
      while (deaths[0]! < now - 60_000) deaths.shift();
      if (deaths.length > 5) {
        say("the chain node keeps stopping; giving up");
        void stop(1);
        return;
      }
      say(`the chain node stopped unexpectedly (${signal ?? `code ${code}`}); restarting it from ${dataDir}`);
      gateway!
        .detach()
        .then(() => recoverChain({ dataDir, blockTime, log: (l) => say(`  ${l}`) }))
        .then(
        (next) => {
          anvil = next.anvil;
          gateway?.setUpstream(next.anvil.url, { journal: next.journal, archive: next.archive, journaledBlock: next.journaledBlock });
          watch(next.anvil);
          say("the chain node is back");
        },
        (e: unknown) => {
          say(`the chain node cannot be restarted: ${(e as Error).message}`);
          void stop(1);
        },
      );
    });
  watch(anvil!);
}

async function main() {
  const dataDir = resolve(process.env.TRADEPROOF_DATA_DIR || join(ROOT, "data"));
  const apiPort = portFrom("PORT", 8080);
  const rpcPort = portFrom("TRADEPROOF_RPC_PORT", 8545);
  const samplesDir = resolve(process.env.TRADEPROOF_SAMPLES || join(ROOT, "..", "shared", "samples"));
  const deploymentFile = join(dataDir, "deployment.json");
  const keysFile = join(dataDir, "demo-keys.json");
  const demoDir = join(dataDir, "demo");
  await mkdir(dataDir, { recursive: true });

  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  // The terminal closed: the node, in a session of its own, would not hear of it.
  process.once("SIGHUP", () => void stop(0));

  let blockTime: number | undefined;
  try {
    blockTime = blockTimeFromEnv();
  } catch (e) {
    throw new StartError((e as Error).message);
  }

  const files = chainFiles(dataDir);
  let recovered;
  try {
    recovered = await recoverChain({ dataDir, blockTime, log: (l) => say(l) });
  } catch (e) {
    if (e instanceof JournalError) throw new StartError(e.message);
    throw e;
  }
  anvil = recovered.anvil;
  if (recovered.replayed > 0) say(`chain recovered: ${recovered.checkpoint ? `checkpoint at block ${recovered.checkpoint.block}` : "from genesis"}, ${recovered.replayed} block(s) replayed from the journal`);
  const reuse = recovered.existing;
  gateway = await startDurableRpc({
    upstream: anvil.url,
    journal: recovered.journal,
    archive: recovered.archive,
    journaledBlock: recovered.journaledBlock,
    // A start replays at most about 2,000 blocks or 2 MB of journal (some 4,500 single registers).
    checkpoints: { dir: files.checkpoints, everyBlocks: checkpointEvery(), everyBytes: 2_000_000, last: recovered.checkpoint?.block ?? 0 },
    port: rpcPort,
    minesOnItsOwn: blockTime !== undefined,
    onCheckpointError: (e) => say(`checkpoint failed (the journal holds everything; the next start replays more): ${e.message}`),
    onNodeLost: (e) => {
      say(`${e.message}: restarting the chain node from disk`);
      anvil?.process.kill("SIGKILL");
    },
  });
  watchNode(dataDir, blockTime);
  const provider = new JsonRpcProvider(gateway.url, undefined, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });

  let deployment: Deployment;
  if (existsSync(deploymentFile)) {
    deployment = await loadDeployment(deploymentFile);
    if (!reuse) {
      throw new StartError(
        `${deploymentFile} names a ledger, but the chain holding it (${files.journal}, ${files.checkpoints}) is missing. Move ${dataDir} away to start afresh.`,
      );
    }
    // Throws WrongChainError when the recovered chain does not hold this deployment.
    await TradeproofClient.connect({ runner: provider, deployment });
  } else {
    say("first start: deploying the ledger and seeding the demo consortium…");
    deployment = await deployDemoLedger(provider);
    // The deployment's receipts came through the gateway, so the chain holding it is on disk already.
    await writeFileAtomic(deploymentFile, Buffer.from(`${JSON.stringify(deployment, null, 2)}\n`));
  }
  await seedDemoConsortium({ provider, deployment });
  if (!existsSync(keysFile)) {
    const keys = {
      warning:
        "PUBLIC TEST KEYS. They derive from the well-known mnemonic below, printed by every local Ethereum node. Use them on this local chain only: anything they sign elsewhere can be forged by anyone.",
      mnemonic: DEMO_MNEMONIC,
      accounts: demoAccounts(),
      relayer: { index: RELAYER_INDEX, note: "pays gas for relayed requests; not a member" },
    };
    await writeFile(keysFile, `${JSON.stringify(keys, null, 2)}\n`);
  }
  if (existsSync(samplesDir)) {
    await prepareDemoFolder(samplesDir, demoDir);
    await seedDemoDocuments({ provider, deployment, demoDir, log: (l) => say(`  ${l}`) });
  } else {
    say(`no sample documents at ${samplesDir} (set TRADEPROOF_SAMPLES); none anchored`);
  }
  provider.destroy();

  // node:sqlite (the API's index) announces itself as experimental on Node 22; a newcomer would read that
  // line as a fault, so it is left out here (and only that warning).
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(typeof warning === "string" ? warning : warning.message).startsWith("SQLite is an experimental")) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
  const { startServer } = await import("../api/server.js");
  // The console is for people: the API's JSON log lines go to a file under the data folder.
  const logFile = join(dataDir, "api.log");
  const logger = pino({ level: process.env.TRADEPROOF_LOG_LEVEL || "info", base: { service: "tradeproof-api" } }, pino.destination({ dest: logFile, mkdir: true, sync: false }));
  const relayerKey = HDNodeWallet.fromPhrase(DEMO_MNEMONIC, undefined, `m/44'/60'/0'/0/${RELAYER_INDEX}`).privateKey;
  api = await startServer({
    env: {
      ...process.env,
      TRADEPROOF_RPC: gateway.url,
      TRADEPROOF_DEPLOYMENT: deploymentFile,
      TRADEPROOF_DATA_DIR: dataDir,
      TRADEPROOF_API_HOST: "127.0.0.1",
      TRADEPROOF_API_PORT: String(apiPort),
      TRADEPROOF_RELAYER_KEY: process.env.TRADEPROOF_RELAYER_KEY || relayerKey,
      TRADEPROOF_LOG_LEVEL: process.env.TRADEPROOF_LOG_LEVEL || "warn",
      TRADEPROOF_POLL_MS: process.env.TRADEPROOF_POLL_MS || "500",
    },
    handleSignals: false,
    logger,
  });

  say("");
  say(`Tradeproof is running (${reuse ? "data reused" : "new ledger"}; data in ${dataDir})`);
  say(`  Web verifier:  ${api.url}/`);
  say(`  API:           ${api.url}/v1   (docs ${api.url}/docs, health ${api.url}/health)`);
  say(`  JSON-RPC:      ${gateway.url}   (chain id ${deployment.chainId}, registry ${deployment.registry}; no gas price; ${blockTime ? `a block every ${blockTime} s` : "a block per transaction"})`);
  say(`  Ledger's DID:  ${api.url}/.well-known/did.json   (signs anchor credentials: npx tradeproof credential FILE)`);
  say(`  Deployment:    ${deploymentFile}`);
  say(`  Demo keys:     ${keysFile}   (public test keys: local use only)`);
  say(`  Demo files:    ${demoDir}`);
  say(`  API log:       ${logFile}   (JSON lines)`);
  say("Press Ctrl-C to stop.");
}

main().catch((e: unknown) => {
  if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") {
    process.stderr.write(`npm start failed: ${(e as Error).message}. Choose other ports with PORT (API, web) and TRADEPROOF_RPC_PORT (JSON-RPC).\n`);
    void stop(1);
    return;
  }
  const message = e instanceof Error ? `${e.name === "Error" || e instanceof StartError ? "" : `${e.name}: `}${e.message}` : String(e);
  process.stderr.write(`npm start failed: ${message}\n`);
  void stop(1);
});
