// `tradeproof register FILE --type CODE`: anchors one document.
import { basename, join } from "node:path";
import { mkdir, writeFile } from "node:fs/promises";
import { Command } from "commander";
import pc from "picocolors";
import { withSigner, signingClient, type SignerOptions } from "./context.js";
import { docTypeArg, hashArg } from "./inputs.js";
import { printJson, statusLine } from "./output.js";

interface RegisterOptions extends SignerOptions {
  type: string;
  receipts?: string;
  json?: boolean;
}

export function registerCommand(): Command {
  return withSigner(
    new Command("register")
      .summary("anchor one document")
      .description("Anchors the hash of one document (the file is hashed locally; only its hash goes on chain).")
      .argument("<file>", "the document (or its 0x document hash)")
      .requiredOption("--type <code>", "UNTDID 1001 document type code, e.g. 380 (invoice), 861 (certificate of origin)", docTypeArg)
      .option("--receipts <dir>", "also write the receipt to DIR/<file name>.receipt.json")
      .option("--json", "print the receipt as JSON"),
  )
    .addHelpText("after", "\nExample:\n  $ TRADEPROOF_PRIVATE_KEY=… tradeproof register invoice.json --type 380 --receipts receipts/")
    .action(async (file: string, opts: RegisterOptions) => {
      const docHash = await hashArg(file);
      const client = await signingClient(opts);
      const receipt = await client.register(docHash, opts.type);
      if (opts.receipts) {
        await mkdir(opts.receipts, { recursive: true });
        await writeFile(join(opts.receipts, `${basename(file)}.receipt.json`), `${JSON.stringify(receipt, null, 2)}\n`);
      }
      if (opts.json) return printJson(receipt);
      const result = await client.verify(docHash);
      process.stdout.write(
        `${pc.bold(file)}  ${statusLine(result.status, result)}\n` +
          `  ${pc.dim("document".padEnd(12))}${docHash}\n` +
          `  ${pc.dim("type".padEnd(12))}${result.docType ? `${result.docType.name} (${result.docType.code})` : opts.type}\n` +
          `  ${pc.dim("transaction".padEnd(12))}${receipt.txHash}, block ${receipt.blockNumber}\n`,
      );
    });
}
