// Runs the real `npm start` entry point (scripts/start.ts) as a child process in its own process group, so a
// test can stop it cleanly (SIGTERM) or crash it with everything it started (SIGKILL to the group, and to anvil,
// which runs in a group of its own).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { freePort } from "../../scripts/embedded/anvil.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Embedded {
  child: ChildProcess;
  /** http://127.0.0.1:PORT of the API and web page. */
  apiUrl: string;
  /** The durable JSON-RPC gateway. */
  rpcUrl: string;
  output: () => string;
  /** SIGTERM to the group; resolves when the start script has exited. */
  stop(): Promise<void>;
  /** SIGKILL to the whole group: the start script, the API and anvil die at once. */
  crash(): Promise<void>;
}

export { freePort };

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** The process id of the chain node that npm start on `dataDir` runs (data/anvil.pid), if one runs. */
export function nodePid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, "anvil.pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts scripts/start.ts in its own process group without waiting for it: `crash` kills the group at any moment. */
export function launchEmbedded(opts: EmbeddedOptions): { child: ChildProcess; output: () => string; crash(): Promise<void> } {
  // As `npm start` runs it: one Node process with tsx's loader (the tsx command would put a second process in between).
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts/start.ts")], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TRADEPROOF_DATA_DIR: opts.dataDir, PORT: String(opts.port), TRADEPROOF_RPC_PORT: "0", TRADEPROOF_LOG_LEVEL: "silent", ...opts.env },
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    output: () => out,
    async crash() {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      // The node runs in a process group of its own (so that Ctrl-C reaches the start script only): killed too, as
      // everything npm start started dies in a crash of the machine.
      const node = nodePid(opts.dataDir);
      if (node !== undefined) {
        try {
          process.kill(node, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await exited;
      await new Promise((r) => setTimeout(r, 200));
    },
  };
}

/** Starts scripts/start.ts with its data in `dataDir`, the API on `port`; resolves once it prints its URLs. */
export async function startEmbedded(opts: EmbeddedOptions): Promise<Embedded> {
  const launched = launchEmbedded(opts);
  const { child } = launched;
  const out = () => launched.output();
  const exited = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up in time:\n${out()}`)), opts.timeoutMs ?? 120_000);
    const onData = () => {
      if (out().includes("Press Ctrl-C to stop.")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${out()}`));
    });
  });
  const apiUrl = /Web verifier:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out())?.[1];
  const rpcUrl = /JSON-RPC:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out())?.[1];
  if (!apiUrl || !rpcUrl) throw new Error(`npm start printed no URLs:\n${out()}`);

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  return {
    child,
    apiUrl,
    rpcUrl,
    output: out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup("SIGTERM");
      await exited;
    },
    // Gives the kernel a moment after the kill to reap the rest of the group (anvil) and free their ports.
    crash: () => launched.crash(),
  };
}
