// `tradeproof ledger-keys`: the ledger's own signing keys (its did:web), kept by the API under its data folder.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { UsageError } from "./errors.js";
import { printJson } from "./output.js";

interface KeyFileOptions {
  file: string;
  json?: boolean;
}

const fileOption = () =>
  new Option("--file <path>", "the key file (TRADEPROOF_LEDGER_KEYS; default: data/ledger-keys.json of TRADEPROOF_DATA_DIR or ./data)")
    .env("TRADEPROOF_LEDGER_KEYS")
    .default(resolve(process.env.TRADEPROOF_DATA_DIR ?? "data", "ledger-keys.json"));

export function ledgerKeysCommand(): Command {
  const cmd = new Command("ledger-keys")
    .summary("list, rotate and retire the ledger's signing keys")
    .description(
      "The API signs as the ledger with an ES256 key kept in a file under its data folder (mode 600) and publishes the " +
        "public keys in its DID document (/.well-known/did.json). `rotate` makes a new key sign from now on and keeps the " +
        "old one listed, so that what it signed still verifies; `retire KID` marks a key revoked (after a compromise), so " +
        "that it verifies nothing any more. The API picks the change up without a restart.",
    );
  const keys = () => import("../../api/identity/keys.js");
  const show = (k: { kid: string; createdAt: string; retiredAt?: string }, current: string) =>
    `${k.kid}  created ${k.createdAt}${k.kid === current ? "  (signs now)" : ""}${k.retiredAt ? `  retired ${k.retiredAt}` : ""}`;
  cmd
    .command("list")
    .summary("list the keys")
    .addOption(fileOption())
    .option("--json", "print them as JSON (public keys only)")
    .action(async (opts: KeyFileOptions) => {
      if (!existsSync(opts.file)) throw new UsageError(`no key file at ${opts.file}: the API creates one when it starts on SQLite; \`rotate\` creates one (instances on PostgreSQL share one file); or give --file`);
      const file = await (await keys()).loadLedgerKeys(opts.file);
      if (opts.json) return printJson({ current: file.current, keys: file.keys.map(({ privateJwk: _p, ...k }) => k) });
      process.stdout.write(`${file.keys.map((k) => show(k, file.current)).join("\n")}\n`);
    });
  cmd
    .command("rotate")
    .summary("make a new key sign from now on")
    .addOption(fileOption())
    .action(async (opts: KeyFileOptions) => {
      const key = await (await keys()).rotateLedgerKey(opts.file);
      process.stdout.write(`new key ${key.kid} signs from now on; the keys before it stay listed for what they signed (${opts.file})\n`);
    });
  cmd
    .command("retire")
    .summary("mark a key revoked: it verifies nothing any more")
    .argument("<kid>", "the key's id (see list)")
    .addOption(fileOption())
    .action(async (kid: string, opts: KeyFileOptions) => {
      if (!existsSync(opts.file)) throw new UsageError(`no key file at ${opts.file}`);
      try {
        const key = await (await keys()).retireLedgerKey(opts.file, kid);
        process.stdout.write(`key ${key.kid} retired at ${key.retiredAt}: listed as revoked, no longer an assertion method\n`);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    });
  return cmd;
}
