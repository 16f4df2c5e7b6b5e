// `tradeproof members`: the consortium's organisations and their signing accounts.
import { Command } from "commander";
import pc from "picocolors";
import { withConnection, type ConnectionOptions, ledger } from "./options.js";
import { printJson } from "./output.js";

interface MembersOptions extends ConnectionOptions {
  json?: boolean;
}

export function membersCommand(): Command {
  return withConnection(
    new Command("members")
      .summary("list the member organisations")
      .description("Lists every organisation ever admitted: id, name, country, kind, status and signing accounts.")
      .option("--json", "print the organisations as JSON"),
  ).action(async (opts: MembersOptions) => {
    const client = await (await ledger()).readClient(opts);
    const members = await client.members();
    if (opts.json) return printJson(members);
    const lines = members.map((o) => {
      const status = o.status === "ACTIVE" ? pc.green("active") : pc.red("suspended");
      return `${String(o.id).padStart(3)}  ${pc.bold(o.name)}, ${o.country}  ${o.kind.toLowerCase().replace("_", " ")}  ${status}\n` +
        o.accounts.map((a) => `     ${a}`).join("\n");
    });
    process.stdout.write(`${lines.length > 0 ? lines.join("\n") : "no organisations yet"}\n`);
  });
}
