// How results look on a terminal. Colours come from picocolors, which turns itself off when the
// output is not a terminal or NO_COLOR is set, so piped output stays plain.
import pc from "picocolors";
import type { Status, VerificationResult } from "../../sdk/index.js";

/** Status in words, coloured: what an officer needs to read first. */
export function statusLine(status: Status, result?: VerificationResult): string {
  switch (status) {
    case "VALID":
      return pc.bold(pc.green("VALID")) + " — anchored by its issuer and in force";
    case "PENDING": {
      const a = result?.approvals;
      const count = a ? ` (${a.given} of ${a.required} approvals)` : "";
      return pc.bold(pc.yellow("PENDING")) + ` — anchored, waiting for countersignature${count}`;
    }
    case "REVOKED":
      return pc.bold(pc.red("REVOKED")) + " — withdrawn by its issuer; do not accept it";
    case "SUPERSEDED":
      return pc.bold(pc.magenta("SUPERSEDED")) + " — replaced by an amended version";
    case "NOT_FOUND":
      return pc.bold(pc.red("NOT FOUND")) + " — this exact document is not anchored on this ledger (altered, or never registered)";
  }
}

/** The readable report of one verification. */
export function formatResult(result: VerificationResult, label?: string): string {
  const lines: string[] = [];
  lines.push(`${label ? pc.bold(label) + "  " : ""}${statusLine(result.status, result)}`);
  const row = (key: string, value: string) => lines.push(`  ${pc.dim(key.padEnd(12))}${value}`);
  row("document", result.docHash);
  if (result.docType) row("type", `${result.docType.name} (${result.docType.code})`);
  if (result.issuer) {
    const i = result.issuer;
    const suspended = i.status === "SUSPENDED" ? ` ${pc.red("— organisation now suspended")}` : "";
    row("issuer", `${i.organisation}, ${i.country} (${i.kind.toLowerCase().replace("_", " ")})${suspended}`);
    row("account", i.account);
  }
  if (result.anchoredAt) row("anchored", `${result.anchoredAt}${result.blockNumber !== undefined ? `, block ${result.blockNumber}` : ""}`);
  if (result.txHash) row("transaction", result.txHash);
  if (result.approvals) {
    const a = result.approvals;
    const text = `${a.given}/${a.required}`;
    row("approvals", a.given >= a.required ? pc.green(text) : pc.yellow(text));
  }
  if (result.batch) row("batch", `${result.batch.root} (${result.batch.public ? "public" : "private"})`);
  if (result.revokedAt) row("revoked", `${result.revokedAt}${result.revocationReason ? `: ${result.revocationReason}` : ""}`);
  if (result.supersededBy) row("replaced by", result.supersededBy);
  // An outcome recorded against a hash the ledger does not know is a record of what was presented, not a verdict:
  // never shown in the colour of an acceptance.
  const unanchored = result.status === "NOT_FOUND";
  for (const [n, a] of (result.attestations ?? []).entries()) {
    const colour = a.outcome === "REJECTED" ? pc.red : a.outcome === "ACCEPTED" && !unanchored ? pc.green : pc.yellow;
    const why = a.reason ? `: ${a.reason.name ?? `reason ${a.reason.code}`}` : "";
    row(n === 0 ? "outcomes" : "", `${colour(a.outcome)} by ${a.organisation} at ${a.at}${why}`);
  }
  if (result.attestationsTotal) row("", pc.dim(`the latest ${result.attestations?.length} of ${result.attestationsTotal} outcomes; \`tradeproof history\` lists them all`));
  if (unanchored && result.attestations?.length) {
    row("", pc.dim("recorded against this fingerprint, which the ledger does not know: what customs or an agency saw, not a verdict"));
  }
  return lines.join("\n");
}

/** Prints `value` as JSON on stdout (two-space indent, newline-terminated). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
}

/** A status or progress line for the operator, on stderr so that stdout stays machine-readable. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** The line that confirms a transaction. */
export function txLine(what: string, tx: { txHash: string; blockNumber: number }): string {
  return `${what}  ${pc.dim(`(tx ${tx.txHash}, block ${tx.blockNumber})`)}`;
}
