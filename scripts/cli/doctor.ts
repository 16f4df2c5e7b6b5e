// `tradeproof doctor`: checks that a node can carry the ledger, before anyone deploys to it or points the API at it.
import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import pc from "picocolors";
import { ExitCode, UsageError } from "./errors.js";
import { intArg } from "./inputs.js";
import { withConnection, type ConnectionOptions } from "./options.js";
import { printJson } from "./output.js";

interface DoctorOptions extends ConnectionOptions {
  /** false with --no-contracts: the node alone, before the ledger is deployed. */
  contracts: boolean;
  relayer?: string;
  blockPeriod?: number;
  json?: boolean;
}

const MARK = { pass: pc.green("✓"), warn: pc.yellow("!"), fail: pc.red("✗") } as const;

export function doctorCommand(): Command {
  return withConnection(
    new Command("doctor")
      .summary("check that a node is fit to carry the ledger")
      .description(
        "Checks the node at --rpc, one line a check: the chain id against the deployment; the client and its version (Besu " +
          "26.8.1 or later); every EVM feature the contracts use; a zero gas price and base fee; the block period; the " +
          "registry, council, forwarder and references at the deployment's addresses with this build's code; the relayer able to pay; " +
          "the batch limits (TRADEPROOF_MAX_TX_BYTES, TRADEPROOF_MAX_TX_GAS) within the node's. Exit code 0 when no check " +
          "fails (warnings allowed), 1 otherwise.",
      )
      .option("--no-contracts", "check the node alone, before the ledger is deployed (no deployment file is read)")
      .option("--relayer <address>", "the relayer's address (default: from TRADEPROOF_RELAYER_KEY), checked only where gas is not free")
      .option("--block-period <seconds>", "the block period the network should have", intArg("--block-period", 3600))
      .addOption(new Option("--json", "print the report as JSON"))
      .addHelpText("after", "\nExample:\n  $ tradeproof doctor --rpc http://127.0.0.1:8545 --deployment data/deployment.json"),
  ).action(async (opts: DoctorOptions) => {
    const { runDoctor, relayerAddress } = await import("../network/doctor.js");
    const { transactionLimitsFromEnv } = await import("../../sdk/limits.js");
    const { deploymentCandidates, readDeployment } = await import("./context.js");
    let limits;
    try {
      limits = transactionLimitsFromEnv();
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    // The deployment named, else the first found where the other commands look; none found is a warning, not an error.
    const deployment =
      opts.contracts && (opts.deployment !== undefined || deploymentCandidates().some((c) => existsSync(c.path)))
        ? await readDeployment(opts.deployment)
        : undefined;
    let relayer = opts.relayer;
    if (relayer !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(relayer)) throw new UsageError(`--relayer ${relayer}: not an address (0x and 40 hex digits)`);
    if (relayer === undefined && process.env.TRADEPROOF_RELAYER_KEY) {
      try {
        relayer = relayerAddress(process.env.TRADEPROOF_RELAYER_KEY);
      } catch {
        throw new UsageError("TRADEPROOF_RELAYER_KEY is not a private key (0x and 64 hex digits)");
      }
    }
    const report = await runDoctor({ rpc: opts.rpc, deployment, limits, relayer, blockPeriod: opts.blockPeriod });
    if (opts.json) {
      printJson(report);
    } else {
      const lines = report.checks.map((c) => `${MARK[c.status]} ${c.id.padEnd(12)} ${c.message}${c.fix && c.status !== "pass" ? `\n  ${pc.dim("→")} ${c.fix}` : ""}`);
      const failed = report.checks.filter((c) => c.status === "fail").length;
      const warned = report.checks.filter((c) => c.status === "warn").length;
      lines.push(failed ? pc.red(`${failed} check(s) failed`) : pc.green(`node fit for the ledger${warned ? ` (${warned} warning(s))` : ""}`));
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    if (!report.ok) process.exitCode = ExitCode.FAILED;
  });
}
