import { ethers } from "ethers";
import type { Logger } from "pino";
import { DEFAULT_TRANSACTION_LIMITS, type Hex, type TransactionLimits } from "../../sdk/index.js";
import { chainError, type Chain } from "../chain.js";
import { NotLeaderError, type Leadership } from "../leadership.js";
import type { Queryable, Store } from "../store.js";
import type { RequestRow } from "./queue.js";

/** A transaction of the relayer as stored before it is broadcast: one `executeBatch` carrying `rows`. */
export interface RelayTransaction {
  hash: Hex;
  nonce: number;
  raw: Hex;
  rows: RequestRow[];
}

export interface RelayWorkerOptions {
  store: Store;
  chain: Chain;
  /** The API's own key: it pays the gas; the member's signature inside the request is what the ledger checks. */
  relayer: ethers.Wallet;
  logger?: Logger;
  /** Test hooks to simulate a crash at the two dangerous points: before (every broadcast, re-sends too) and after the broadcast. */
  hooks?: { beforeBroadcast?: (tx: RelayTransaction) => void | Promise<void>; afterBroadcast?: (tx: RelayTransaction) => void | Promise<void> };
  /**
   * Called when a relayed transaction has a receipt, before its requests show `mined` or `failed`:
   * the API moves its index (and so its per-block read cache) to that block first, so a client that
   * sees `mined` then reads the document gets the new state.
   */
  onReceipt?: (block: number) => Promise<unknown>;
  /** How long a pass waits for the receipts of what it sent before leaving them `submitted` for the next pass. */
  receiptTimeoutMs?: number;
  /** How often a pass looks for receipts and newly queued requests while transactions are in flight. */
  pollMs?: number;
  /** The network's per-transaction limits: each transaction carries as many requests as fit. */
  limits?: TransactionLimits;
  /** Most requests in one transaction (default 200). */
  maxRequestsPerTx?: number;
  /** Most transactions in flight at once (default 16). */
  maxInFlight?: number;
  /**
   * While transactions are in flight (waiting for the next block anyway), how long queued requests that do not fill
   * a transaction wait for more before they go (default {@link LINGER_MS}).
   */
  lingerMs?: number;
  /**
   * Instances sharing a database: only the leader relays, and it checks its lease in the transaction that links
   * requests to a signed transaction, so that a request is never sent by two instances. Without it: always relays.
   */
  leadership?: Leadership;
}

/**
 * While transactions wait for a block, requests that do not fill a transaction wait this long for others. Sent the
 * moment they were queued, requests arriving at 150 a second went out a few a transaction, and the in-flight cap was
 * spent on them long before the next block: the rest waited for that block to be sent at all.
 */
const LINGER_MS = 250;

/** Requests updated by one statement (well under SQLite's and PostgreSQL's limits on parameters). */
const UPDATE_CHUNK = 500;

/** How often transactions in flight are looked for although no block came (a lost one is found by this). */
const RELOOK_MS = 2_000;

/** Bytes of a signed executeBatch beyond its requests: selector, head, refund receiver, RLP envelope, signature. */
const TX_OVERHEAD_BYTES = 400;

/**
 * Sends queued requests through the forwarder's `executeBatch` with the relayer as refund receiver: many
 * members' requests in one transaction, and several transactions in flight, each with the relayer's next nonce.
 * In such a batch OpenZeppelin's forwarder skips a request it cannot execute (expired, nonce taken) and records a
 * request whose call reverts as failed (its forwarder nonce used) instead of reverting the batch: one member's bad
 * request never sinks another's, and never blocks the member's own requests behind it.
 *
 * Never twice: a transaction and the link of its requests to it are written to the store in one step BEFORE it is
 * broadcast. After a crash a pending transaction is settled by its receipt, or its very same signed bytes are
 * broadcast again (same hash, same relayer nonce); its requests go back to the queue only when it can never be
 * mined (another transaction took its relayer nonce). The forwarder's per-signer nonce refuses a second execution
 * of any request anyway. With several instances on one database only the lease holder relays, and an instance that
 * takes the lease over settles the transactions its predecessor stored, as after a crash.
 */
export class RelayWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** A request was accepted while a pass was finishing: the pass goes round once more. */
  private again = false;
  private readonly limits: TransactionLimits;
  /** The head block at the last look for receipts, and when that was. */
  private lookedAt: { head: number; at: number } | undefined;

  constructor(private readonly opts: RelayWorkerOptions) {
    this.limits = opts.limits ?? DEFAULT_TRANSACTION_LIMITS;
  }

  private async update(
    ids: string[],
    fields: Partial<Pick<RequestRow, "status" | "tx_hash" | "block_number" | "reason" | "reason_code"> & { solo: number }>,
    q: Queryable = this.opts.store,
  ): Promise<void> {
    // A statement for many rows: a batch of 200 mined requests updated one statement each held the relayer (and
    // their `mined`) up for as long as the statements took.
    const keys = Object.keys(fields);
    const values = keys.map((k) => (fields as Record<string, string | number | null>)[k]!);
    for (let i = 0; i < ids.length; i += UPDATE_CHUNK) {
      const chunk = ids.slice(i, i + UPDATE_CHUNK);
      const sql = `UPDATE requests SET ${keys.map((k) => `${k} = ?`).join(", ")}, updated_at = ? WHERE id IN (${chunk.map(() => "?").join(", ")})`;
      await q.run(sql, [...values, Date.now(), ...chunk]);
    }
  }

  private async fail(rows: RequestRow[], code: string, reason: string): Promise<void> {
    if (rows.length === 0) return;
    await this.update(rows.map((r) => r.id), { status: "failed", reason_code: code, reason });
    this.opts.logger?.info({ ids: rows.map((r) => r.id), code }, "relay request failed");
  }

  /** Puts requests back in the queue (their transaction can never be mined); `solo` sends each alone from now on. */
  private requeue(rows: RequestRow[], solo = false): Promise<void> {
    return this.opts.store.tx(async (t) => {
      await this.fence(t);
      await this.update(rows.map((r) => r.id), { status: "queued", tx_hash: null, ...(solo ? { solo: 1 } : {}) }, t);
    });
  }

  /** Inside a transaction: refuses to go on unless this instance holds the relaying lease. */
  private async fence(t: Queryable): Promise<void> {
    await this.opts.leadership?.fence(t);
  }

  /** Whether this instance relays now (always, without leadership). */
  private get leads(): boolean {
    return this.opts.leadership?.leads ?? true;
  }

  private rowsOf(hash: string): Promise<RequestRow[]> {
    return this.opts.store.all<RequestRow>("SELECT * FROM requests WHERE tx_hash = ? AND status = 'submitted' ORDER BY seq", [hash]);
  }

  private pendingTxs(): Promise<{ hash: Hex; nonce: number; raw: Hex }[]> {
    return this.opts.store.all<{ hash: Hex; nonce: number; raw: Hex }>("SELECT hash, nonce, raw FROM relay_txs WHERE status = 'pending' ORDER BY nonce");
  }

  /** Whether the node knows the transaction (in its pool or mined): raw JSON-RPC, without ethers parsing the answer. */
  private async inPool(hash: string): Promise<boolean> {
    return (await this.rpc().send("eth_getTransactionByHash", [hash])) !== null;
  }

  private rpc(): ethers.JsonRpcApiProvider {
    return this.opts.chain.provider as ethers.JsonRpcApiProvider;
  }

  /** A transaction that can never be mined: marked dropped, its requests back in the queue, in one step. */
  private drop(hash: string, rows: RequestRow[]): Promise<void> {
    return this.opts.store.tx(async (t) => {
      await this.fence(t);
      await this.setTx(hash, "dropped", t);
      await this.update(rows.map((r) => r.id), { status: "queued", tx_hash: null }, t);
    });
  }

  private async setTx(hash: string, status: "done" | "dropped", q: Queryable = this.opts.store): Promise<void> {
    await q.run("UPDATE relay_txs SET status = ? WHERE hash = ?", [status, hash]);
  }

  /**
   * One pass: settles the transactions in flight, heals the relayer's nonce line, sends every queued request, and
   * keeps going (picking up requests accepted meanwhile) until nothing is queued or in flight, or the receipt
   * timeout passes with transactions still pending (they are settled on a later pass).
   */
  processOnce(): Promise<void> {
    if (!this.leads) return Promise.resolve(); // another instance relays
    if (this.running) this.again = true;
    this.running ??= this.process().finally(() => (this.running = undefined));
    return this.running;
  }

  private async process(): Promise<void> {
    const timeout = this.opts.receiptTimeoutMs ?? 60_000;
    const poll = this.opts.pollMs ?? 50;
    let waitingSince = Date.now();
    this.lookedAt = undefined; // a pass starts with a look at every transaction in flight
    for (;;) {
      if (!this.leads) return; // the lease went to another instance: it carries on from the store
      const settledSome = await this.settlePending();
      if (settledSome) waitingSince = Date.now();
      const sent = await this.sendQueued();
      if (sent) waitingSince = Date.now();
      if ((await this.pendingTxs()).length === 0 && !(await this.hasQueued())) {
        if (!this.again) return;
        this.again = false;
        continue;
      }
      if (Date.now() - waitingSince > timeout) return;
      await new Promise((r) => setTimeout(r, poll));
    }
  }

  private async hasQueued(): Promise<boolean> {
    return (await this.opts.store.one("SELECT 1 FROM requests WHERE status = 'queued' LIMIT 1")) !== undefined;
  }

  /** Settles every pending transaction that has a receipt; re-sends one the node lost; fills nonce gaps. Returns whether any settled. */
  private async settlePending(): Promise<boolean> {
    const { provider } = this.opts.chain;
    const pending = await this.pendingTxs();
    if (pending.length === 0) return false;
    // A receipt can only come with a new block: while the head stays where it was, a pass does not ask for each
    // transaction in flight again (with 16 in flight and a look every 50 ms that was 600 questions a second), except
    // every few seconds, to find a transaction the node lost on a chain that mines no block without one.
    const head = await provider.getBlockNumber();
    if (head === this.lookedAt?.head && Date.now() - this.lookedAt.at < RELOOK_MS) return false;
    this.lookedAt = { head, at: Date.now() };
    let settled = false;
    let latest: number | undefined;
    let lost = false;
    // Asked all at once: with many transactions in flight, one request after another would hold up the pass.
    const receipts = await Promise.all(pending.map((tx) => provider.getTransactionReceipt(tx.hash)));
    const known = await Promise.all(pending.map((tx, i) => (receipts[i] ? true : this.inPool(tx.hash))));
    for (const [i, tx] of pending.entries()) {
      const receipt = receipts[i];
      if (receipt) {
        await this.finish(tx, receipt);
        settled = true;
        continue;
      }
      if (known[i]) continue; // in the pool: mined in a later block
      lost = true;
      latest ??= await provider.getTransactionCount(this.opts.relayer.address, "latest");
      if (tx.nonce < latest) {
        // Another transaction took its relayer nonce: it can never be mined, so its requests are sent again.
        await this.drop(tx.hash, await this.rowsOf(tx.hash));
        this.opts.logger?.warn({ txHash: tx.hash, nonce: tx.nonce }, "relayer nonce taken by another transaction; its requests go back to the queue");
        settled = true;
        continue;
      }
      this.opts.logger?.warn({ txHash: tx.hash }, "stored transaction unknown to the node; broadcasting the same signed transaction again");
      const again = { ...tx, rows: await this.rowsOf(tx.hash) };
      await this.opts.hooks?.beforeBroadcast?.(again);
      await this.broadcast(again);
    }
    // A gap opens only where a transaction left the node's pool.
    if (lost) await this.fillGaps();
    return settled;
  }

  /**
   * A relayer nonce that no transaction holds (one the node dropped for good, or one refused after later ones were
   * signed) would hold every later transaction out of the chain: each such nonce gets a transfer of nothing to the
   * relayer itself.
   */
  private async fillGaps(): Promise<void> {
    const { provider } = this.opts.chain;
    const pending = await this.pendingTxs();
    if (pending.length === 0) return;
    const latest = await provider.getTransactionCount(this.opts.relayer.address, "latest");
    const held = new Set(pending.map((t) => t.nonce));
    const top = Math.max(...held);
    for (let nonce = latest; nonce < top; nonce++) {
      if (held.has(nonce)) continue;
      const filler = await this.opts.relayer.populateTransaction({ to: this.opts.relayer.address, value: 0n, gasLimit: 21_000n, nonce });
      const raw = await this.opts.relayer.signTransaction(filler);
      try {
        await provider.broadcastTransaction(raw);
        this.opts.logger?.warn({ nonce }, "relayer nonce gap filled with an empty transfer");
      } catch (e) {
        if (chainError(e).status === 503) throw e;
        // Already known, or the nonce was used meanwhile: either way the gap is closed.
      }
    }
  }

  /** Marks the requests of a mined transaction from its ExecutedForwardRequest events. */
  private async finish(tx: { hash: Hex }, receipt: ethers.TransactionReceipt): Promise<void> {
    const { chain } = this.opts;
    const rows = await this.rowsOf(tx.hash);
    await this.opts.onReceipt?.(receipt.blockNumber).catch((e: unknown) => this.opts.logger?.warn({ err: e }, "index refresh after a relayed transaction failed"));
    if (receipt.status !== 1) {
      // The whole batch reverted (none of its requests used a nonce): a single request fails with its reason, the
      // requests of a larger batch are sent again one per transaction, so that one cannot take the others down.
      if (rows.length === 1) {
        const reason = await this.revertReason(rows[0]!, receipt.blockNumber);
        await this.update([rows[0]!.id], { status: "failed", block_number: receipt.blockNumber, reason_code: reason?.code ?? "REVERTED", reason: reason?.message ?? "The transaction reverted." });
      } else await this.requeue(rows, true);
      await this.setTx(tx.hash, "done");
      return;
    }
    const outcome = new Map<string, boolean>();
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== chain.deployment.forwarder.toLowerCase()) continue;
      const parsed = chain.forwarder.interface.parseLog(log);
      if (parsed?.name === "ExecutedForwardRequest") outcome.set(`${String(parsed.args.signer).toLowerCase()}:${parsed.args.nonce}`, parsed.args.success as boolean);
    }
    const outcomeOf = (row: RequestRow) => outcome.get(`${row.from_addr.toLowerCase()}:${row.nonce}`);
    const mined = rows.filter((row) => outcomeOf(row) === true).map((row) => row.id);
    await this.update(mined, { status: "mined", block_number: receipt.blockNumber });
    if (mined.length > 0) this.opts.logger?.info({ ids: mined, txHash: tx.hash, block: receipt.blockNumber }, "relay requests mined");
    const skipped: RequestRow[] = [];
    for (const row of rows) {
      const success = outcomeOf(row);
      if (success === false) {
        const reason = await this.revertReason(row, receipt.blockNumber);
        await this.update([row.id], { status: "failed", block_number: receipt.blockNumber, reason_code: reason?.code ?? "REVERTED", reason: reason?.message ?? "The call reverted." });
      } else if (success === undefined) skipped.push(row);
    }
    await this.setTx(tx.hash, "done");
    for (const row of skipped) await this.settleSkipped(row);
  }

  /** A request the forwarder skipped (no event): why, and whether it can still go. */
  private async settleSkipped(row: RequestRow): Promise<void> {
    const { chain } = this.opts;
    if (row.deadline < Math.floor(Date.now() / 1000)) return this.fail([row], "DEADLINE_PASSED", "The deadline passed before the request could be executed.");
    const chainNonce = await chain.forwarder.nonces(row.from_addr);
    if (chainNonce > BigInt(row.nonce)) return this.fail([row], "STALE_NONCE", "The signer's forwarder nonce moved past this request (it was used elsewhere).");
    if (chainNonce < BigInt(row.nonce)) {
      // An earlier request of the member is still queued or in flight (its transaction went back to the queue): this
      // one follows it. Otherwise the earlier one failed before reaching the chain and this nonce can never be used.
      const earlier = await this.opts.store.one(
        "SELECT 1 FROM requests WHERE from_addr = ? AND status IN ('queued', 'submitted') AND CAST(nonce AS BIGINT) >= ? AND CAST(nonce AS BIGINT) < ? LIMIT 1",
        [row.from_addr, Number(chainNonce), Number(row.nonce)],
      );
      if (earlier) return this.requeue([row]);
      return this.fail([row], "NONCE_GAP", "An earlier request of the same signer failed before it reached the ledger, so this nonce cannot be used; sign it again.");
    }
    return this.fail([row], "FORWARDER_REJECTED", "The forwarder refused the request (signature, nonce or deadline).");
  }

  /**
   * Takes the next requests (at most `max`) that fit one transaction's bytes, oldest first; a `solo` request always
   * goes alone. Gas is checked on the whole batch by estimation: a request's signed `gas` is the most its call may
   * use, which the forwarder needs in hand at the call, not the sum over the batch.
   */
  private async nextBatch(max: number): Promise<{ rows: RequestRow[]; full: boolean }> {
    const candidates = await this.opts.store.all<RequestRow>("SELECT * FROM requests WHERE status = 'queued' ORDER BY seq LIMIT ?", [max]);
    const now = Math.floor(Date.now() / 1000);
    const expired = candidates.filter((r) => r.deadline <= now);
    await this.fail(expired, "DEADLINE_PASSED", "The deadline passed before the request could be sent.");
    const batch: RequestRow[] = [];
    let bytes = TX_OVERHEAD_BYTES;
    for (const row of candidates) {
      if (row.deadline <= now) continue;
      // A solo request goes alone, and nothing more joins what came before it: either way the transaction is complete.
      if (row.solo) return { rows: batch.length === 0 ? [row] : batch, full: true };
      const rowBytes = requestBytes(row);
      if (batch.length > 0 && bytes + rowBytes > this.limits.maxTxBytes) return { rows: batch, full: true };
      batch.push(row);
      bytes += rowBytes;
    }
    return { rows: batch, full: candidates.length === max };
  }

  /** Sends queued requests in as many transactions as they need, up to the in-flight cap. Returns whether any went out. */
  private async sendQueued(): Promise<boolean> {
    const { chain, relayer } = this.opts;
    const maxInFlight = this.opts.maxInFlight ?? 16;
    let sent = false;
    let nonce: number | undefined;
    let max = this.opts.maxRequestsPerTx ?? 200;
    const linger = this.opts.lingerMs ?? LINGER_MS;
    for (let inFlight = (await this.pendingTxs()).length; inFlight < maxInFlight; inFlight = (await this.pendingTxs()).length) {
      const { rows, full } = await this.nextBatch(max);
      if (rows.length === 0) break;
      if (!full && inFlight > 0 && Date.now() - rows[0]!.created_at < linger) break; // rows[0]: the oldest queued
      const requests = rows.map((r) => ({ from: r.from_addr, to: r.to_addr, value: r.value, gas: r.gas, deadline: r.deadline, data: r.data, signature: r.signature }));
      const data = chain.forwarder.interface.encodeFunctionData("executeBatch", [requests, relayer.address]);
      let gasLimit: bigint;
      try {
        const estimate = await chain.provider.estimateGas({ from: relayer.address, to: chain.deployment.forwarder, data });
        gasLimit = estimate + estimate / 5n;
        if (gasLimit > BigInt(this.limits.maxTxGas)) {
          if (rows.length > 1) {
            max = Math.ceil(rows.length / 2); // more than one transaction may use: fewer requests per transaction
            continue;
          }
          gasLimit = BigInt(this.limits.maxTxGas);
        }
      } catch (e) {
        if (chainError(e).status === 503) throw e; // node down: the rows stay queued for the next pass
        // A batch with a refund receiver skips bad requests rather than reverting; if it cannot be estimated at all,
        // each request goes alone, where its own refusal is named.
        if (rows.length > 1) {
          await this.requeue(rows, true);
          continue;
        }
        const reason = await this.revertReason(rows[0]!);
        await this.fail(rows, reason?.code ?? "FORWARDER_REJECTED", reason?.message ?? "The forwarder refused the request (signature, nonce or deadline).");
        continue;
      }
      if (nonce === undefined) {
        const stored = (await this.pendingTxs()).reduce((m, t) => Math.max(m, t.nonce + 1), 0);
        nonce = Math.max(await chain.provider.getTransactionCount(relayer.address, "pending"), stored);
      }
      // Sign first, store the signed transaction and the link of its requests, and only then broadcast it.
      const populated = await relayer.populateTransaction({ to: chain.deployment.forwarder, data, gasLimit, nonce });
      const raw = (await relayer.signTransaction(populated)) as Hex;
      const hash = ethers.keccak256(raw) as Hex;
      const linked = await this.opts.store.tx(async (t) => {
        await this.fence(t);
        // Still queued: read before the lease check, the rows may have gone with an instance that led meanwhile.
        const marks = rows.map(() => "?").join(", ");
        const still = await t.one<{ n: number }>(`SELECT COUNT(*) AS n FROM requests WHERE status = 'queued' AND id IN (${marks})`, rows.map((r) => r.id));
        if (still!.n !== rows.length) return false;
        // The same bytes may have been signed before and refused (same nonce, same requests): pending again.
        await t.run(
          "INSERT INTO relay_txs (hash, nonce, raw, status, sent_at) VALUES (?, ?, ?, 'pending', ?) ON CONFLICT (hash) DO UPDATE SET status = 'pending', sent_at = excluded.sent_at",
          [hash, nonce!, raw, Date.now()],
        );
        await this.update(rows.map((r) => r.id), { status: "submitted", tx_hash: hash }, t);
        return true;
      });
      if (!linked) {
        nonce = undefined; // nothing was sent with it
        continue;
      }
      const tx: RelayTransaction = { hash, nonce, raw, rows: rows.map((r) => ({ ...r, status: "submitted", tx_hash: hash })) };
      await this.opts.hooks?.beforeBroadcast?.(tx);
      const outcome = await this.broadcast(tx);
      if (outcome === "nonce-taken") nonce = undefined; // read it again from the node
      if (outcome === "sent") {
        nonce = tx.nonce + 1;
        sent = true;
        this.opts.logger?.info({ txHash: hash, requests: rows.length, nonce: tx.nonce }, "relay transaction submitted");
        await this.opts.hooks?.afterBroadcast?.(tx);
      }
    }
    return sent;
  }

  /**
   * Broadcasts a stored signed transaction. When the node refuses it, it is settled here instead of being broadcast
   * again on every pass (which stalled the whole queue behind it): a transaction the node already holds or mined
   * counts as sent; one whose relayer nonce another transaction took can never be mined, so its requests go back to
   * the queue (never sent twice: the old one cannot land); any other refusal sends the requests of a batch again one
   * per transaction, and fails a request that was refused alone, with the node's words. An unreachable node throws:
   * the transaction stays pending for the next pass. Says whether the transaction is (now) known to the node.
   */
  private async broadcast(tx: RelayTransaction): Promise<"sent" | "nonce-taken" | "refused"> {
    const { provider } = this.opts.chain;
    try {
      // Raw: ethers' broadcastTransaction parses the signed bytes again and recovers their sender, an elliptic-curve
      // operation per transaction for an answer the relayer does not read.
      await this.rpc().send("eth_sendRawTransaction", [tx.raw]);
      return "sent";
    } catch (e) {
      if (chainError(e).status === 503) throw e;
      if ((await provider.getTransactionReceipt(tx.hash)) || (await provider.getTransaction(tx.hash))) return "sent";
      const message = nodeMessage(e);
      await this.drop(tx.hash, tx.rows);
      if ((e as { code?: string }).code === "NONCE_EXPIRED" || /nonce too low/i.test(message)) {
        this.opts.logger?.warn({ txHash: tx.hash }, "relayer nonce taken by another transaction; its requests go back to the queue");
        return "nonce-taken";
      }
      if (tx.rows.length > 1) {
        await this.requeue(tx.rows, true);
        this.opts.logger?.warn({ txHash: tx.hash, requests: tx.rows.length, reason: message }, "the node refused a relay transaction; its requests go again one per transaction");
      } else {
        await this.fail(tx.rows, "BROADCAST_REJECTED", `The ledger node refused the relayer's transaction: ${message}.`);
      }
      return "refused";
    }
  }

  /** Why the member's call reverts, by replaying it as the forwarder would make it (at `blockTag`, else the latest). */
  private async revertReason(row: RequestRow, blockTag?: number): Promise<{ code: string; message: string } | undefined> {
    const { chain } = this.opts;
    try {
      await chain.provider.call({ from: chain.deployment.forwarder, to: row.to_addr, data: ethers.concat([row.data, row.from_addr]), blockTag, gasLimit: BigInt(row.gas) });
      return undefined;
    } catch (e) {
      const err = chainError(e);
      if (err.status === 503) throw err;
      return { code: err.code, message: err.message };
    }
  }

  /** Runs {@link processOnce} every `pollMs` (and at once when {@link nudge}d); failures are retried. */
  start(pollMs: number): void {
    const tick = async () => {
      try {
        await this.processOnce();
      } catch (e) {
        if (e instanceof NotLeaderError) this.opts.logger?.info("relay pass stopped: another instance relays now");
        else this.opts.logger?.warn({ err: e }, "relay pass failed; retrying");
      }
      if (this.timer) this.timer = setTimeout(tick, pollMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Starts a pass now (after a request was accepted); a pass under way picks the request up itself. */
  nudge(): void {
    if (this.timer) void this.processOnce().catch((e) => this.opts.logger?.warn({ err: e }, "relay pass failed; retrying"));
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}

/** ABI bytes of one ForwardRequestData inside executeBatch: offset, 7 head words, data and signature with lengths. */
function requestBytes(row: RequestRow): number {
  const dataLen = (row.data.length - 2) / 2;
  return 32 + 7 * 32 + 32 + Math.ceil(dataLen / 32) * 32 + 32 + 96;
}

/** The node's own words for a refused transaction (ethers wraps them in its error's `info` or `error`). */
function nodeMessage(e: unknown): string {
  const err = e as { error?: { message?: string }; info?: { error?: { message?: string } }; shortMessage?: string; message?: string };
  return (err.info?.error?.message ?? err.error?.message ?? err.shortMessage ?? err.message ?? String(e)).replace(/\.$/, "");
}
