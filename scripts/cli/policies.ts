// `tradeproof policies`: who may register each document type, and how many approvals it needs.
import { Command } from "commander";
import pc from "picocolors";
import { withConnection, type ConnectionOptions, ledger } from "./options.js";
import { printJson } from "./output.js";

interface PoliciesOptions extends ConnectionOptions {
  json?: boolean;
}

const kinds = (list: string[]) => (list.length ? list.map((k) => k.toLowerCase().replace("_", " ")).join(", ") : "nobody");
const approvals = (n: number) => (n === 1 ? "no countersignature" : `${n} approvals of the issuing organisation`);

export function policiesCommand(): Command {
  return withConnection(
    new Command("policies")
      .summary("list the document-type policies in force")
      .description("Lists who may register each document type and how many accounts of the issuing organisation must approve it; every other type follows the default.")
      .option("--json", "print the policies as JSON"),
  ).action(async (opts: PoliciesOptions) => {
    const client = await (await ledger()).readClient(opts);
    const policies = await client.policies();
    if (opts.json) return printJson(policies);
    const lines = policies.types.map(
      (p) => `${p.docType.code.padStart(5)}  ${pc.bold(p.docType.name ?? "unknown type")}: ${kinds(p.issuers)}; ${approvals(p.approvals)}`,
    );
    lines.push(`${"other".padStart(5)}  ${pc.bold("every other type")}: ${kinds(policies.default.issuers)}; ${approvals(policies.default.approvals)}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  });
}
