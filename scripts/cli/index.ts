// `tradeproof index verify`: compares the API's audit index (SQLite or PostgreSQL) with the chain and lists every difference,
// so an auditor need not trust the fast path.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import pc from "picocolors";
import { withConnection, type ConnectionOptions, ledger } from "./options.js";
import { ExitCode, UsageError } from "./errors.js";
import { printJson } from "./output.js";

interface IndexVerifyOptions extends ConnectionOptions {
  dataDir: string;
  databaseUrl?: string;
  json?: boolean;
}

export function indexCommand(): Command {
  const verify = withConnection(
    new Command("verify")
      .summary("compare the audit index with the chain")
      .description(
        "Re-reads every registry and council event up to the index's cursor and reports each event that is missing " +
          "from the index, extra in it, or different (field by field). Exit code 1 when there is any difference.",
      )
      .addOption(new Option("--data-dir <dir>", "the API's data directory (holds api.sqlite)").env("TRADEPROOF_DATA_DIR").default("data"))
      .addOption(new Option("--database-url <url>", "the API's PostgreSQL, when its index is there (postgres://…)").env("TRADEPROOF_DATABASE_URL"))
      .option("--json", "print the report as JSON"),
  ).action(async (opts: IndexVerifyOptions) => {
    const dataDir = resolve(opts.dataDir);
    if (!opts.databaseUrl && !existsSync(join(dataDir, "api.sqlite"))) throw new UsageError(`no audit index at ${join(dataDir, "api.sqlite")} (pass --data-dir)`);
    const deployment = await (await ledger()).readDeployment(opts.deployment);
    const provider = await (await ledger()).checkedProvider(opts.rpc, deployment);
    // Loaded here: the store's drivers are only needed by this command.
    const { verifyIndex } = await import("../../api/indexer/verify.js");
    const report = await verifyIndex({ provider, contracts: deployment, dataDir, databaseUrl: opts.databaseUrl || undefined });
    if (opts.json) printJson(report);
    else {
      process.stdout.write(
        `blocks ${report.fromBlock}–${report.toBlock}: ${report.chainEvents} events on chain, ${report.indexedEvents} in the index\n`,
      );
      for (const d of report.differences) {
        const where = `block ${d.block} log ${d.logIndex} ${d.name}`;
        const what = d.kind === "different" ? `${d.field}: chain ${JSON.stringify(d.chain)}, index ${JSON.stringify(d.index)}` : d.kind;
        process.stdout.write(`  ${pc.red(d.kind.padEnd(9))} ${where}${d.kind === "different" ? `  ${what}` : ""}\n`);
      }
      process.stdout.write(report.ok ? `${pc.green("index matches the chain")}\n` : `${pc.red(`${report.differences.length} difference(s)`)}\n`);
    }
    if (!report.ok) process.exitCode = ExitCode.FAILED;
  });
  return new Command("index").summary("audit index tools").description("Tools for the API's audit index (SQLite, or PostgreSQL with --database-url); read-only.").addCommand(verify);
}
