// `tradeproof attest HASH|FILE --outcome …`: customs or an agency records what it found.
import { Command, Option } from "commander";
import type { Outcome } from "../../sdk/index.js";
import { signingClient, withSigner, type SignerOptions } from "./context.js";
import { hashArg, intArg } from "./inputs.js";
import { txLine } from "./output.js";

interface AttestOptions extends SignerOptions {
  outcome: Outcome;
  reasonCode?: number;
}

export function attestCommand(): Command {
  return withSigner(
    new Command("attest")
      .summary("record a customs or agency outcome for a document")
      .description(
        "Records the outcome of a verification (customs and agencies only) for the audit trail. It never changes the " +
          "document's status, and the document need not be anchored (a rejection may be why).",
      )
      .argument("<document>", "the document (or its 0x hash)")
      .addOption(new Option("--outcome <outcome>", "what was found").choices(["ACCEPTED", "REJECTED", "INSPECTED"]).makeOptionMandatory())
      .option("--reason-code <n>", "a numeric reason code of your administration (0-65535)", intArg("--reason-code", 65535)),
  )
    .addHelpText("after", "\nExample:\n  $ tradeproof attest goods-declaration.json --outcome INSPECTED --reason-code 12")
    .action(async (arg: string, opts: AttestOptions) => {
      const docHash = await hashArg(arg);
      const client = await signingClient(opts);
      const tx = await client.attest(docHash, opts.outcome, opts.reasonCode);
      process.stdout.write(`${txLine(`attested ${docHash}: ${opts.outcome}`, tx)}\n`);
    });
}
