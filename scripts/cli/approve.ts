// `tradeproof approve HASH|FILE`: countersigns a pending anchor (the four-eyes principle).
import { Command } from "commander";
import { withSigner, type SignerOptions, ledger } from "./options.js";
import { hashArg } from "./inputs.js";
import { statusLine, txLine } from "./output.js";

export function approveCommand(): Command {
  return withSigner(
    new Command("approve")
      .summary("countersign a pending document or batch")
      .description(
        "Approves a PENDING anchor as a second (third, …) account of the organisation that anchored it. It becomes VALID " +
          "once its document type's number of distinct accounts approved it. For a batch, give the batch root.",
      )
      .argument("<anchor>", "the document (or its 0x hash), or a batch root"),
  )
    .addHelpText("after", "\nExample:\n  $ TRADEPROOF_PRIVATE_KEY=… tradeproof approve certificate-of-origin.json")
    .action(async (arg: string, opts: SignerOptions) => {
      const anchor = await hashArg(arg);
      const client = await (await ledger()).signingClient(opts);
      const tx = await client.approve(anchor);
      // The approval's own event says where the count stands; verify(anchor) would not, for a batch root.
      const receipt = await client.provider.getTransactionReceipt(tx.txHash);
      const approved = receipt?.logs
        .filter((log) => log.address.toLowerCase() === client.deployment.registry.toLowerCase())
        .map((log) => client.registry.interface.parseLog(log))
        .find((event) => event?.name === "DocumentApproved");
      process.stdout.write(`${txLine(`approved ${anchor}`, tx)}\n`);
      if (approved) {
        const given = Number(approved.args.given);
        const required = Number(approved.args.required);
        process.stdout.write(given >= required
          ? `${statusLine("VALID")} (${given} of ${required} approvals)\n`
          : `${statusLine("PENDING")} (${given} of ${required} approvals)\n`);
      }
    });
}
