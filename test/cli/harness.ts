// Helpers of the CLI tests: a throwaway anvil node, and the CLI run as a child process.
// Importing this module starts nothing (mocha loads every .ts under test/).
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "../../scripts/embedded/anvil.js";

/** The repository root, whatever the working directory of the test run. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/tsx/dist/cli.mjs", import.meta.url));
const ANVIL = fileURLToPath(new URL("../../node_modules/@foundry-rs/anvil/bin.mjs", import.meta.url));
const CLI = "scripts/tradeproof.ts";

export { freePort };

/** An anvil node on 127.0.0.1, and how to stop it. */
export interface Anvil {
  url: string;
  stop: () => Promise<void>;
}

/** Starts anvil (through the npm package's launcher, with Node 22) with `args` besides its address, and waits until it answers. */
export async function startAnvil(args: string[] = []): Promise<Anvil> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [ANVIL, "--host", "127.0.0.1", "--port", String(port), "--silent", ...args], {
    stdio: "ignore",
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return { url, stop };
    } catch {
      // Not listening yet: try again shortly.
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`anvil did not start on ${url}`);
}

/** What a CLI run printed and how it ended. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `tradeproof …args` with Node 22 and tsx, from the repository root, without colours and
 * without any TRADEPROOF_* variable of the caller's environment (only those in `env`).
 */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TRADEPROOF_") && k !== "FORCE_COLOR" && k !== "DEBUG"));
  const child = spawn(process.execPath, [TSX, CLI, ...args], {
    cwd: ROOT,
    env: { ...base, NO_COLOR: "1", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdin.end(input ?? "");
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
