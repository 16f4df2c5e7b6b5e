// `tradeproof supersede OLD NEW`: an amended document replaces the old one.
import { Command } from "commander";
import { withSigner, type SignerOptions, ledger } from "./options.js";
import { hashArg } from "./inputs.js";
import { txLine } from "./output.js";

export function supersedeCommand(): Command {
  return withSigner(
    new Command("supersede")
      .summary("replace a document by its amended version")
      .description(
        "Marks OLD as SUPERSEDED by NEW. Both must be anchored by the caller's organisation (register NEW first); " +
          "the old one then points to the new one and `history` walks the chain of versions both ways.",
      )
      .argument("<old>", "the replaced document (or its 0x hash / anchor)")
      .argument("<new>", "the amended document (or its 0x hash / anchor)"),
  )
    .addHelpText("after", "\nExample:\n  $ tradeproof register invoice-v2.json --type 380\n  $ tradeproof supersede invoice-v1.json invoice-v2.json")
    .action(async (oldArg: string, newArg: string, opts: SignerOptions) => {
      const oldAnchor = await hashArg(oldArg);
      const newAnchor = await hashArg(newArg);
      const client = await (await ledger()).signingClient(opts);
      const tx = await client.supersede(oldAnchor, newAnchor);
      process.stdout.write(`${txLine(`superseded ${oldAnchor} by ${newAnchor}`, tx)}\n`);
    });
}
