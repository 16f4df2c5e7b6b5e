// `tradeproof register FILE --type CODE`: anchors one document.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { Command } from "commander";
import pc from "picocolors";
import { isDocHash } from "../../sdk/hash.js";
import type { Receipt } from "../../sdk/index.js";
import { withSigner, type SignerOptions, ledger } from "./options.js";
import { docTypeArg, hashArg, referenceFromDocument, schemeFor } from "./inputs.js";
import { UsageError } from "./errors.js";
import { printJson, statusLine } from "./output.js";

interface RegisterOptions extends SignerOptions {
  type: string;
  receipts?: string;
  /** false with --no-receipt */
  receipt: boolean;
  json?: boolean;
  reference?: string;
  referenceField?: string;
  scheme?: string;
}

/**
 * Keeps the receipt where the trader will look for it: `--receipts DIR` or beside the file, named
 * `<file name>.receipt.json` (the one naming rule of the CLI, the demo and `verify --receipts`). Returns the path,
 * or why none was written; a failed write never hides the receipt (the anchor is on the ledger by then).
 */
async function keepReceipt(file: string, receipt: Receipt, opts: RegisterOptions): Promise<{ path?: string; why?: string }> {
  if (!opts.receipt) return { why: "not written (--no-receipt)" };
  // hashArg's own test: a 0x hash is a hash unless a file has that name
  if (!opts.receipts && isDocHash(file) && !existsSync(file)) return { why: "not written: a hash has no file to put it beside; give --receipts DIR or --json" };
  const path = opts.receipts ? join(opts.receipts, `${basename(file)}.receipt.json`) : `${file}.receipt.json`;
  try {
    if (opts.receipts) await mkdir(opts.receipts, { recursive: true });
    await writeFile(path, `${JSON.stringify(receipt, null, 2)}\n`);
    return { path };
  } catch (e) {
    process.stderr.write(
      `The document is anchored, but its receipt could not be written to ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). ` +
        `Keep it from here:\n${JSON.stringify(receipt, null, 2)}\n`,
    );
    return { why: `not written to ${path}` };
  }
}

export function registerCommand(): Command {
  return withSigner(
    new Command("register")
      .summary("anchor one document")
      .description("Anchors the hash of one document (the file is hashed locally; only its hash goes on chain).")
      .argument("<file>", "the document (or its 0x document hash)")
      .requiredOption("--type <code>", "UNTDID 1001 document type code, e.g. 380 (invoice), 861 (certificate of origin)", docTypeArg)
      .option("--receipts <dir>", "write the receipt to DIR/<file name>.receipt.json (default: beside the file, <file>.receipt.json)")
      .option("--no-receipt", "write no receipt file")
      .option("--reference <number>", "file the document under the number printed on it (only a commitment goes on chain)")
      .option("--reference-field <path>", "take that number from a field of the JSON document, e.g. referenceNumber")
      .option("--scheme <scheme>", "what kind of number: certificate, invoice, transport, declaration or free (default: from --type)")
      .option("--json", "print the receipt as JSON"),
  )
    .addHelpText(
      "after",
      "\nThe receipt (what anchored the document, when and where) is kept beside the file unless --receipts or --no-receipt says\n" +
        "otherwise. A document anchored alone is found by its hash without it; keep it all the same, as proof of registration.\n" +
        "\nWith --reference (or --reference-field) the document can be found by its issuer and that number (tradeproof find).\n" +
        "\nExamples:\n  $ TRADEPROOF_PRIVATE_KEY=… tradeproof register invoice.json --type 380     # writes invoice.json.receipt.json" +
        "\n  $ TRADEPROOF_PRIVATE_KEY=… tradeproof register certificate-of-origin.json --type 861 --reference-field referenceNumber",
    )
    .action(async (file: string, opts: RegisterOptions) => {
      const docHash = await hashArg(file);
      if (opts.reference !== undefined && opts.referenceField !== undefined) throw new UsageError("give --reference or --reference-field, not both");
      const number = opts.referenceField !== undefined ? await referenceFromDocument(file, opts.referenceField) : opts.reference;
      if (number === undefined && opts.scheme !== undefined) throw new UsageError("--scheme goes with --reference or --reference-field");
      const reference = number !== undefined ? { scheme: await schemeFor(opts.scheme, opts.type), id: number } : undefined;
      const client = await (await ledger()).signingClient(opts);
      const receipt = await client.register(docHash, opts.type, reference ? { reference } : {});
      const kept = await keepReceipt(file, receipt, opts);
      if (opts.json) return printJson(receipt);
      const result = await client.verify(docHash);
      process.stdout.write(
        `${pc.bold(file)}  ${statusLine(result.status, result)}\n` +
          `  ${pc.dim("document".padEnd(12))}${docHash}\n` +
          `  ${pc.dim("type".padEnd(12))}${result.docType ? `${result.docType.name} (${result.docType.code})` : opts.type}\n` +
          `  ${pc.dim("transaction".padEnd(12))}${receipt.txHash}, block ${receipt.blockNumber}\n` +
          (receipt.reference ? `  ${pc.dim("filed under".padEnd(12))}${receipt.reference.scheme} number ${receipt.reference.id}\n` : "") +
          `  ${pc.dim("receipt".padEnd(12))}${kept.path ?? pc.yellow(kept.why!)}\n`,
      );
    });
}
