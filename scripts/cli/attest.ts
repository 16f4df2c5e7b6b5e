// `tradeproof attest HASH|FILE --outcome …`: customs or an agency records what it found.
import { Command, InvalidArgumentError, Option } from "commander";
import { ATTESTATION_REASONS, OWN_REASON_CODES_FROM, parseAttestationReason } from "../../sdk/attestation-reasons.js";
import type { Outcome } from "../../sdk/index.js";
import { withSigner, type SignerOptions, ledger } from "./options.js";
import { hashArg } from "./inputs.js";
import { txLine } from "./output.js";

interface AttestOptions extends SignerOptions {
  outcome: Outcome;
  reason?: number;
  reasonCode?: number;
}

/** Parses `--reason`: a listed reason's id or code, or an administration's own code. */
function reasonArg(value: string): number {
  try {
    return parseAttestationReason(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

const REASONS_HELP =
  "\nReasons (--reason, by id or code):\n" +
  ATTESTATION_REASONS.map((r) => `  ${String(r.code).padStart(2)}  ${r.id.padEnd(22)} ${r.name}`).join("\n") +
  `\n  Codes from ${OWN_REASON_CODES_FROM} to 65535 are your administration's own (shown by number).`;

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
      .option("--reason <reason>", "why: a reason below, by id or code", reasonArg)
      .addOption(new Option("--reason-code <n>", "the reason as a number (as --reason)").argParser(reasonArg).hideHelp()),
  )
    .addHelpText("after", `${REASONS_HELP}\n\nExample:\n  $ tradeproof attest goods-declaration.json --outcome REJECTED --reason CONTENT_MISMATCH`)
    .action(async (arg: string, opts: AttestOptions) => {
      const docHash = await hashArg(arg);
      const client = await (await ledger()).signingClient(opts);
      const reason = opts.reason ?? opts.reasonCode;
      const tx = await client.attest(docHash, opts.outcome, reason);
      const why = reason ? ` (${ATTESTATION_REASONS.find((r) => r.code === reason)?.name ?? `reason ${reason}`})` : "";
      process.stdout.write(`${txLine(`attested ${docHash}: ${opts.outcome}${why}`, tx)}\n`);
    });
}
