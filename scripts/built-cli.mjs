// Whether the built `tradeproof` command (dist/) is current: shared by the command's launcher
// (scripts/tradeproof.mjs) and its build (scripts/build-cli.mjs). Plain JavaScript: it runs before tsx is loaded.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** Every file under `dir` whose name matches `pattern`, in a stable order. */
function filesUnder(dir, pattern, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(path, pattern, out);
    else if (pattern.test(entry.name)) out.push(path);
  }
  return out;
}

/** SHA-256 of the contracts' generated types (types/), which the command is built with. */
export function typesDigest(base) {
  const hash = createHash("sha256");
  for (const file of filesUnder(join(base, "types"), /\.ts$/)) hash.update(relative(base, file)).update(readFileSync(file));
  return hash.digest("hex");
}

/** Whether `root`/dist holds the command built from the sources as they are. */
export function builtIsCurrent(root) {
  const built = join(root, "dist", "tradeproof.mjs");
  if (!existsSync(built)) return false;
  const at = statSync(built).mtimeMs;
  for (const dir of ["scripts", "sdk", "api"]) {
    if (filesUnder(join(root, dir), /\.ts$/).some((f) => statSync(f).mtimeMs > at)) return false;
  }
  if (!filesUnder(join(root, "types"), /\.ts$/).some((f) => statSync(f).mtimeMs > at)) return true;
  const recorded = join(root, "dist", "types.sha256");
  return existsSync(recorded) && readFileSync(recorded, "utf8").trim() === typesDigest(root);
}
