/**
 * End to end through the SDK on a local in-process chain: `registerBatch` from documents to receipts
 * (hashing included), then `verifyMany` of the anchored documents with their receipts.
 */
import { existsSync } from "node:fs";
import { network } from "hardhat";
import type { Row } from "./rows.ts";
import { deployOurLedger, INVOICE } from "./chain.ts";
import { makeDocuments } from "./documents.ts";

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
  const sdk = await import("../sdk/index.ts");
  const { ethers } = await network.create();
  const ours = await deployOurLedger(ethers);
  const client = await sdk.TradeproofClient.connect({ runner: ours.trader, deployment: ours.deployment });

  const rows: Row[] = [];
  let from = 0;
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

    t = performance.now();
    const results = await client.verifyMany(receipts.map((receipt) => ({ docHash: receipt.docHash, receipt })));
    const verifySeconds = (performance.now() - t) / 1000;
    const notValid = results.filter((r) => r.status !== "VALID").length;
    if (results.length !== n || notValid > 0) throw new Error(`verifyMany: ${results.length} results, ${notValid} not VALID`);
    rows.push({
      section: "End to end",
      figure: `verifyMany of ${label} documents`,
      unit: "documents/s",
      better: "higher",
      tradeproof: n / verifySeconds,
      target: n === 10_000 ? { op: ">=", value: 10_000 } : undefined,
      note: "Each with its receipt, against the in-process chain; every result VALID.",
    });
  }
  return rows;
}
