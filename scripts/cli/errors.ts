// How the CLI ends: exit codes and the one-line error report. Every command throws; only the entry
// point (scripts/tradeproof.ts) turns what was thrown into a line on stderr and an exit code.
import pc from "picocolors";
import { TradeproofError } from "../../sdk/errors.js";

/**
 * Exit codes, the same for every command. `verify` uses NOT_VALID for a verdict; the other commands
 * use FAILED when the ledger refused the action. An unreachable node or a wrong chain is never a
 * verdict, so it has its own code.
 */
export const ExitCode = {
  OK: 0,
  /** `verify`: at least one document is not VALID. Other commands: the action failed (e.g. a revert). */
  NOT_VALID: 1,
  FAILED: 1,
  /** A usage error (unknown flag, missing argument) or an input error (unreadable file, bad JSON, bad receipt). */
  USAGE: 2,
  /** The node (or the API) cannot be reached, or it is not the chain of the deployment file. */
  CONNECTION: 3,
} as const;

/** A mistake in how the command was called or in what it was given: exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The ledger's API cannot be reached: never a verdict, exit code 3 as for the node. */
export class ApiUnreachable extends Error {
  override name = "ApiUnreachable";
}

/** SDK error codes that mean "bad input", reported with exit code 2. */
const INPUT_CODES = new Set(["INVALID_HASH", "INVALID_DOCUMENT", "INVALID_RECEIPT", "INVALID_ARGUMENT"]);
/** SDK error codes that mean "no answer from the right chain", reported with exit code 3. */
const CONNECTION_CODES = new Set(["NODE_UNREACHABLE", "WRONG_CHAIN"]);

/** The exit code that an error thrown by a command stands for. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.USAGE;
  if (error instanceof ApiUnreachable) return ExitCode.CONNECTION;
  if (error instanceof TradeproofError) {
    if (INPUT_CODES.has(error.code)) return ExitCode.USAGE;
    if (CONNECTION_CODES.has(error.code)) return ExitCode.CONNECTION;
  }
  return ExitCode.FAILED;
}

/** The one line that tells the operator what went wrong (the SDK's short message, not a stack trace). */
export function messageOf(error: unknown): string {
  if (error instanceof TradeproofError) return error.shortMessage;
  if (error instanceof Error) {
    // ethers errors carry a readable shortMessage too; their full message embeds the request payload.
    const short = (error as { shortMessage?: unknown }).shortMessage;
    return typeof short === "string" && short ? short : error.message;
  }
  return String(error);
}

/** Prints `error` on stderr (with its stack only when DEBUG is set) and returns its exit code. */
export function report(error: unknown): number {
  process.stderr.write(`${pc.red("error:")} ${messageOf(error)}\n`);
  if (process.env.DEBUG) process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  return exitCodeOf(error);
}

/** `message` about `file`, naming the file once (the SDK's messages usually name it already). */
export function aboutFile(file: string, error: unknown): string {
  let message = messageOf(error);
  // The reason a parser gave ("Unexpected end of JSON input") tells the operator where to look.
  if (error instanceof TradeproofError && error.details && error.code === "INVALID_DOCUMENT") message += ` (${error.details})`;
  return message.includes(file) ? message : `${file}: ${message}`;
}
