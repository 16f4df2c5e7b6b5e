import { ethers } from "ethers";
import { directUrl } from "../../sdk/provider.js";
import type { Logger } from "pino";
import type { Leadership } from "../leadership.js";
import type { Queryable, SqlValue, Store } from "../store.js";
import { decodeLog, type DecodedEvent } from "./decode.js";

/** What the indexer needs to know about the deployment. */
export interface IndexedContracts {
  registry: string;
  council: string;
  /** The DocumentReferences contract, when the deployment has one. */
  references?: string;
  /** First block to read (the deployment block). */
  startBlock: number;
}

/** The indexer's inserts: storing a log (or an anchor, or a leaf) again is a no-op, whichever instance does it. */
export const INSERT_EVENT = `INSERT INTO events (block, log_index, tx_hash, at, contract, name, action, anchor, doc_hash, related,
  organisation, account, doc_type, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;
export const INSERT_ANCHOR = "INSERT INTO anchors (anchor, kind, doc_type) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
export const INSERT_LEAF = "INSERT INTO leaves (root, position, doc_hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";

export interface IndexerOptions {
  provider: ethers.JsonRpcApiProvider;
  contracts: IndexedContracts;
  store: Store;
  /** Blocks behind the head that are left alone until they are this deep (0 on instant-finality chains). */
  confirmations?: number;
  /** Blocks per eth_getLogs call. */
  chunkSize?: number;
  logger?: Logger;
  /**
   * Instances sharing a database: only the leader writes the index; the others follow the shared cursor (and the
   * chain's head, for their read caches). Without it this instance always writes: only for a store no other instance
   * writes (SQLite, tests, benchmarks), never for a shared PostgreSQL (the CLI's `index` only verifies, and reads).
   */
  leadership?: Leadership;
}

const CURSOR = "index.cursor";
const OWNER = "index.registry";

/** Reads the ISO-8601 second timestamp the API uses everywhere. */
export const isoSeconds = (unix: number) => new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Follows the registry's and council's events into the store. Resumes from its cursor (the last block
 * fully stored); each chunk of blocks is written in one transaction together with the cursor, and
 * events are keyed by (block, logIndex), so a crash or a second run never stores an event twice.
 * With several instances on one database, one writes (the leader) and the others follow.
 */
export class Indexer {
  readonly provider: ethers.JsonRpcApiProvider;
  readonly contracts: IndexedContracts;
  readonly store: Store;
  readonly confirmations: number;
  readonly chunkSize: number;
  /** Latest chain head seen by {@link syncOnce}. */
  head: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly listeners = new Set<(cursor: number) => void>();
  private readonly log?: Logger;
  private readonly leadership?: Leadership;
  /** The shared cursor as this instance last saw it while following. */
  private followed: number | undefined;

  constructor(opts: IndexerOptions) {
    this.leadership = opts.leadership;
    this.provider = opts.provider;
    this.contracts = opts.contracts;
    this.store = opts.store;
    this.confirmations = opts.confirmations ?? 0;
    this.chunkSize = opts.chunkSize ?? 1_000;
    this.log = opts.logger;
  }

  /** Last block whose events are all stored. */
  async cursor(): Promise<number> {
    const v = await this.store.getMeta(CURSOR);
    return v === undefined ? this.contracts.startBlock - 1 : Number(v);
  }

  /** Blocks the index is behind the chain head (undefined until the head was read once). */
  async lag(): Promise<number | undefined> {
    return this.head === undefined ? undefined : Math.max(0, this.head - (await this.cursor()));
  }

  /** Called after each stored chunk with the new cursor (the API drops its read caches then). */
  onAdvance(listener: (cursor: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the head and indexes up to head − confirmations. Returns the number of events stored. */
  syncOnce(): Promise<number> {
    // One sync at a time: the poll timer and callers (the relayer, GET /v1/requests/:id, tests) may overlap.
    this.running ??= this.sync().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sync(): Promise<number> {
    if (this.leadership && !this.leadership.leads) return this.follow();
    const head = Number(await rawRpc(this.provider, "eth_blockNumber", []));
    this.head = head;
    // An index is only valid for the chain and registry it was built from: a data dir reused with a
    // new deployment, or a chain reset under an old index, must not be served as history.
    const owner = await this.store.getMeta(OWNER);
    const registry = this.contracts.registry.toLowerCase();
    if (owner === undefined) await this.store.setMeta(OWNER, registry);
    else if (owner !== registry) throw new Error(`The index in this data dir belongs to registry ${owner}, not ${registry}; use another data dir.`);
    const cursor = await this.cursor();
    if (cursor > head) throw new Error(`The index is at block ${cursor} but the chain's head is ${head}: the chain was reset; use a fresh data dir.`);
    const target = head - this.confirmations;
    let stored = 0;
    let span = this.chunkSize;
    const fetchChunk = (from: number) => {
      const to = Math.min(target, from + span - 1);
      return fetchEvents(this.provider, this.contracts, from, to).then((events) => ({ from, to, events }));
    };
    // Pipelined: the next chunk is read from the node while this one is written to SQLite.
    let next = cursor + 1 <= target ? fetchChunk(cursor + 1) : undefined;
    while (next) {
      const { from, to, events } = await next;
      // Aim at a few thousand logs per call: wide spans over quiet blocks, narrow ones over busy blocks.
      if (events.length > 10_000) span = Math.max(1, Math.floor(span / 2));
      else if (events.length < 1_000) span = Math.min(this.chunkSize * 8, span * 2);
      next = to + 1 <= target ? fetchChunk(to + 1) : undefined;
      next?.catch(() => undefined); // surfaced when awaited
      const count = await this.write(events, to);
      this.log?.debug({ from, to, events: count }, "indexed blocks");
      for (const l of this.listeners) l(to);
      stored += count;
    }
    return stored;
  }

  /**
   * A sync that reads the head after `block` was mined (a relayed transaction's block, known from its receipt): the
   * sync under way, if any, and one more when that one had read the head before the block. {@link syncOnce} alone
   * joins the sync under way, which may stop short of it.
   */
  async catchUp(block: number): Promise<void> {
    await this.syncOnce();
    if ((this.head ?? -1) < block) await this.syncOnce();
  }

  /** Another instance writes the index: reads the head and the shared cursor, and tells listeners when it moved. */
  private async follow(): Promise<number> {
    this.head = Number(await rawRpc(this.provider, "eth_blockNumber", []));
    const cursor = await this.cursor();
    if (cursor !== this.followed) {
      this.followed = cursor;
      for (const l of this.listeners) l(cursor);
    }
    return 0;
  }

  /** Reads, decodes and stores the logs of [from, to], then moves the cursor to `to`. */
  async indexRange(from: number, to: number): Promise<number> {
    const events = await fetchEvents(this.provider, this.contracts, from, to);
    const count = await this.write(events, to);
    this.log?.debug({ from, to, events: count }, "indexed blocks");
    for (const l of this.listeners) l(to);
    return count;
  }

  /**
   * Stores a chunk's events, anchors and leaves and moves the cursor, in one transaction. A statement carries many
   * rows, and the types of the anchors the events refer to are read in one query: on PostgreSQL each statement is a
   * round trip, and one per event (three with the type lookups) held catch-up to under 2,000 events a second.
   */
  private async write(events: (DecodedEvent & { at: number })[], cursor: number): Promise<number> {
    return this.store.tx(async (t) => {
      // A leader that lost its lease while it read the chain leaves the index to the one that holds it now.
      if (this.leadership) await this.leadership.fence(t);
      const untyped = events.filter((e) => e.docType === null && e.anchor);
      // What the store held before this chunk: the leaves' batches of untyped events' documents, and the types of
      // those batches and of the untyped events' anchors.
      const leafRoots = new Map<string, string[]>();
      const docHashes = [...new Set(untyped.flatMap((e) => (e.docHash ? [e.docHash] : [])))];
      for (const r of await selectIn<{ doc_hash: string; root: string }>(t, "SELECT doc_hash, root FROM leaves WHERE doc_hash IN", docHashes)) {
        leafRoots.set(r.doc_hash, [...(leafRoots.get(r.doc_hash) ?? []), r.root]);
      }
      const types = new Map<string, number>();
      const anchors = [...new Set([...untyped.map((e) => e.anchor!), ...[...leafRoots.values()].flat()])];
      for (const r of await selectIn<{ anchor: string; doc_type: number }>(t, "SELECT anchor, doc_type FROM anchors WHERE anchor IN", anchors)) types.set(r.anchor, r.doc_type);

      const anchorRows: SqlValue[][] = [];
      const leafRows: SqlValue[][] = [];
      const eventRows: SqlValue[][] = [];
      // In order, as if each event were stored before the next is read: an anchor or leaf of this chunk counts for
      // the events after it (the first row of a key wins, as ON CONFLICT DO NOTHING keeps it).
      const anchor = (a: string, kind: string, docType: number | null) => {
        anchorRows.push([a, kind, docType]);
        if (!types.has(a) && docType !== null) types.set(a, docType);
      };
      for (const e of events) {
        if (e.name === "DocumentRegistered") anchor(e.anchor!, "SINGLE", e.docType);
        if (e.name === "BatchRegistered") anchor(e.anchor!, e.details.isPublic ? "PUBLIC_BATCH" : "PRIVATE_BATCH", e.docType);
        if (e.leaves) {
          for (const [i, h] of e.leaves.entries()) {
            leafRows.push([e.anchor, i, h]);
            leafRoots.set(h, [...(leafRoots.get(h) ?? []), e.anchor!]);
          }
        }
        // Events about an anchor carry no type: take it from the anchor, so audits can filter by type.
        let docType = e.docType;
        if (docType === null && e.anchor) {
          docType = types.get(e.anchor) ?? null;
          if (docType === null && e.docHash) docType = (leafRoots.get(e.docHash) ?? []).map((root) => types.get(root)).find((x) => x !== undefined) ?? null;
        }
        eventRows.push([e.block, e.logIndex, e.txHash, e.at, e.contract, e.name, e.action, e.anchor, e.docHash,
          e.related, e.organisation, e.account, docType, JSON.stringify(e.details)]);
      }
      await insertRows(t, "INSERT INTO anchors (anchor, kind, doc_type)", anchorRows);
      await insertRows(t, "INSERT INTO leaves (root, position, doc_hash)", leafRows);
      const stored = await insertRows(t, `INSERT INTO events (block, log_index, tx_hash, at, contract, name, action, anchor, doc_hash, related,
        organisation, account, doc_type, details)`, eventRows);
      await this.store.setMeta(CURSOR, String(cursor), t);
      return stored;
    });
  }

  /** Polls every `pollMs`; errors (node down) are logged and retried on the next tick. */
  start(pollMs: number): void {
    const tick = async () => {
      try {
        await this.syncOnce();
      } catch (e) {
        this.log?.warn({ err: e }, "index sync failed; retrying");
      }
      if (this.timer) this.timer = setTimeout(tick, pollMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}

/**
 * Rows of a chunk, many to a statement (ON CONFLICT DO NOTHING); returns how many were inserted. Statements carry
 * 256 rows, and the rest in powers of two, so that a handful of statement texts serve every chunk (both backends
 * prepare or memoise each text).
 */
async function insertRows(t: Queryable, head: string, rows: SqlValue[][]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; ) {
    let n = 256;
    while (n > rows.length - i) n /= 2;
    const slice = rows.slice(i, i + n);
    const marks = `(${slice[0]!.map(() => "?").join(", ")})`;
    inserted += (await t.run(`${head} VALUES ${Array(n).fill(marks).join(", ")} ON CONFLICT DO NOTHING`, slice.flat())).changes;
    i += n;
  }
  return inserted;
}

/** `sql` followed by `(?, ?, …)` for `keys`, in pieces of a few hundred keys (a statement's parameters are bounded). */
async function selectIn<T>(q: Queryable, sql: string, keys: string[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < keys.length; ) {
    let n = 256;
    while (n > keys.length - i) n /= 2;
    out.push(...(await q.all<T>(`${sql} (${Array(n).fill("?").join(", ")})`, keys.slice(i, i + n))));
    i += n;
  }
  return out;
}

/**
 * One JSON-RPC call over HTTP with the platform's fetch when the provider is the SDK's RpcProvider:
 * ethers decodes response bodies byte by byte in JavaScript, ~7x slower on a 10,000-log answer.
 * Errors keep the shape the SDK's translator knows (socket codes in `cause`, JSON-RPC `error`).
 */
export async function rawRpc(provider: ethers.JsonRpcApiProvider, method: string, params: unknown[]): Promise<unknown> {
  const url = directUrl(provider);
  if (!url) return provider.send(method, params);
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  if (!res.ok) throw Object.assign(new Error(`JSON-RPC ${method}: HTTP ${res.status}`), { code: "SERVER_ERROR" });
  const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
  if (body.error) throw Object.assign(new Error(`JSON-RPC ${method}: ${body.error.message}`), { code: "SERVER_ERROR", error: body.error });
  return body.result;
}

interface RpcLog { address: string; topics: string[]; data: string; blockNumber: string; logIndex: string; transactionHash: string; removed?: boolean }

/**
 * Reads and decodes the contracts' logs of [from, to], with their blocks' timestamps. Raw JSON-RPC
 * (eth_getLogs, eth_getBlockByNumber) rather than ethers' formatted objects, which cost more per log
 * than everything else the indexer does.
 */
export async function fetchEvents(provider: ethers.JsonRpcApiProvider, contracts: IndexedContracts, from: number, to: number) {
  const logs = (await rawRpc(provider, "eth_getLogs", [
    { address: [contracts.registry, contracts.council, ...(contracts.references ? [contracts.references] : [])], fromBlock: ethers.toQuantity(from), toBlock: ethers.toQuantity(to) },
  ])) as RpcLog[];
  const decoded: DecodedEvent[] = [];
  for (const l of logs) {
    if (l.removed) continue;
    const e = decodeLog({ address: l.address, topics: l.topics, data: l.data, transactionHash: l.transactionHash, blockNumber: Number(l.blockNumber), logIndex: Number(l.logIndex) }, contracts.registry, contracts.references);
    if (e) decoded.push(e);
  }
  const times = await blockTimes(provider, [...new Set(decoded.map((e) => e.block))]);
  return decoded.map((e) => ({ ...e, at: times.get(e.block)! }));
}

async function blockTimes(provider: ethers.JsonRpcApiProvider, blocks: number[]): Promise<Map<number, number>> {
  const times = new Map<number, number>();
  const CONCURRENCY = 32;
  for (let i = 0; i < blocks.length; i += CONCURRENCY) {
    const slice = blocks.slice(i, i + CONCURRENCY);
    const got = (await Promise.all(slice.map((b) => rawRpc(provider, "eth_getBlockByNumber", [ethers.toQuantity(b), false])))) as ({ timestamp: string } | null)[];
    got.forEach((block, j) => {
      if (!block) throw new Error(`block ${slice[j]} not found while indexing`);
      times.set(slice[j], Number(block.timestamp));
    });
  }
  return times;
}
