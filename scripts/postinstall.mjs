// Runs after `npm install`. npm does not link a root package's own `bin`, so `npx tradeproof` would look
// for a package of that name on the registry: link it here instead. Also compile the contracts so that
// the generated TypeChain types (not committed) exist for the SDK, the CLI and the API.
import { existsSync, mkdirSync, symlinkSync, unlinkSync, chmodSync, lstatSync } from "node:fs";
import { execFileSync } from "node:child_process";

const bin = "node_modules/.bin/tradeproof";
mkdirSync("node_modules/.bin", { recursive: true });
try {
  if (lstatSync(bin)) unlinkSync(bin);
} catch {}
symlinkSync("../../scripts/tradeproof.mjs", bin);
if (existsSync("scripts/tradeproof.mjs")) chmodSync("scripts/tradeproof.mjs", 0o755);

if (existsSync("node_modules/.bin/hardhat")) {
  execFileSync("node_modules/.bin/hardhat", ["build", "--quiet"], { stdio: "inherit" });
  // The command as JavaScript, once the contracts' types it imports exist.
  execFileSync(process.execPath, ["scripts/build-cli.mjs"], { stdio: "inherit" });
}
