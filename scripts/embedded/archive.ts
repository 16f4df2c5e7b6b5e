// The embedded chain's history on disk: every journaled block's header, transactions, receipts and logs, in SQLite
// (data/archive.sqlite), so that the node need not keep them in memory.
//
// anvil keeps every mined transaction with its receipt and call trace in memory for as long as it runs, and writes
// them all into each checkpoint: at 100,000 anchored documents that was 700 MB of the node and a 344 MB checkpoint,
// growing without bound. The node now runs with `--transaction-block-keeper` (it forgets the transactions of blocks
// older than KEPT_BLOCKS; their headers stay, with an empty transaction list), and the gateway (durable-rpc.ts)
// answers for older blocks from this archive: the blocks, transactions, receipts and logs a client asks for by
// number, hash or filter come back as the node gave them when they were mined.
//
// The archive is written with the journal, block for block, before the journal's append (a crash between the two
// leaves blocks archived that the journal lacks: a start removes them, see `truncateAfter`). It is made durable
// (`sync`) before each checkpoint is written, so the blocks a checkpoint no longer holds in full are always archived.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";

/**
 * Blocks whose transactions the node keeps in memory (`--transaction-block-keeper`). The gateway archives every
 * block within a round of it being mined (it journals before it answers any read, and at least every second on a
 * chain with a block period), so the node is never asked to forget a block not archived yet.
 */
export const KEPT_BLOCKS = 32;

/** The trie root of an empty list: a block header with another transactions root and no transactions was forgotten. */
const EMPTY_ROOT = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";

/** A block as eth_getBlockByNumber(n, true) returns it. */
interface RpcBlock {
  number: string;
  hash: string;
  transactionsRoot: string;
  transactions: ({ hash: string } & Record<string, unknown>)[];
  [key: string]: unknown;
}
/** A log as a receipt or eth_getLogs returns it. */
interface RpcLog {
  address: string;
  topics: string[];
  logIndex: string;
  transactionHash: string;
  [key: string]: unknown;
}
interface RpcReceipt {
  transactionHash: string;
  logs: RpcLog[];
  [key: string]: unknown;
}

/** One block as read from the node to be archived. */
export interface ArchivedBlock {
  block: RpcBlock;
  receipts: RpcReceipt[];
}

/** An eth_getLogs filter over a block range, as the archive answers it (addresses and topics lower case). */
export interface LogQuery {
  from: number;
  to: number;
  addresses?: string[];
  /** Per position: the topics allowed there (undefined: any). */
  topics?: (string[] | undefined)[];
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, header TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS txs (hash TEXT PRIMARY KEY, block INTEGER NOT NULL, idx INTEGER NOT NULL, tx TEXT NOT NULL, receipt TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS txs_block ON txs (block, idx);
  CREATE TABLE IF NOT EXISTS logs (
    block INTEGER NOT NULL, log_index INTEGER NOT NULL, tx TEXT NOT NULL, address TEXT NOT NULL,
    topic0 TEXT, topic1 TEXT, topic2 TEXT, topic3 TEXT, log TEXT NOT NULL, PRIMARY KEY (block, log_index)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS logs_topic1 ON logs (topic1);
  CREATE INDEX IF NOT EXISTS logs_address ON logs (address, topic0, block);
  CREATE INDEX IF NOT EXISTS logs_tx ON logs (tx);
`;

const hex = (n: number) => `0x${n.toString(16)}`;

export class ChainArchive {
  private readonly db: DatabaseSync;
  private readonly stmt: Record<"insertBlock" | "insertTx" | "insertLog" | "deleteTxs" | "deleteLogs" | "blockByNumber" | "blockByHash" | "txsOf" | "tx" | "logsOfTx" | "head", StatementSync>;

  private constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new DatabaseSync(file);
    // WAL without an fsync per commit: a commit survives the process being killed; `sync` makes it survive the machine.
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    this.db.exec(SCHEMA);
    this.stmt = {
      insertBlock: this.db.prepare("INSERT OR REPLACE INTO blocks (number, hash, header) VALUES (?, ?, ?)"),
      insertTx: this.db.prepare("INSERT OR REPLACE INTO txs (hash, block, idx, tx, receipt) VALUES (?, ?, ?, ?, ?)"),
      insertLog: this.db.prepare("INSERT OR REPLACE INTO logs (block, log_index, tx, address, topic0, topic1, topic2, topic3, log) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      deleteTxs: this.db.prepare("DELETE FROM txs WHERE block = ?"),
      deleteLogs: this.db.prepare("DELETE FROM logs WHERE block = ?"),
      blockByNumber: this.db.prepare("SELECT number, header FROM blocks WHERE number = ?"),
      blockByHash: this.db.prepare("SELECT number, header FROM blocks WHERE hash = ?"),
      txsOf: this.db.prepare("SELECT hash, tx FROM txs WHERE block = ? ORDER BY idx"),
      tx: this.db.prepare("SELECT hash, tx, receipt FROM txs WHERE hash = ?"),
      logsOfTx: this.db.prepare("SELECT log FROM logs WHERE tx = ? ORDER BY block, log_index"),
      head: this.db.prepare("SELECT MIN(number) AS first, MAX(number) AS last FROM blocks"),
    };
  }

  static open(file: string): ChainArchive {
    return new ChainArchive(file);
  }

  /** The newest archived block (-1: none). */
  head(): number {
    return this.range().last;
  }

  /** The first and last archived blocks (-1 and -1: none); blocks are added in order, so every one between is there. */
  range(): { first: number; last: number } {
    const row = this.stmt.head.get() as { first: number | null; last: number | null };
    return { first: row.first ?? -1, last: row.last ?? -1 };
  }

  /** Adds blocks (with their transactions, receipts and logs) in one transaction. */
  add(blocks: ArchivedBlock[]): void {
    this.db.exec("BEGIN");
    try {
      for (const { block, receipts } of blocks) {
        const number = Number(block.number);
        const { transactions, ...header } = block;
        // A number archived before (by a history a crash ended) keeps none of its old rows.
        this.stmt.deleteLogs.run(number);
        this.stmt.deleteTxs.run(number);
        this.stmt.insertBlock.run(number, block.hash.toLowerCase(), JSON.stringify(header));
        const byHash = new Map(receipts.map((r) => [r.transactionHash.toLowerCase(), r]));
        transactions.forEach((tx, idx) => {
          const receipt = byHash.get(tx.hash.toLowerCase());
          if (!receipt) throw new Error(`block ${number}: no receipt for transaction ${tx.hash}`);
          const { logs, ...rest } = receipt;
          this.stmt.insertTx.run(tx.hash.toLowerCase(), number, idx, JSON.stringify(tx), JSON.stringify(rest));
          for (const log of logs) {
            const t = log.topics.map((x) => x.toLowerCase());
            this.stmt.insertLog.run(number, Number(log.logIndex), tx.hash.toLowerCase(), log.address.toLowerCase(), t[0] ?? null, t[1] ?? null, t[2] ?? null, t[3] ?? null, JSON.stringify(log));
          }
        });
      }
      this.db.exec("COMMIT");
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  /** Removes the blocks after `block` (archived before a crash that kept them from the journal). */
  truncateAfter(block: number): void {
    this.db.exec("BEGIN");
    try {
      for (const table of ["logs", "txs"]) this.db.prepare(`DELETE FROM ${table} WHERE block > ?`).run(block);
      this.db.prepare("DELETE FROM blocks WHERE number > ?").run(block);
      this.db.exec("COMMIT");
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  /** Makes every archived block durable (an fsync through a WAL checkpoint): called before a checkpoint of the node. */
  sync(): void {
    this.db.exec("PRAGMA wal_checkpoint(FULL)");
  }

  /** eth_getBlockByNumber / eth_getBlockByHash's answer for an archived block (undefined: not archived). */
  block(by: { number: number } | { hash: string }, full: boolean): Record<string, unknown> | undefined {
    const row = ("number" in by ? this.stmt.blockByNumber.get(by.number) : this.stmt.blockByHash.get(by.hash.toLowerCase())) as { number: number; header: string } | undefined;
    if (!row) return undefined;
    const txs = this.stmt.txsOf.all(row.number) as { hash: string; tx: string }[];
    return { ...(JSON.parse(row.header) as object), transactions: full ? txs.map((t) => JSON.parse(t.tx) as unknown) : txs.map((t) => (JSON.parse(t.tx) as { hash: string }).hash) };
  }

  /** eth_getTransactionByHash's answer (undefined: not archived). */
  transaction(hash: string): Record<string, unknown> | undefined {
    const row = this.stmt.tx.get(hash.toLowerCase()) as { tx: string } | undefined;
    return row && (JSON.parse(row.tx) as Record<string, unknown>);
  }

  /** eth_getTransactionReceipt's answer (undefined: not archived). */
  receipt(hash: string): Record<string, unknown> | undefined {
    const row = this.stmt.tx.get(hash.toLowerCase()) as { hash: string; receipt: string } | undefined;
    if (!row) return undefined;
    const logs = (this.stmt.logsOfTx.all(row.hash) as { log: string }[]).map((l) => JSON.parse(l.log) as unknown);
    return { ...(JSON.parse(row.receipt) as object), logs };
  }

  /** eth_getBlockReceipts's answer for an archived block (undefined: not archived). */
  blockReceipts(number: number): unknown[] | undefined {
    if (!this.stmt.blockByNumber.get(number)) return undefined;
    return (this.stmt.txsOf.all(number) as { hash: string }[]).map((t) => this.receipt(t.hash));
  }

  /** eth_getLogs over archived blocks, in the node's order. */
  logs(q: LogQuery): unknown[] {
    const where = ["block BETWEEN ? AND ?"];
    const args: (string | number)[] = [q.from, q.to];
    if (q.addresses && q.addresses.length > 0) {
      where.push(`address IN (${q.addresses.map(() => "?").join(",")})`);
      args.push(...q.addresses.map((a) => a.toLowerCase()));
    }
    q.topics?.slice(0, 4).forEach((allowed, i) => {
      if (!allowed) return;
      where.push(`topic${i} IN (${allowed.map(() => "?").join(",")})`);
      args.push(...allowed.map((t) => t.toLowerCase()));
    });
    const rows = this.db.prepare(`SELECT log FROM logs WHERE ${where.join(" AND ")} ORDER BY block, log_index`).all(...args) as { log: string }[];
    return rows.map((r) => JSON.parse(r.log) as unknown);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/** The node forgot a block's transactions before they were archived: they can come back only from an older checkpoint. */
export class ForgottenBlockError extends Error {
  override name = "ForgottenBlockError";
}

/**
 * Reads blocks `from`..`to` from the node for the archive (full blocks and their receipts, one JSON-RPC batch per 100
 * blocks). Throws ForgottenBlockError when the node no longer holds a block's transactions.
 */
export async function readBlocks(url: string, from: number, to: number): Promise<ArchivedBlock[]> {
  const out: ArchivedBlock[] = [];
  for (let start = from; start <= to; start += 100) {
    const end = Math.min(to, start + 99);
    const calls = [];
    for (let n = start; n <= end; n++) {
      calls.push({ method: "eth_getBlockByNumber", params: [hex(n), true] }, { method: "eth_getBlockReceipts", params: [hex(n)] });
    }
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: "2.0", id, ...c }))),
    });
    const replies = (await res.json()) as { id: number; result?: unknown; error?: { message: string } }[];
    if (!Array.isArray(replies)) throw new Error(`the node refused a batch of block reads: ${JSON.stringify(replies).slice(0, 200)}`);
    replies.sort((a, b) => a.id - b.id);
    for (let i = 0; i < replies.length; i += 2) {
      const n = start + i / 2;
      const [b, r] = [replies[i]!, replies[i + 1]!];
      const block = b.result as RpcBlock | null;
      // (A node forked at block 0 has no receipts list for that block: it holds no transaction.)
      const receipts = (r.result ?? (block?.transactions.length === 0 ? [] : null)) as RpcReceipt[] | null;
      if (b.error || r.error || !block || !receipts) throw new Error(`block ${n} cannot be read for the archive: ${b.error?.message ?? r.error?.message ?? "the node does not have it"}`);
      if (block.transactions.length === 0 && block.transactionsRoot.toLowerCase() !== EMPTY_ROOT) {
        throw new ForgottenBlockError(`the node no longer holds the transactions of block ${n}, and the archive lacks them`);
      }
      out.push({ block, receipts });
    }
  }
  return out;
}
