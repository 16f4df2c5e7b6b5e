#!/usr/bin/env tsx
// The `tradeproof` command line: what operators of traders, issuing authorities, customs and auditors type.
// Each command lives in scripts/cli/<command>.ts; this file wires them up and owns the exit code.
import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { approveCommand } from "./cli/approve.js";
import { attestCommand } from "./cli/attest.js";
import { councilCommand } from "./cli/council.js";
import { cacheCommand, credentialCommand, verifyCredentialCommand } from "./cli/credential.js";
import { deployCommand } from "./cli/deploy.js";
import { doctorCommand } from "./cli/doctor.js";
import { ExitCode, report } from "./cli/errors.js";
import { findCommand } from "./cli/find.js";
import { hashCommand } from "./cli/hash.js";
import { historyCommand } from "./cli/history.js";
import { indexCommand } from "./cli/index.js";
import { ledgerKeysCommand } from "./cli/ledger-keys.js";
import { membersCommand } from "./cli/members.js";
import { networkCommand } from "./cli/network.js";
import { policiesCommand } from "./cli/policies.js";
import { registerBatchCommand } from "./cli/register-batch.js";
import { registerCommand } from "./cli/register.js";
import { revokeCommand } from "./cli/revoke.js";
import { supersedeCommand } from "./cli/supersede.js";
import { verifyCommand } from "./cli/verify.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const program = new Command("tradeproof")
  .description("Register and verify trade documents on the Tradeproof ledger. Documents are hashed locally; only hashes go on chain.")
  .version(version)
  .addHelpText(
    "after",
    `
Connection:  --rpc URL or TRADEPROOF_RPC (default http://127.0.0.1:8545)
             --deployment FILE or TRADEPROOF_DEPLOYMENT (default ./data/deployment.json, else the project's data/)
Signing key: TRADEPROOF_PRIVATE_KEY, or --keystore FILE (password from TRADEPROOF_KEYSTORE_PASSWORD or a prompt)
Exit codes:  0 success (verify: every document VALID), 1 failure (verify: some document not VALID),
             2 usage or input error, 3 node unreachable or wrong chain (never a verdict)
DEBUG=1 prints stack traces.`,
  );

for (const command of [
  hashCommand(),
  registerCommand(),
  registerBatchCommand(),
  verifyCommand(),
  findCommand(),
  credentialCommand(),
  verifyCredentialCommand(),
  cacheCommand(),
  approveCommand(),
  revokeCommand(),
  supersedeCommand(),
  attestCommand(),
  historyCommand(),
  membersCommand(),
  policiesCommand(),
  councilCommand(),
  indexCommand(),
  deployCommand(),
  networkCommand(),
  ledgerKeysCommand(),
  doctorCommand(),
]) {
  program.addCommand(command);
}

// Commander exits by itself on usage errors; route that through one place so that the code is always 2.
const exitOverride = (cmd: Command) => {
  cmd.exitOverride();
  cmd.commands.forEach(exitOverride);
};
exitOverride(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed the message (or the help / version).
    const shown = ["commander.helpDisplayed", "commander.version"].includes(error.code);
    process.exitCode = shown ? error.exitCode : ExitCode.USAGE;
  } else {
    process.exitCode = report(error);
  }
}
