// The options every ledger command takes (where to connect, with which key), without loading the ledger's code:
// command definitions use them at start, and `--help` or `hash` never load ethers (scripts/cli/context.ts does).
import { Command, Option } from "commander";

export const DEFAULT_RPC = "http://127.0.0.1:8545";
export const DEFAULT_DEPLOYMENT = "./data/deployment.json";

/** Options that every ledger command accepts. */
export interface ConnectionOptions {
  rpc: string;
  /** Absent: found as {@link deploymentCandidates} says. */
  deployment?: string;
}
/** Options of the commands that sign a transaction. */
export interface SignerOptions extends ConnectionOptions {
  keystore?: string;
}

/** Adds `--rpc` and `--deployment`, with their environment variables and defaults. */
export function withConnection(cmd: Command): Command {
  return cmd
    .addOption(new Option("--rpc <url>", "JSON-RPC endpoint of a ledger node").env("TRADEPROOF_RPC").default(DEFAULT_RPC))
    .addOption(
      new Option("--deployment <file>", "deployment file (chain id and contract addresses)")
        .env("TRADEPROOF_DEPLOYMENT")
        .default(undefined, `${DEFAULT_DEPLOYMENT}, else the project's data/deployment.json`),
    );
}

/** Adds `--keystore` (the key itself only ever comes from the environment, never from a flag). */
export function withSigner(cmd: Command): Command {
  return withConnection(cmd)
    .option("--keystore <file>", "encrypted JSON keystore to sign with (password from TRADEPROOF_KEYSTORE_PASSWORD or a prompt)")
    .addHelpText(
      "after",
      "\nSigning key: the environment variable TRADEPROOF_PRIVATE_KEY, or --keystore FILE.",
    );
}

/** The ledger's side of a command (provider, deployment, signer: ethers and the contracts), loaded when it runs. */
export const ledger = () => import("./context.js");
