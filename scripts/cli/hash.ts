// `tradeproof hash FILE…`: document hashes in sha256sum's layout.
import { Command } from "commander";
import pc from "picocolors";
import { aboutFile, ExitCode } from "./errors.js";
import { hashFiles } from "../../sdk/files.js";

export function hashCommand(): Command {
  return new Command("hash")
    .summary("print the document hash of each file")
    .description(
      "Prints `0x<64 hex>  FILE` for each file, like sha256sum: SHA-256 of the RFC 8785 canonical form for a .json file, " +
        "of the exact bytes (streamed) for any other file. Hashing is local: nothing is sent anywhere.",
    )
    .argument("<file...>", "files to hash")
    .addHelpText("after", "\nExample:\n  $ tradeproof hash invoice.json packing-list.pdf")
    .action(async (files: string[]) => {
      for (const result of await hashFiles(files)) {
        if ("docHash" in result) {
          process.stdout.write(`${result.docHash}  ${result.path}\n`);
        } else {
          process.stderr.write(`${pc.red("error:")} ${aboutFile(result.path, result.error)}\n`);
          process.exitCode = ExitCode.USAGE;
        }
      }
    });
}
