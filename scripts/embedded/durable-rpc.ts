// A JSON-RPC gateway in front of the embedded anvil node that never shows anything that is not on disk.
//
// anvil keeps its chain in memory. This gateway:
//   - forwards every request to anvil, which listens on a private port only this process knows;
//   - for a transaction, waits until anvil has mined it;
//   - before answering any read, appends every block mined since the last append to the journal (journal.ts:
//     the block's number, time, hash and raw signed transactions) and fsyncs it: a cost per block, whatever the
//     length of the chain;
//   - every so many blocks, in the background and off the path of any answer, writes a checkpoint of the whole
//     state (checkpoints.ts), from which a start replays only the journal after it (recover.ts).
//   - archives every block it journals (archive.ts: header, transactions, receipts, logs) and answers for blocks
//     the node no longer holds in full from there: the node keeps the transactions of its last KEPT_BLOCKS blocks
//     only, so its memory does not grow with the chain.
// So a receipt, a block number, a log or an eth_call result seen through the gateway is durable: after a crash
// the chain comes back with all of it, with the same block numbers, block times and transaction hashes.
// Methods that would change the chain in a way the journal cannot replay (loading or dumping a state, reverting
// to a snapshot, impersonating an account, setting a balance) are refused.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ForgottenBlockError, KEPT_BLOCKS, readBlocks, type ArchivedBlock, type ChainArchive, type LogQuery } from "./archive.js";
import { stateJson, writeCheckpoint, type Checkpoint } from "./checkpoints.js";
import type { BlockRecord, Journal } from "./journal.js";

/** A JSON-RPC 2.0 request as the gateway sees it. */
interface RpcRequest {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

/** The writes the gateway forwards: transactions, and mining and block times (a block record carries its time). */
const WRITES = new Set(["eth_sendRawTransaction", "eth_sendTransaction", "evm_mine", "anvil_mine", "evm_setNextBlockTimestamp", "evm_increaseTime"]);
/** Anything else of these families changes the node outside a block: refused. */
const refused = (method: string) => !WRITES.has(method) && /^(evm|anvil|hardhat)_/.test(method) && method !== "anvil_nodeInfo";

/** The reads of history the archive answers for the blocks it holds. */
const HISTORY = new Set(["eth_getBlockByNumber", "eth_getBlockByHash", "eth_getBlockReceipts", "eth_getTransactionByHash", "eth_getTransactionReceipt", "eth_getLogs"]);
/** Blocks journaled per append (one fsync each): well within what the node keeps, so none is forgotten meanwhile. */
const BLOCKS_PER_ROUND = KEPT_BLOCKS / 2;

export interface DurableRpcOptions {
  /** anvil's own JSON-RPC URL (private). */
  upstream: string;
  /** The journal, open for appending. */
  journal: Journal;
  /** The archive of every journaled block (its history answers for blocks the node forgot). */
  archive: ChainArchive;
  /** The last block the journal (or the checkpoint it continues) holds: blocks after it are owed to the journal. */
  journaledBlock: number;
  /**
   * Where checkpoints go, and when one is written: every `everyBlocks` blocks or every `everyBytes` bytes of journal,
   * whichever comes first (0: that trigger off), so that a start never replays more than about that much.
   */
  checkpoints: { dir: string; everyBlocks: number; everyBytes?: number; last: number };
  /** Port to listen on, on 127.0.0.1 (0: a free one). */
  port: number;
  /**
   * The node mines on its own clock (a block period): any read may follow a block no write announced, so each read
   * asks the node for its head. Without (a block per transaction), only a read after a write can, and reads with no
   * write since the last journaled block are forwarded at once.
   */
  minesOnItsOwn?: boolean;
  /** Largest request body accepted, in bytes. */
  maxBody?: number;
  /** A checkpoint that failed (the journal still holds everything; the next start replays more). */
  onCheckpointError?: (error: Error) => void;
  /**
   * The node forgot a block before it could be journaled (journaling failed for longer than the node keeps blocks, e.g. a
   * full disk): only a restart from disk brings the chain back to what the journal holds. `npm start` kills the node,
   * which its watcher then recovers; meanwhile reads answer "node unavailable".
   */
  onNodeLost?: (error: Error) => void;
}

export interface DurableRpc {
  /** http://127.0.0.1:PORT: the URL clients use. */
  url: string;
  port: number;
  /** Journals every block mined so far. */
  flush(): Promise<void>;
  /** Journals every block, then writes a checkpoint of the whole state now (at a clean stop), unless the newest one holds the head already. */
  checkpoint(): Promise<Checkpoint | undefined>;
  /** Closes the journal when the node died: nothing is journaled until {@link setUpstream} names the recovered node. */
  detach(): Promise<void>;
  /** Points the gateway at a node recovered from the checkpoints and the journal, with the journal reopened. */
  setUpstream(url: string, recovered: { journal: Journal; archive: ChainArchive; journaledBlock: number }): void;
  /** Stops listening (after a final flush when `flush` is true). */
  close(opts?: { flush?: boolean }): Promise<void>;
  /** The last journaled block, and the checkpoints written, for logs and tests. */
  readonly journaledBlock: number;
  readonly checkpointsWritten: number;
}

async function upstreamCall(upstream: string, body: string): Promise<string> {
  const res = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
  return res.text();
}

/** One JSON-RPC call to the node, or a batch of calls to one method; throws on an error answer. */
async function call<T>(upstream: string, method: string, params: unknown[] = []): Promise<T> {
  const text = await upstreamCall(upstream, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
  const reply = JSON.parse(text) as { result?: T; error?: { message: string } };
  if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result as T;
}
/** Calls to one method, as JSON-RPC batches of at most 1,000 (a node limits a batch); throws on any error answer. */
async function callMany<T>(upstream: string, method: string, paramsList: unknown[][]): Promise<T[]> {
  const out = new Array<T>(paramsList.length);
  for (let from = 0; from < paramsList.length; from += 1_000) {
    const part = paramsList.slice(from, from + 1_000);
    const body = JSON.stringify(part.map((params, i) => ({ jsonrpc: "2.0", id: from + i, method, params })));
    const replies = JSON.parse(await upstreamCall(upstream, body)) as unknown;
    if (!Array.isArray(replies)) throw new Error(`${method}: the node refused the batch (${JSON.stringify(replies).slice(0, 200)})`);
    for (const r of replies as { id: number; result?: T; error?: { message: string } }[]) {
      if (r.error || r.result === undefined || r.result === null) throw new Error(`${method}: ${r.error?.message ?? "no result"}`);
      out[r.id] = r.result;
    }
  }
  return out;
}

/** The journal records of blocks read from the node (their raw transactions read too, or `known` for a block's one). */
async function blockRecords(upstream: string, blocks: ArchivedBlock[], known?: { hash: string; raw: string }): Promise<BlockRecord[]> {
  const hashes = blocks.flatMap((b) => b.block.transactions.map((t) => t.hash));
  const lone = known && hashes.length === 1 && hashes[0]!.toLowerCase() === known.hash.toLowerCase();
  const raws = lone ? [known.raw] : await callMany<string>(upstream, "eth_getRawTransactionByHash", hashes.map((h) => [h]));
  let at = 0;
  return blocks.map(({ block: b }) => {
    const txHashes = b.transactions.map((t) => t.hash);
    const txs = raws.slice(at, at + txHashes.length);
    at += txHashes.length;
    return { kind: "block", number: Number(b.number), timestamp: Number(b.timestamp), hash: b.hash, txs, txHashes };
  });
}

const blockNumber = (tag: unknown): number | undefined =>
  tag === "earliest" ? 0 : typeof tag === "string" && /^0x[0-9a-fA-F]{1,13}$/.test(tag) ? Number(tag) : undefined;

/**
 * An eth_getLogs filter's addresses and topics as the archive matches them, or undefined when malformed. As nodes
 * read it: null, an empty list or a list holding null at a position matches anything there.
 */
function logQuery(f: { address?: unknown; topics?: unknown }): Pick<LogQuery, "addresses" | "topics"> | undefined {
  const anyOf = (x: unknown): string[] | undefined | false => {
    if (x === null || x === undefined) return undefined;
    if (typeof x === "string") return [x];
    if (!Array.isArray(x)) return false;
    if (x.some((v) => v !== null && typeof v !== "string")) return false;
    return x.length === 0 || x.includes(null) ? undefined : (x as string[]);
  };
  const addresses = anyOf(f.address);
  if (addresses === false || (f.topics !== undefined && f.topics !== null && !Array.isArray(f.topics))) return undefined;
  const topics = ((f.topics as unknown[] | null | undefined) ?? []).map(anyOf);
  if (topics.includes(false)) return undefined;
  return { addresses, topics: topics as (string[] | undefined)[] };
}

/**
 * Starts the gateway. Clients (the SDK, the CLI, the API) use its URL; only the gateway talks to anvil.
 */
export async function startDurableRpc(opts: DurableRpcOptions): Promise<DurableRpc> {
  let upstream = opts.upstream;
  let journal: Journal | undefined = opts.journal;
  let archive: ChainArchive | undefined = opts.archive;
  const maxBody = opts.maxBody ?? 64 * 1024 * 1024;
  let journaled = opts.journaledBlock;
  let journaling: Promise<void> | undefined;
  let lastCheckpoint = opts.checkpoints.last;
  let bytesAtCheckpoint = opts.journal.size; // journal bytes when the last checkpoint was taken (or at start)
  let checkpointing: Promise<Checkpoint | undefined> | undefined;
  let checkpointsWritten = 0;
  // A write was forwarded since the journal last caught up with the head (with a block per transaction, the only
  // way a block the journal lacks can exist).
  let dirty = true;

  /**
   * Journals every block up to `head`, one append at a time (whoever comes while an append is under way waits for
   * it and looks again). `known` is a transaction the caller just sent, raw: when block `head` is the next one and
   * holds that transaction alone (a block per transaction), its record needs no more than the block's header.
   */
  const journalThrough = async (head: number, known?: { hash: string; raw: string }): Promise<void> => {
    while (journaled < head) {
      if (!journaling) {
        journaling = (async () => {
          if (!journal || !archive) throw new Error("the chain node is being restarted");
          while (journaled < head) {
            const to = Math.min(head, journaled + BLOCKS_PER_ROUND);
            const blocks = await readBlocks(upstream, journaled + 1, to).catch((e: unknown) => {
              if (e instanceof ForgottenBlockError) opts.onNodeLost?.(e);
              throw e;
            });
            const records = await blockRecords(upstream, blocks, known);
            // Archived first: a crash between the two leaves blocks archived that the journal lacks, which the next
            // start removes; never a journaled block the archive lacks once the node forgot it.
            archive.add(blocks);
            await journal.append(records);
            journaled = to;
          }
        })().finally(() => (journaling = undefined));
      }
      await journaling;
    }
  };

  /** Starts a checkpoint when one is due (it is written off every answer's path). */
  const checkpointIfDue = () => {
    const { everyBlocks, everyBytes = 0 } = opts.checkpoints;
    const due = (everyBlocks > 0 && journaled - lastCheckpoint >= everyBlocks) || (everyBytes > 0 && (journal?.size ?? 0) - bytesAtCheckpoint >= everyBytes);
    if (due && !checkpointing) void checkpoint().catch((e: unknown) => opts.onCheckpointError?.(e as Error));
  };

  /** Journals up to the node's head as it is now; then starts a checkpoint when one is due. */
  const catchUp = async (): Promise<void> => {
    await journalThrough(Number(await call<string>(upstream, "eth_blockNumber")));
    checkpointIfDue();
  };
  let catchingUp: Promise<void> | undefined;

  /**
   * Resolves once every block the node has is in the journal on disk. With a block per transaction and no write
   * since the last catch-up, there is none to add: the read goes on at once (after a catch-up under way).
   */
  const flush = async (): Promise<void> => {
    if (!dirty && !opts.minesOnItsOwn) {
      if (catchingUp) await catchingUp;
      return;
    }
    dirty = false; // a write forwarded from here on sets it again
    const mine = catchUp();
    catchingUp = mine;
    try {
      await mine;
    } catch (e) {
      dirty = true; // the next read tries again
      throw e;
    } finally {
      if (catchingUp === mine) catchingUp = undefined;
    }
  };

  // Reads wait while a write is on its way to the node: its block may appear at any moment, and a read must not
  // see it before it is journaled.
  let writesInFlight = 0;
  let writesBegun = 0;
  let writesDone: Promise<void> | undefined;
  let allWritesDone = () => undefined as void;
  const beginWrite = () => {
    dirty = true;
    writesBegun++;
    if (writesInFlight++ === 0) writesDone = new Promise<void>((resolve) => (allWritesDone = resolve));
  };
  /** `clean`: the write journaled its own block, and no other write began since it did, so no block is unjournaled. */
  const endWrite = (clean = false) => {
    dirty = !clean;
    if (--writesInFlight === 0) {
      writesDone = undefined;
      allWritesDone();
    }
  };

  /** A checkpoint of the node's whole state; the journal holds everything it holds, so it is written off any answer's path. */
  const checkpoint = (): Promise<Checkpoint | undefined> =>
    (checkpointing ??= (async () => {
      try {
        const bytes = journal?.size ?? 0;
        // The checkpoint holds the transactions of its last blocks only: every block before is archived for good first.
        archive?.sync();
        const written = await writeCheckpoint(opts.checkpoints.dir, stateJson(await call<string>(upstream, "anvil_dumpState")));
        bytesAtCheckpoint = bytes;
        lastCheckpoint = Math.max(lastCheckpoint, written.block);
        checkpointsWritten++;
        return written;
      } finally {
        checkpointing = undefined;
      }
    })());

  /** The block number of the transaction's receipt, once it has one; undefined if it stays pending. */
  const waitMined = async (txHash: string): Promise<number | undefined> => {
    // anvil automines; the receipt appears within milliseconds. A transaction that stays pending (a nonce gap, or
    // a block period) is not waited for beyond two seconds: its block is journaled by the read that follows it.
    for (let i = 0; i < 400; i++) {
      const receipt = await call<{ blockNumber: string } | null>(upstream, "eth_getTransactionReceipt", [txHash]);
      if (receipt) return Number(receipt.blockNumber);
      await new Promise((r) => setTimeout(r, 5));
    }
    return undefined;
  };

  /**
   * The answer to a read of history for a block the journal holds, from the archive (the node may have forgotten its
   * transactions); undefined for any other read, which the node answers. Logs of a range reaching past the journaled
   * blocks come from both.
   */
  const fromArchive = async (req: RpcRequest): Promise<string | undefined> => {
    // Every other read (eth_call, eth_blockNumber, …) goes straight to the node, without a look at the archive.
    if (!archive || !HISTORY.has(req.method as string)) return undefined;
    const p = Array.isArray(req.params) ? (req.params as unknown[]) : [];
    const reply = (result: unknown) => JSON.stringify({ jsonrpc: "2.0", id: req.id ?? null, result });
    const { first, last } = archive.range();
    // Only what the journal holds: a block archived a moment before its journal append may yet vanish in a crash.
    const end = Math.min(last, journaled);
    const archived = (n: number | undefined): n is number => n !== undefined && n >= first && n <= end;
    const journaledResult = (r: Record<string, unknown> | undefined) => (r && Number(r.blockNumber) <= end ? r : undefined);
    /** A block tag or number as a number: "safe" and "finalized" as the node resolves them (blocks it may have forgotten). */
    const resolve = async (tag: unknown): Promise<number | undefined> => {
      if (tag === "safe" || tag === "finalized") return Number((await call<{ number: string }>(upstream, "eth_getBlockByNumber", [tag, false])).number);
      return blockNumber(tag);
    };
    /** A block named by number, tag, hash or an EIP-1898 object ({blockNumber} or {blockHash}), as an archived number. */
    const archivedBlock = async (ref: unknown): Promise<number | undefined> => {
      const o = typeof ref === "object" && ref !== null ? (ref as { blockHash?: unknown; blockNumber?: unknown }) : undefined;
      const hash = typeof ref === "string" && ref.length === 66 ? ref : typeof o?.blockHash === "string" ? o.blockHash : undefined;
      const n = hash !== undefined ? Number(archive!.block({ hash }, false)?.number ?? Number.NaN) : await resolve(o ? o.blockNumber : ref);
      return archived(n) ? n : undefined;
    };
    let result: unknown;
    switch (req.method) {
      case "eth_getBlockByNumber":
      case "eth_getBlockByHash":
      case "eth_getBlockReceipts": {
        const n = await archivedBlock(p[0]);
        if (n === undefined) return undefined;
        result = req.method === "eth_getBlockReceipts" ? archive.blockReceipts(n) : archive.block({ number: n }, p[1] === true);
        break;
      }
      case "eth_getTransactionByHash":
        result = typeof p[0] === "string" ? journaledResult(archive.transaction(p[0])) : undefined;
        break;
      case "eth_getTransactionReceipt":
        result = typeof p[0] === "string" ? journaledResult(archive.receipt(p[0])) : undefined;
        break;
      case "eth_getLogs": {
        const f = (p[0] ?? {}) as { fromBlock?: unknown; toBlock?: unknown; blockHash?: unknown; address?: unknown; topics?: unknown };
        const query = logQuery(f);
        if (!query) return JSON.stringify({ jsonrpc: "2.0", id: req.id ?? null, error: { code: -32602, message: "invalid filter: addresses and topics are hex strings, lists of them, or null" } });
        if (typeof f.blockHash === "string") {
          const n = await archivedBlock(f.blockHash);
          return n === undefined ? undefined : reply(archive.logs({ from: n, to: n, ...query }));
        }
        const from = await resolve(f.fromBlock ?? "latest");
        if (!archived(from)) return undefined;
        const to = await resolve(f.toBlock ?? "latest"); // undefined: the head ("latest", "pending")
        const old = archive.logs({ from, to: Math.min(to ?? end, end), ...query });
        if ((to !== undefined && to <= end) || Number(await call<string>(upstream, "eth_blockNumber")) <= end) return reply(old);
        const rest = { ...f, fromBlock: `0x${(end + 1).toString(16)}`, ...(to !== undefined ? { toBlock: `0x${to.toString(16)}` } : {}) };
        const recent = JSON.parse(await upstreamCall(upstream, JSON.stringify({ ...req, params: [rest] }))) as { result?: unknown[] };
        return Array.isArray(recent.result) ? reply([...old, ...recent.result]) : JSON.stringify(recent);
      }
      default:
        return undefined;
    }
    return result === undefined ? undefined : reply(result);
  };

  /** One request, answered as the node's JSON text. */
  const handleOne = async (req: RpcRequest): Promise<string> => {
    const method = typeof req.method === "string" ? req.method : "";
    if (refused(method)) {
      return JSON.stringify({ jsonrpc: "2.0", id: req.id ?? null, error: { code: -32601, message: `${method} is not available through this gateway: the chain's journal could not replay it` } });
    }
    if (!WRITES.has(method)) {
      // (With a block period a write makes no block itself: there is nothing to wait for.)
      while (writesDone && !opts.minesOnItsOwn) await writesDone;
      await flush();
      return (await fromArchive(req)) ?? upstreamCall(upstream, JSON.stringify(req));
    }
    beginWrite();
    const mine = writesBegun;
    let clean = false;
    try {
      if (method === "anvil_mine" || method === "evm_mine") {
        // Blocks mined on request are journaled (and archived) before the answer, a round at a time for many, so the
        // node forgets none of them first.
        const params = Array.isArray(req.params) ? (req.params as unknown[]) : [];
        const count = method === "anvil_mine" && params[0] !== undefined && params[0] !== null ? Math.max(1, Number(params[0])) : 1;
        let text = "";
        for (let left = count; left > 0; left -= BLOCKS_PER_ROUND) {
          const part = Math.min(left, BLOCKS_PER_ROUND);
          const call = method === "anvil_mine" ? { ...req, params: [`0x${part.toString(16)}`, ...params.slice(1)] } : req;
          text = await upstreamCall(upstream, JSON.stringify(call));
          if ((JSON.parse(text) as { error?: unknown }).error) return text;
          await catchUp();
        }
        clean = writesBegun === mine && writesInFlight === 1;
        return text;
      }
      const text = await upstreamCall(upstream, JSON.stringify(req));
      if (method.startsWith("eth_send")) {
        const reply = JSON.parse(text) as { result?: unknown };
        const hash = reply.result;
        const block = typeof hash === "string" && !opts.minesOnItsOwn ? await waitMined(hash) : undefined;
        if (block !== undefined) {
          // Its block is journaled here, while the client waits for the hash anyway: the read of the receipt that
          // follows then finds nothing to add (with a block per transaction, the raw transaction is the record).
          const raw = method === "eth_sendRawTransaction" && Array.isArray(req.params) && typeof req.params[0] === "string" ? req.params[0] : undefined;
          await journalThrough(block, raw ? { hash: hash as string, raw } : undefined);
          checkpointIfDue();
          clean = writesBegun === mine && writesInFlight === 1;
        }
      }
      return text;
    } finally {
      endWrite(clean);
    }
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > maxBody) {
          reject(new Error("request body too large"));
          req.destroy();
        } else chunks.push(c);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });

  const send = (res: ServerResponse, status: number, body: unknown) => sendText(res, status, JSON.stringify(body));
  const sendText = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(text);
  };

  const server: Server = createServer(async (req, res) => {
    if (req.method !== "POST") return send(res, 405, { jsonrpc: "2.0", id: null, error: { code: -32600, message: "POST JSON-RPC only" } });
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readBody(req));
    } catch {
      return send(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } });
    }
    try {
      // Batches are handled in order, so a write followed by a read in one batch reads durable state.
      if (Array.isArray(parsed)) {
        const out: string[] = [];
        for (const r of parsed as RpcRequest[]) out.push(await handleOne(r));
        return sendText(res, 200, `[${out.join(",")}]`);
      }
      return sendText(res, 200, await handleOne(parsed as RpcRequest));
    } catch (e) {
      // anvil unreachable or the disk refused the journal: the client must not take this as an answer.
      const id = Array.isArray(parsed) ? null : ((parsed as RpcRequest).id ?? null);
      return send(res, 502, { jsonrpc: "2.0", id, error: { code: -32603, message: `node unavailable: ${(e as Error).message}` } });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // A node with a block period mines with nobody asking: its blocks are journaled (and archived) at least every second,
  // long before the node forgets them.
  const ticker = opts.minesOnItsOwn ? setInterval(() => void flush().catch(() => undefined), 1_000) : undefined;
  ticker?.unref();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    flush,
    async checkpoint() {
      await checkpointing?.catch(() => undefined);
      await catchUp();
      await checkpointing?.catch(() => undefined); // one the catch-up found due
      // Nothing new since the newest checkpoint: a stop of an idle ledger does not dump the whole state again.
      if (lastCheckpoint >= journaled) return undefined;
      return checkpoint();
    },
    async detach() {
      const closing = journal;
      journal = undefined;
      await journaling?.catch(() => undefined);
      await checkpointing?.catch(() => undefined);
      await closing?.close();
      archive?.close();
      archive = undefined;
    },
    setUpstream(url, recovered) {
      upstream = url;
      journal = recovered.journal;
      archive = recovered.archive;
      journaled = recovered.journaledBlock;
      bytesAtCheckpoint = recovered.journal.size;
    },
    get journaledBlock() {
      return journaled;
    },
    get checkpointsWritten() {
      return checkpointsWritten;
    },
    async close({ flush: doFlush = true } = {}) {
      clearInterval(ticker);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (doFlush) await flush();
      await checkpointing?.catch(() => undefined);
      await journal?.close();
      journal = undefined;
      archive?.close();
      archive = undefined;
    },
  };
}
