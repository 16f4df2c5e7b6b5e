// An API instance as a process of its own (api/server.ts under tsx's loader) on 127.0.0.1, which a test or benchmark
// can SIGKILL: a process, not services in this one, so that its connections and lease die the way a crashed host's do.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { freePort } from "../../scripts/embedded/anvil.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface ApiProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT */
  url: string;
  output(): string;
  /** SIGKILL: no clean stop, no lease given up. */
  kill(): Promise<void>;
  /** SIGTERM: the server stops cleanly (and gives its lease up). */
  stop(): Promise<void>;
}

/** Starts the API with `env` (TRADEPROOF_* only: nothing is taken from this process's own) and waits until it answers. */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TRADEPROOF_")));
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "api/server.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...base, TRADEPROOF_API_HOST: "127.0.0.1", TRADEPROOF_API_PORT: String(port), ...env },
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const end = async (signal: NodeJS.Signals) => {
    if (!gone()) child.kill(signal);
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await fetch(`${url}/health`);
      break;
    } catch {
      if (gone() || i > 600) {
        await end("SIGKILL");
        throw new Error(`the API did not start on ${url}:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { child, url, output: () => out, kill: () => end("SIGKILL"), stop: () => end("SIGTERM") };
}
