// Starts the anvil binary shipped by @foundry-rs/anvil on a private 127.0.0.1 port.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { KEPT_BLOCKS } from "./archive.js";

const require = createRequire(import.meta.url);

/**
 * The platform binary itself, not the npm wrapper (`node_modules/.bin/anvil` is a Node script that spawns
 * it; signalling the wrapper would leave the node running).
 */
export function anvilBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  let dir: string;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`anvil is not installed for ${process.platform}/${process.arch} (npm package ${pkg} is missing)`);
  }
  const bin = join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  if (!existsSync(bin)) throw new Error(`anvil binary not found at ${bin}`);
  return bin;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Anvil {
  url: string;
  process: ChildProcess;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The flags that make anvil charge no gas, as a consortium network does (Besu with `--min-gas-price=0` and
 * `zeroBaseFee`): a zero gas price quoted by eth_gasPrice, a zero base fee in every block, and no minimum
 * priority fee. Members' accounts then write without holding any ether.
 */
export const FREE_GAS_FLAGS = ["--gas-price", "0", "--block-base-fee-per-gas", "0", "--disable-min-priority-fee"];

/** The embedded chain's block period from TRADEPROOF_BLOCK_TIME (seconds; unset or empty: a block per transaction). */
export function blockTimeFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.TRADEPROOF_BLOCK_TIME;
  if (raw === undefined || raw === "") return undefined;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60) {
    throw new Error(`TRADEPROOF_BLOCK_TIME: expected whole seconds from 1 to 60 (like a QBFT block period), got "${raw}"`);
  }
  return seconds;
}

export interface StartAnvilOptions {
  /** A state dump to start from (`--load-state`), when it exists. */
  stateFile?: string;
  chainId?: number;
  /** Seconds between blocks (interval mining); absent: a block per transaction. */
  blockTime?: number;
  /** Mine only on request (`evm_mine`): how the journal is replayed before mining starts. */
  noMining?: boolean;
  /**
   * The node's clock at start (`--timestamp`): block 0's time for a chain that must follow a recorded genesis, or the
   * head's time of the state loaded, so that a replay may mine blocks at their recorded (older) times.
   */
  startTimestamp?: number;
  /** The time of the chain's block 0 (the journal's genesis record): the upstream's genesis, so block 0 is the same. */
  genesisTimestamp?: number;
  /**
   * Where the node's process id is kept while it runs. Given (as `npm start` does), the node runs in a process group
   * of its own, so that Ctrl-C in the terminal, which signals the whole foreground group, reaches the start script
   * only: the script then writes its checkpoint while the node still answers, and stops the node itself. A node
   * left running by a start script that was killed outright is stopped by the next start, from this file.
   */
  pidFile?: string;
  log?: (line: string) => void;
}

/** util-linux's setpriv, where installed: it sets the parent-death signal, then becomes the node (same process). */
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));

/** Where the id of the node's upstream (see {@link startAnvil}) is kept beside the node's own. */
export const upstreamPidFile = (pidFile: string) => `${pidFile.replace(/\.pid$/, "")}-upstream.pid`;

/** Stops a node left running by a start that was killed outright (its id in `pidFile`, and still an anvil). */
async function stopLeftover(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, "utf8").trim());
  } catch {
    return;
  }
  const isAnvil = () => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]!.endsWith("anvil");
    } catch {
      return false; // gone (or no /proc to ask: then it was never detached from a killed parent here)
    }
  };
  if (Number.isInteger(pid) && pid > 0 && isAnvil()) {
    process.kill(pid, "SIGKILL");
    for (let i = 0; i < 100 && isAnvil(); i++) await new Promise((r) => setTimeout(r, 20));
  }
  rmSync(pidFile, { force: true });
}

/**
 * Starts anvil on 127.0.0.1, from `stateFile` when it exists. It does not dump state itself: the gateway
 * (durable-rpc.ts) journals every block and writes the checkpoints. The chain charges no gas
 * ({@link FREE_GAS_FLAGS}); with `blockTime` it mines a block every so many seconds, like QBFT's block period,
 * instead of one block per transaction. `--prune-history` keeps the state of the head only, not of every block:
 * without it the node's memory grows with every block (22 GB at 2,400 blocks of registers was measured), and
 * nothing in Tradeproof reads state at an older block.
 */
export async function startAnvil(opts: StartAnvilOptions = {}): Promise<Anvil> {
  const chainId = String(opts.chainId ?? 31337);
  // The upstream: an idle node that never mines, with the same chain id, accounts and genesis (its time is the recorded
  // genesis's, or now for a new chain). The ledger's node forks from it, which spares it the state root of the whole
  // state at every block (fork mode leaves it out: the header's stateRoot is zero), so a block costs the same at
  // 100,000 documents as at 1,000. It answers the few reads of accounts the ledger's node has never written.
  const upstream = await spawnAnvil(
    ["--chain-id", chainId, "--no-mining", "--prune-history", ...FREE_GAS_FLAGS, "--timestamp", String(opts.genesisTimestamp ?? Math.floor(Date.now() / 1000))],
    opts.pidFile && upstreamPidFile(opts.pidFile),
    opts.log,
  );
  let node: Anvil;
  try {
    node = await spawnAnvil(nodeArgs(opts, upstream.url), opts.pidFile, opts.log);
  } catch (e) {
    await upstream.stop();
    throw e;
  }
  // Without its upstream the node cannot mine (it reads a system contract's slot from it at every block): the one
  // does not outlive the other.
  let stopping = false;
  upstream.process.once("exit", () => {
    if (!stopping) node.process.kill("SIGKILL");
  });
  node.process.once("exit", () => {
    if (!stopping) upstream.process.kill("SIGKILL");
  });
  return {
    url: node.url,
    process: node.process,
    async stop(graceMs = 5_000) {
      stopping = true;
      await node.stop(graceMs);
      await upstream.stop(graceMs);
    },
  };
}

/** The ledger node's flags: the embedded chain's, forked from `upstreamUrl`. */
function nodeArgs(opts: StartAnvilOptions, upstreamUrl: string): string[] {
  const args = ["--chain-id", String(opts.chainId ?? 31337), "--fork-url", upstreamUrl, "--prune-history", ...FREE_GAS_FLAGS];
  // The transactions of older blocks are forgotten: the gateway answers for them from the archive (archive.ts).
  args.push("--transaction-block-keeper", String(KEPT_BLOCKS));
  // First come, first mined (a zero-fee chain has no fee order to keep); a replay then mines the recorded order.
  args.push("--order", "fifo");
  if (opts.noMining) args.push("--no-mining");
  else if (opts.blockTime !== undefined) args.push("--block-time", String(opts.blockTime));
  if (opts.stateFile && existsSync(opts.stateFile)) args.push("--load-state", opts.stateFile);
  if (opts.startTimestamp !== undefined) args.push("--timestamp", String(opts.startTimestamp));
  return args;
}

/** Spawns anvil with `args` on a free 127.0.0.1 port and waits until it answers. */
async function spawnAnvil(args: string[], pidFile: string | undefined, log: ((line: string) => void) | undefined): Promise<Anvil> {
  const port = await freePort();
  args = ["--host", "127.0.0.1", "--port", String(port), "--silent", ...args];
  const opts = { pidFile, log };
  if (opts.pidFile) await stopLeftover(opts.pidFile);
  // A node in a group of its own outlives a start script killed outright: where util-linux's setpriv is at hand
  // (Debian, Ubuntu), the kernel kills the node when the script dies (PR_SET_PDEATHSIG); else the next start does.
  const own = opts.pidFile !== undefined;
  const [command, argv] = own && SETPRIV ? [SETPRIV, ["--pdeathsig", "SIGKILL", "--", anvilBinary(), ...args]] : [anvilBinary(), args];
  const child = spawn(command, argv, { stdio: ["ignore", "ignore", "pipe"], detached: own });
  if (opts.pidFile && child.pid !== undefined) writeFileSync(opts.pidFile, `${child.pid}\n`);
  const forget = () => {
    if (opts.pidFile && existsSync(opts.pidFile) && readFileSync(opts.pidFile, "utf8").trim() === String(child.pid)) rmSync(opts.pidFile, { force: true });
  };
  child.once("exit", forget);
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => {
    stderr += c.toString();
    opts.log?.(c.toString().trimEnd());
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  // Wait until it answers (loading a large state takes a moment).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`anvil exited with code ${child.exitCode}: ${stderr.trim()}`);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`anvil did not answer on ${url} within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url,
    process: child,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
