// `tradeproof verify FILE…`: is each document genuine and in force?
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { Command } from "commander";
import pc from "picocolors";
import type { Hex, Receipt, VerificationResult } from "../../sdk/index.js";
import { withConnection, type ConnectionOptions, ledger } from "./options.js";
import { ExitCode, UsageError } from "./errors.js";
import { hashArg, readReceipt } from "./inputs.js";
import { formatResult, note, printJson } from "./output.js";

interface VerifyOptions extends ConnectionOptions {
  receipt?: string[];
  receipts?: string;
  json?: boolean;
}

export function verifyCommand(): Command {
  return withConnection(
    new Command("verify")
      .summary("check documents against the ledger")
      .description(
        "Hashes each file locally and asks the ledger for its status: VALID, PENDING (waiting for countersignature), " +
          "REVOKED, SUPERSEDED or NOT_FOUND, with the issuer, the document type, when it was anchored, its approvals, " +
          "customs and agency outcomes, and its successor. A document of a private batch needs its receipt.\n\n" +
          "Exit code: 0 when every document is VALID, 1 when any is not, 2 on a usage or input error, " +
          "3 when the node cannot be reached or is not the deployment's chain (never taken as a verdict).",
      )
      .argument("<file...>", "documents (or 0x document hashes)")
      .option("--receipt <file>", "receipt of a document (repeatable; matched to the documents by hash)", collect)
      .option("--receipts <dir>", "look for DIR/<file name>.receipt.json for each document")
      .option("--json", "print the verification result as JSON (an array for several documents)"),
  )
    .addHelpText("after", "\nExamples:\n  $ tradeproof verify certificate-of-origin.json\n  $ tradeproof verify invoice-0042.json --receipt receipts/invoice-0042.json.receipt.json --json")
    .action(async (args: string[], opts: VerifyOptions) => {
      const docHashes: Hex[] = [];
      for (const arg of args) docHashes.push(await hashArg(arg));
      const receipts = await matchReceipts(args, docHashes, opts);
      const client = await (await ledger()).readClient(opts);
      const items = docHashes.map((docHash, i) => ({ docHash, receipt: receipts[i] }));
      const results: VerificationResult[] =
        items.length === 1 ? [await client.verify(items[0].docHash, { receipt: items[0].receipt })] : await client.verifyMany(items);

      // A receipt whose proof does not lead to its root gets NOT_FOUND from the ledger, like the SDK and the
      // API say; the offline check only explains why (run for those results alone: it hashes the whole proof).
      for (const [i, r] of results.entries()) {
        const receipt = items[i].receipt;
        if (r.status !== "NOT_FOUND" || !receipt) continue;
        const { checkReceipt } = await import("../../sdk/receipt.js");
        const check = checkReceipt(receipt, items[i].docHash);
        if (!check.ok) note(`${pc.yellow("note:")} the receipt of ${args[i]} does not hold: ${check.reason}`);
      }
      if (opts.json) printJson(results.length === 1 && args.length === 1 ? results[0] : results);
      else {
        const reports = results.map((r, i) => {
          const hint = r.status === "NOT_FOUND" && !items[i].receipt ? `\n  ${pc.dim("(a document of a private batch is found only with its receipt: --receipt FILE)")}` : "";
          return formatResult(r, args[i]) + hint;
        });
        process.stdout.write(`${reports.join("\n\n")}\n`);
      }
      if (results.some((r) => r.status !== "VALID")) process.exitCode = ExitCode.NOT_VALID;
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The receipt of each document, if one was given; a receipt that fits no document is an input error. */
async function matchReceipts(args: string[], docHashes: Hex[], opts: VerifyOptions): Promise<(Receipt | undefined)[]> {
  const matched: (Receipt | undefined)[] = docHashes.map(() => undefined);
  for (const file of opts.receipt ?? []) {
    const receipt = await readReceipt(file);
    const indexes = docHashes.flatMap((h, i) => (h === receipt.docHash ? [i] : []));
    if (indexes.length === 0) throw new UsageError(`receipt ${file} is for document ${receipt.docHash}, which is none of the documents given`);
    for (const i of indexes) matched[i] = receipt;
  }
  if (opts.receipts) {
    for (const [i, arg] of args.entries()) {
      const path = join(opts.receipts, `${basename(arg)}.receipt.json`);
      if (matched[i]) continue;
      if (!existsSync(path)) {
        // Said, not silent: a document of a private batch is not found without its receipt.
        process.stderr.write(`note: ${opts.receipts} holds no receipt for ${arg} (looked for ${basename(path)})\n`);
        continue;
      }
      const receipt = await readReceipt(path);
      // A receipt under the document's name but for other content means the document changed: verify it without.
      if (receipt.docHash === docHashes[i]) matched[i] = receipt;
    }
  }
  return matched;
}

