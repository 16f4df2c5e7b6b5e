// `tradeproof find --issuer ORG --scheme S NUMBER`: the documents an organisation registered under a number.
import { Command } from "commander";
import pc from "picocolors";
import { ExitCode, UsageError } from "./errors.js";
import { withConnection, type ConnectionOptions, ledger } from "./options.js";
import { formatResult, printJson } from "./output.js";

interface FindOptions extends ConnectionOptions {
  issuer: string;
  scheme: string;
  json?: boolean;
}

export function findCommand(): Command {
  return withConnection(
    new Command("find")
      .summary("find documents by the number printed on them")
      .description(
        "Finds the documents an organisation registered under a number (a certificate, invoice, transport document or " +
          "declaration number), newest first, each with its verification result: whether it is in force, revoked or " +
          "replaced. The issuer and the full number are needed: the number is hashed with them on this machine and only " +
          "that hash is looked up; there is no listing and no search by prefix. Letter case, spaces and separators do not " +
          "matter.\n\nExit code: 0 when a VALID document is filed under the number, 1 when none is (nothing found, or only " +
          "revoked, replaced or pending ones), 2 on a usage error, 3 when the node cannot be reached.",
      )
      .argument("<number>", "the number as printed, e.g. \"VN-SG 26/01/000123\"")
      .requiredOption("--issuer <organisation>", "the issuing organisation: its full name or its number (see members)")
      .requiredOption("--scheme <scheme>", "what kind of number: certificate, invoice, transport, declaration or free")
      .option("--json", "print the organisation, the reference and the verification results as JSON"),
  )
    .addHelpText(
      "after",
      '\nExample:\n  $ tradeproof find --issuer "Regional Export-Import Management Office, Ho Chi Minh City" --scheme certificate "VN-SG 26/01/000123"',
    )
    .action(async (number: string, opts: FindOptions) => {
      const { parseReference } = await import("../../sdk/references.js");
      try {
        parseReference({ scheme: opts.scheme, id: number });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const client = await (await ledger()).readClient(opts);
      const found = await client.findByReference({ issuer: opts.issuer, scheme: opts.scheme, id: number });
      if (opts.json) printJson(found);
      else if (found.documents.length === 0) {
        process.stdout.write(
          `${pc.bold(pc.red("NOT FOUND"))} — ${found.organisation.name} filed no document under ${found.reference.scheme} number ${number} on this ledger\n` +
            `  ${pc.dim("(check the number and the issuer; a document of a private batch is never filed by number)")}\n`,
        );
      } else {
        const head = `${found.documents.length} document(s) filed by ${found.organisation.name} under ${found.reference.scheme} number ${number}, newest first:`;
        process.stdout.write(`${head}\n\n${found.documents.map((d) => formatResult(d.result)).join("\n\n")}\n`);
      }
      if (!found.documents.some((d) => d.result.status === "VALID")) process.exitCode = ExitCode.NOT_VALID;
    });
}
