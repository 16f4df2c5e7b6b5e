/**
 * End to end through the SDK on a local chain: an anvil node on 127.0.0.1, reached over JSON-RPC as
 * a member's system would reach its node. `registerBatch` from documents to receipts (hashing
 * included), then `verifyMany` of the anchored documents with their receipts.
 */
import { existsSync } from "node:fs";
import type { Row } from "./rows.js";
import { deployOurLedger, INVOICE, startAnvil } from "./chain.js";
import { makeDocuments } from "./documents.js";

/** The longest a single verifyMany figure may take, so that the full run stays within 10 minutes. */
const VERIFY_BUDGET_SECONDS = 60;

export interface EndToEndOptions {
  sizes: number[];
}

const notBuilt = (sizes: number[], reason: string): Row[] =>
  sizes.flatMap((n) => [
    { section: "End to end", figure: `register-batch of ${n.toLocaleString("en")} documents`, unit: "s", better: "lower" as const, tradeproof: null, note: reason },
    { section: "End to end", figure: `verifyMany of ${n.toLocaleString("en")} documents`, unit: "documents/s", better: "higher" as const, tradeproof: null, note: reason },
  ]);

export async function benchEndToEnd({ sizes }: EndToEndOptions): Promise<Row[]> {
  if (!existsSync(new URL("../sdk/index.ts", import.meta.url))) return notBuilt(sizes, "not measured: SDK not built.");
  const sdk = await import("../sdk/index.js");
  const anvil = await startAnvil();
  try {
    return await run(sdk, anvil.signers, sizes);
  } finally {
    await anvil.stop();
  }
}

async function run(sdk: typeof import("../sdk/index.js"), signers: import("ethers").Signer[], sizes: number[]): Promise<Row[]> {
  const ours = await deployOurLedger(signers);
  const client = await sdk.TradeproofClient.connect({ runner: ours.trader, deployment: ours.deployment });

  const rows: Row[] = [];
  let from = 0;
  let verifyRate: number | undefined;
  for (const n of sizes) {
    const label = n.toLocaleString("en");
    // Generating the documents stands in for reading them from disk: not timed.
    const docs = makeDocuments(n, 1_000_000 + from);
    from += n;
    let t = performance.now();
    const hashes = docs.map((d) => sdk.hashJson(d));
    const receipts = await client.registerBatch(hashes, String(INVOICE));
    const registerSeconds = (performance.now() - t) / 1000;
    if (receipts.length !== n) throw new Error(`registerBatch returned ${receipts.length} receipts for ${n} documents`);
    rows.push({
      section: "End to end",
      figure: `register-batch of ${label} documents`,
      unit: "s",
      better: "lower",
      tradeproof: registerSeconds,
      target: n === 100_000 ? { op: "<=", value: 10 } : undefined,
      note: "SDK hashJson of each document + registerBatch (private batch: tree, transaction, a receipt each).",
    });

    if (verifyRate && n / verifyRate > VERIFY_BUDGET_SECONDS) {
      rows.push({
        section: "End to end",
        figure: `verifyMany of ${label} documents`,
        unit: "documents/s",
        better: "higher",
        tradeproof: null,
        note: `not measured: at the rate measured for fewer documents it would take ${(n / verifyRate).toFixed(0)} s, over the ${VERIFY_BUDGET_SECONDS} s this figure may use in the 10-minute run.`,
      });
      continue;
    }
    t = performance.now();
    const results = await client.verifyMany(receipts.map((receipt) => ({ docHash: receipt.docHash, receipt })));
    const verifySeconds = (performance.now() - t) / 1000;
    const notValid = results.filter((r) => r.status !== "VALID").length;
    if (results.length !== n || notValid > 0) throw new Error(`verifyMany: ${results.length} results, ${notValid} not VALID`);
    verifyRate = n / verifySeconds;
    rows.push({
      section: "End to end",
      figure: `verifyMany of ${label} documents`,
      unit: "documents/s",
      better: "higher",
      tradeproof: verifyRate,
      target: n === 10_000 ? { op: ">=", value: 10_000 } : undefined,
      note: "Each with its receipt, one call of the SDK; every result VALID.",
    });
  }
  return rows;
}
