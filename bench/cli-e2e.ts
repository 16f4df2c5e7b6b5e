/**
 * The literal `tradeproof register-batch DIR --type 380 --receipts DIR` on an anvil node: files read
 * from disk and hashed, the batch anchored, one receipt file written per document, measured from the
 * command's start to its exit (the CLI's own start-up included).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HDNodeWallet } from "ethers";
import { median, type Row } from "./rows.js";
import { deployOurLedger, INVOICE, startAnvil } from "./chain.js";
import { makeDocument } from "./documents.js";
import { builtIsCurrent } from "../scripts/built-cli.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "node_modules", ".bin", "tradeproof");
/** What `npx tradeproof` runs: the built command when it is current, else the TypeScript through tsx. */
const LAUNCHER = join(ROOT, "scripts", "tradeproof.mjs");
/** anvil's well-known development mnemonic; account 3 is the trader deployOurLedger admits. */
const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

export interface CliOptions {
  sizes: number[];
}

const figure = (n: number) => `CLI register-batch of ${n.toLocaleString("en")} files`;

export async function benchCli({ sizes }: CliOptions): Promise<Row[]> {
  if (!existsSync(LAUNCHER)) {
    return sizes.map((n) => ({ section: "End to end", figure: figure(n), unit: "s", better: "lower" as const, tradeproof: null, note: "not measured: CLI not built." }));
  }
  const anvil = await startAnvil();
  const dir = mkdtempSync(join(tmpdir(), "tradeproof-bench-cli-"));
  try {
    const ours = await deployOurLedger(anvil.signers);
    const deploymentFile = join(dir, "deployment.json");
    writeFileSync(deploymentFile, JSON.stringify(ours.deployment, null, 2));
    const traderKey = HDNodeWallet.fromPhrase(ANVIL_MNEMONIC, undefined, "m/44'/60'/0'/0/3").privateKey;
    const built = builtOrNot();
    const rows: Row[] = startupRows(dir, { TRADEPROOF_RPC: anvil.url, TRADEPROOF_DEPLOYMENT: deploymentFile }, built);
    let from = 2_000_000;
    for (const n of sizes) {
      const docs = join(dir, `docs-${n}`);
      const receipts = join(dir, `receipts-${n}`);
      mkdirSync(docs);
      for (let i = 0; i < n; i++) writeFileSync(join(docs, `inv-${String(i).padStart(6, "0")}.json`), JSON.stringify(makeDocument(from + i)));
      from += n;
      const t = performance.now();
      const stderr = await run([LAUNCHER, "register-batch", docs, "--type", String(INVOICE), "--receipts", receipts], {
        TRADEPROOF_RPC: anvil.url,
        TRADEPROOF_DEPLOYMENT: deploymentFile,
        TRADEPROOF_PRIVATE_KEY: traderKey,
        // The command then notes how long each phase took ("hashing: 812 ms").
        DEBUG: "1",
      });
      const phases = [...stderr.matchAll(/^(\w+): (\d+) ms$/gm)].map(([, phase, ms]) => `${phase} ${(Number(ms) / 1000).toFixed(2)} s`);
      const seconds = (performance.now() - t) / 1000;
      const written = readdirSync(receipts).length;
      if (written !== n) throw new Error(`register-batch wrote ${written} receipts for ${n} files`);
      rows.push({
        section: "End to end",
        figure: figure(n),
        unit: "s",
        better: "lower",
        tradeproof: seconds,
        target: n === 100_000 ? { op: "<=", value: 10 } : undefined,
        note: [
          `The command as installed (${built}), from start to exit: read and hash every file, anchor, write a receipt file each.`,
          phases.length > 0 && `By phase: ${phases.join(", ")} (the rest is start-up: loading the CLI and connecting).`,
        ]
          .filter(Boolean)
          .join(" "),
      });
      rmSync(docs, { recursive: true });
      rmSync(receipts, { recursive: true });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await anvil.stop();
  }
}

/** Which form of the command ran: the build, or the sources through tsx. */
const builtOrNot = () => (builtIsCurrent(ROOT) ? "built JavaScript" : "TypeScript through tsx (the build is missing or older than the sources)");

/** Median wall time of `runs` runs of a command, in seconds. */
function medianRun(cmd: string, args: string[], env: Record<string, string>, runs = 10): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: "ignore" });
    if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}`);
    times.push((performance.now() - t) / 1000);
  }
  return median(times);
}

/**
 * The installed command's start-up (node_modules/.bin/tradeproof, built JavaScript), medians of 10 runs, beside a
 * bare `node -e 0` of the same Node in the same run.
 */
function startupRows(dir: string, env: Record<string, string>, built: string): Row[] {
  const file = join(dir, "startup.json");
  writeFileSync(file, JSON.stringify(makeDocument(1)));
  const bare = medianRun(process.execPath, ["-e", "0"], env);
  const rows: [string, string[], number][] = [
    ["tradeproof --help", ["--help"], 0.5],
    ["tradeproof hash FILE", ["hash", file], 0.5],
    ["tradeproof verify FILE (a local node)", ["verify", file], 1],
  ];
  return rows.map(([figure, args, target]) => ({
    section: "End to end",
    figure: `${figure}: median of 10 runs`,
    unit: "s",
    better: "lower" as const,
    tradeproof: medianRun(BIN, args, env),
    target: { op: "<=" as const, value: target },
    note: `node_modules/.bin/tradeproof (${built}); a bare node -e 0 took ${bare.toFixed(3)} s in the same run.`,
  }));
}

/** Runs the CLI; resolves with what it wrote on stderr. */
function run(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(err) : reject(new Error(`tradeproof ${args[1]} exited with ${code}: ${err.trim().split("\n").slice(-3).join(" ")}`))));
  });
}
