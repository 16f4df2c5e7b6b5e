// `tradeproof revoke HASH|FILE --reason TEXT [--receipt FILE]`: withdraws a document. Final.
import { Command } from "commander";
import { withSigner, type SignerOptions, ledger } from "./options.js";
import { UsageError } from "./errors.js";
import { hashArg, readReceipt } from "./inputs.js";
import { txLine } from "./output.js";

interface RevokeOptions extends SignerOptions {
  reason: string;
  receipt?: string;
}

export function revokeCommand(): Command {
  return withSigner(
    new Command("revoke")
      .summary("revoke a document, a whole batch, or one document of a batch")
      .description(
        "Revokes what the caller's organisation anchored. Revocation is final. Give a document (or its hash) anchored alone, " +
          "or a batch root to revoke the whole batch; with --receipt, only that one document of its batch is revoked.",
      )
      .argument("<anchor>", "the document (or its 0x hash), or a batch root")
      .requiredOption("--reason <text>", "why, recorded on chain for auditors")
      .option("--receipt <file>", "the document's receipt: revoke just this document inside its batch"),
  )
    .addHelpText("after", '\nExamples:\n  $ tradeproof revoke certificate-of-origin.json --reason "issued in error"\n  $ tradeproof revoke invoice-0042.json --receipt receipts/invoice-0042.json.receipt.json --reason "duplicate"')
    .action(async (arg: string, opts: RevokeOptions) => {
      const docHash = await hashArg(arg);
      const receipt = opts.receipt ? await readReceipt(opts.receipt) : undefined;
      if (receipt && receipt.docHash !== docHash) {
        throw new UsageError(`receipt ${opts.receipt} is for document ${receipt.docHash}, not ${docHash}`);
      }
      const client = await (await ledger()).signingClient(opts);
      // A receipt of a document anchored alone has root == docHash: that is a plain revocation.
      const inBatch = receipt !== undefined && receipt.root !== receipt.docHash;
      const tx = inBatch ? await client.revokeInBatch(receipt, opts.reason) : await client.revoke(docHash, opts.reason);
      process.stdout.write(`${txLine(inBatch ? `revoked ${docHash} in batch ${receipt.root}` : `revoked ${docHash}`, tx)}\n`);
    });
}
