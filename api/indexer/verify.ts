import type { ethers } from "ethers";
import { openStore, type Store } from "../store.js";
import { fetchEvents, type IndexedContracts } from "./indexer.js";

/** One way in which the index and the chain disagree. */
export interface IndexDifference {
  /** missing: on chain, not in the index; extra: in the index, not on chain; different: both, not equal. */
  kind: "missing" | "extra" | "different";
  block: number;
  logIndex: number;
  /** Event name (from whichever side has it). */
  name: string;
  /** For `different`: the field that differs (`leaves` for a public batch's stored leaves). */
  field?: string;
  chain?: unknown;
  index?: unknown;
}

export interface VerifyIndexParameters {
  provider: ethers.JsonRpcApiProvider;
  /** Registry, council and deployment block (a Deployment object fits). */
  contracts: IndexedContracts;
  /** An open store; else the PostgreSQL database at `databaseUrl`, or the data directory holding `api.sqlite`. */
  store?: Store;
  databaseUrl?: string;
  dataDir?: string;
  /** Blocks per eth_getLogs call. */
  chunkSize?: number;
  /** Called after each chunk with the last block checked and the last block to check. */
  onProgress?: (block: number, last: number) => void;
}

export interface VerifyIndexReturnType {
  /** True when there is no difference. */
  ok: boolean;
  fromBlock: number;
  /** The index's cursor: blocks after it are not indexed yet and are not compared. */
  toBlock: number;
  chainEvents: number;
  indexedEvents: number;
  differences: IndexDifference[];
}

interface Row {
  block: number; log_index: number; tx_hash: string; at: number; name: string; action: string; anchor: string | null;
  doc_hash: string | null; related: string | null; organisation: number | null; account: string | null;
  doc_type: number | null; details: string;
}

/**
 * Compares the audit index with the chain: re-reads every log of the registry and the council up to
 * the index's cursor and reports every event that is missing, extra or different (each field,
 * and the stored leaves of public batches).
 *
 * @example
 * ```ts
 * import { ethers } from "ethers";
 * import { loadDeployment } from "../../sdk/index.js";
 * import { verifyIndex } from "./verify.js";
 * const provider = new ethers.JsonRpcProvider("http://127.0.0.1:8545");
 * const report = await verifyIndex({ provider, contracts: await loadDeployment("data/deployment.json"), dataDir: "data" });
 * console.log(report.ok ? "index matches the chain" : report.differences);
 * ```
 */
export async function verifyIndex(params: VerifyIndexParameters): Promise<VerifyIndexReturnType> {
  const store = params.store ?? (await openStore({ databaseUrl: params.databaseUrl, dataDir: params.dataDir ?? "data" }));
  try {
    const chunk = params.chunkSize ?? 5_000;
    const fromBlock = params.contracts.startBlock;
    const cursor = await store.getMeta("index.cursor");
    const toBlock = cursor === undefined ? fromBlock - 1 : Number(cursor);
    const differences: IndexDifference[] = [];
    let chainEvents = 0;
    let indexedEvents = 0;
    for (let from = fromBlock; from <= toBlock; from += chunk) {
      const to = Math.min(toBlock, from + chunk - 1);
      const onChain = await fetchEvents(params.provider, params.contracts, from, to);
      const stored = new Map((await store.all<Row>("SELECT * FROM events WHERE block BETWEEN ? AND ? ORDER BY block, log_index", [from, to])).map((r) => [`${r.block}:${r.log_index}`, r]));
      chainEvents += onChain.length;
      indexedEvents += stored.size;
      for (const e of onChain) {
        const key = `${e.block}:${e.logIndex}`;
        const row = stored.get(key);
        stored.delete(key);
        if (!row) {
          differences.push({ kind: "missing", block: e.block, logIndex: e.logIndex, name: e.name });
          continue;
        }
        const expected: Record<string, unknown> = {
          tx_hash: e.txHash, at: e.at, name: e.name, action: e.action, anchor: e.anchor, doc_hash: e.docHash,
          related: e.related, organisation: e.organisation, account: e.account, details: JSON.stringify(e.details),
        };
        // The stored type of an approval, revocation… is derived from its anchor; only an event's own type is checked.
        if (e.docType !== null) expected.doc_type = e.docType;
        for (const [field, value] of Object.entries(expected)) {
          const actual = row[field as keyof Row];
          if (actual !== value) differences.push({ kind: "different", block: e.block, logIndex: e.logIndex, name: e.name, field, chain: value, index: actual });
        }
        if (e.leaves) {
          const have = (await store.all<{ doc_hash: string }>("SELECT doc_hash FROM leaves WHERE root = ? ORDER BY position", [e.anchor])).map((l) => l.doc_hash);
          if (have.join() !== e.leaves.join()) {
            differences.push({ kind: "different", block: e.block, logIndex: e.logIndex, name: e.name, field: "leaves", chain: e.leaves, index: have });
          }
        }
      }
      for (const row of stored.values()) differences.push({ kind: "extra", block: row.block, logIndex: row.log_index, name: row.name });
      params.onProgress?.(to, toBlock);
    }
    return { ok: differences.length === 0, fromBlock, toBlock, chainEvents, indexedEvents, differences };
  } finally {
    if (!params.store) await store.close();
  }
}
