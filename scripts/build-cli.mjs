// Builds the `tradeproof` command as JavaScript (dist/, not committed): run by `npm install` (postinstall) and
// `npm run build`. tsx transpiles the TypeScript on every call, which made `tradeproof --help` take 4-5 s;
// the built command starts in about 0.15 s. scripts/tradeproof.mjs runs it, or the TypeScript when the build is
// missing or older than the sources.
import { rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { typesDigest } from "./built-cli.mjs";

// The packages are bundled too: Node resolved and loaded ethers' few hundred modules one by one on every start of a
// ledger command (0.3 s of a 0.7 s `verify`). CommonJS packages in the bundle call require() for Node's own modules,
// which an ES module has only through createRequire.
const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  logLevel: "warning",
  banner: { js: 'import { createRequire as __tradeproofRequire } from "node:module"; const require = __tradeproofRequire(import.meta.url);' },
  // piscina starts its threads from its own worker.js, found beside its code (__dirname): bundled, it had neither, and
  // every command that used threads (hash or register-batch of 2,000 files or more) failed with "__dirname is not defined".
  external: ["piscina"],
};
rmSync("dist", { recursive: true, force: true }); // no chunk of an earlier build left behind
// Split at the commands' dynamic imports: `--help` and `hash` load the command definitions and the hashing only,
// and ethers, the contracts and the rest of the SDK are loaded by the commands that talk to the ledger (0.3 s of
// the 0.55 s a start took). Chunks stay beside the entry: sdk/files.ts finds its worker in its own folder.
const cli = await build({
  ...common,
  entryPoints: { tradeproof: "scripts/tradeproof.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  splitting: true,
  chunkNames: "chunk-[hash]",
  metafile: true,
});
// Which sources went into which chunk: a test holds `--help` and `hash` to chunks without ethers or the contracts.
writeFileSync("dist/meta.json", JSON.stringify(cli.metafile));
// The worker of the SDK's hashFiles, beside the command (sdk/files.ts starts it from its own folder).
await build({
  ...common,
  stdin: { contents: 'export { hashFileChunk as default } from "./sdk/files.ts";', resolveDir: ".", loader: "ts" },
  outfile: "dist/hash-worker.mjs",
});
// `hardhat build` rewrites the contracts' types on every run (new times, same content): the command records their
// content, so that it stays in use until the contracts really change.
writeFileSync("dist/types.sha256", `${typesDigest(".")}\n`);
