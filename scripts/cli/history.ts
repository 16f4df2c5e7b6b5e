// `tradeproof history HASH|FILE`: every event of a document, in order, and its chain of versions.
import { Command } from "commander";
import pc from "picocolors";
import { withConnection, type ConnectionOptions, ledger } from "./options.js";
import { UsageError } from "./errors.js";
import { hashArg, readReceipt } from "./inputs.js";
import { printJson } from "./output.js";

interface HistoryOptions extends ConnectionOptions {
  receipt?: string;
  json?: boolean;
}

export function historyCommand(): Command {
  return withConnection(
    new Command("history")
      .summary("list what happened to a document, and its versions")
      .description("Prints the ordered events of a document (registered, approved, revoked, superseded, attested) and the chain of versions, oldest first.")
      .argument("<document>", "the document (or its 0x hash)")
      .option("--receipt <file>", "the document's receipt, for a document of a private batch (the ledger knows only its root)")
      .option("--json", "print { entries, versions } as JSON"),
  )
    .addHelpText("after", "\nExample:\n  $ tradeproof history certificate-of-origin.json")
    .action(async (arg: string, opts: HistoryOptions) => {
      const docHash = await hashArg(arg);
      const receipt = opts.receipt ? await readReceipt(opts.receipt) : undefined;
      if (receipt && receipt.docHash !== docHash) throw new UsageError(`receipt ${opts.receipt} is for document ${receipt.docHash}, not ${docHash}`);
      const client = await (await ledger()).readClient(opts);
      const history = await client.history(docHash, { receipt });
      if (opts.json) return printJson(history);
      const out: string[] = [];
      out.push(`${pc.dim("versions".padEnd(10))}${history.versions.map((v) => (v === docHash ? pc.bold(v) : v)).join(" → ")}`);
      if (history.entries.length === 0) out.push(pc.yellow("no events: this document is not known to the ledger"));
      for (const e of history.entries) {
        // A supersession names both anchors in its details; any other event of another anchor (the batch) says which.
        const subject =
          e.action === "SUPERSEDED" ? "" : e.docHash && e.docHash !== e.anchor ? ` ${e.docHash} in ${e.anchor}` : e.anchor !== docHash ? ` ${e.anchor}` : "";
        // A registration's `status` is the status it began with, not the document's status now.
        const details = Object.entries(e.details)
          .map(([k, v]) => `${k === "status" && (e.action === "REGISTERED" || e.action === "BATCH_REGISTERED") ? "initialStatus" : k}=${typeof v === "string" ? JSON.stringify(v) : String(v)}`)
          .join(" ");
        out.push(
          `${e.at}  ${pc.bold(e.action.padEnd(22))} by ${e.organisationName ?? `organisation ${e.organisation}`} (${e.account})` +
            `${subject}${details ? `  ${pc.dim(details)}` : ""}\n${" ".repeat(22)}${pc.dim(`block ${e.blockNumber}, tx ${e.txHash}`)}`,
        );
      }
      process.stdout.write(`${out.join("\n")}\n`);
    });
}
