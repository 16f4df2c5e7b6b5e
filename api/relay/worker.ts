import { ethers } from "ethers";
import type { Logger } from "pino";
import type { Hex } from "../../sdk/index.js";
import { chainError, type Chain } from "../chain.js";
import type { Store } from "../store.js";
import type { RequestRow } from "./queue.js";

export interface RelayWorkerOptions {
  store: Store;
  chain: Chain;
  /** The API's own key: it pays the gas; the member's signature inside the request is what the ledger checks. */
  relayer: ethers.Wallet;
  logger?: Logger;
  /** Test hooks to simulate a crash at the two dangerous points: before and after the broadcast. */
  hooks?: { beforeBroadcast?: (row: RequestRow) => void | Promise<void>; afterBroadcast?: (row: RequestRow) => void | Promise<void> };
  /**
   * Called when a relayed transaction has a receipt, before the request shows `mined` or `failed`:
   * the API moves its index (and so its per-block read cache) to that block first, so a client that
   * sees `mined` then reads the document gets the new state.
   */
  onReceipt?: () => Promise<unknown>;
  /** How long to wait for a receipt before leaving the request `submitted` for the next pass. */
  receiptTimeoutMs?: number;
}

/**
 * Sends queued requests through `forwarder.execute`, one at a time, in the order accepted.
 *
 * Never twice: the signed transaction and its hash are written to SQLite BEFORE it is broadcast.
 * After a crash, a `submitted` row is settled by its receipt, or its very same signed transaction is
 * broadcast again (same hash, same relayer nonce), never a new one; the forwarder's per-signer nonce
 * would refuse a second execution anyway.
 */
export class RelayWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: RelayWorkerOptions) {}

  private get db() {
    return this.opts.store.db;
  }

  private update(id: string, fields: Partial<Pick<RequestRow, "status" | "tx_hash" | "raw_tx" | "block_number" | "reason" | "reason_code">>) {
    const keys = Object.keys(fields);
    this.db
      .prepare(`UPDATE requests SET ${keys.map((k) => `${k} = ?`).join(", ")}, updated_at = ? WHERE id = ?`)
      .run(...keys.map((k) => (fields as Record<string, string | number | null>)[k]), Date.now(), id);
  }

  /** Settles `submitted` rows, then sends queued ones until the queue is empty. */
  processOnce(): Promise<void> {
    this.running ??= this.process().finally(() => (this.running = undefined));
    return this.running;
  }

  private async process(): Promise<void> {
    for (const row of this.db.prepare("SELECT * FROM requests WHERE status = 'submitted' ORDER BY seq").all() as unknown as RequestRow[]) {
      await this.settle(row, true);
    }
    for (;;) {
      const row = this.db.prepare("SELECT * FROM requests WHERE status = 'queued' ORDER BY seq LIMIT 1").get() as RequestRow | undefined;
      if (!row) return;
      if (this.db.prepare("SELECT 1 FROM requests WHERE status = 'submitted' LIMIT 1").get()) return; // wait for the one in flight
      await this.send(row);
    }
  }

  private fail(row: RequestRow, code: string, reason: string) {
    this.update(row.id, { status: "failed", reason_code: code, reason });
    this.opts.logger?.info({ id: row.id, code }, "relay request failed");
  }

  private async send(row: RequestRow): Promise<void> {
    const { chain, relayer } = this.opts;
    if (row.deadline <= Math.floor(Date.now() / 1000)) return this.fail(row, "DEADLINE_PASSED", "The deadline passed before the request could be sent.");
    const chainNonce = await chain.forwarder.nonces(row.from_addr);
    if (chainNonce > BigInt(row.nonce)) return this.fail(row, "STALE_NONCE", "The signer's forwarder nonce moved past this request (it was used elsewhere).");
    if (chainNonce < BigInt(row.nonce)) return this.fail(row, "NONCE_GAP", "An earlier request of the same signer failed, so this nonce cannot be used; sign it again.");
    const request = { from: row.from_addr, to: row.to_addr, value: row.value, gas: row.gas, deadline: row.deadline, data: row.data, signature: row.signature };
    const data = chain.forwarder.interface.encodeFunctionData("execute", [request]);
    let gasLimit: bigint;
    try {
      gasLimit = await chain.provider.estimateGas({ from: relayer.address, to: chain.deployment.forwarder, data });
    } catch (e) {
      if (chainError(e).status === 503) throw e; // node down: the row stays queued for the next pass
      const reason = await this.revertReason(row);
      return this.fail(row, reason?.code ?? "FORWARDER_REJECTED", reason?.message ?? "The forwarder refused the request (signature, nonce or deadline).");
    }
    // Sign first, store the signed transaction and its hash, and only then broadcast it.
    const tx = await relayer.populateTransaction({ to: chain.deployment.forwarder, data, gasLimit: gasLimit + gasLimit / 5n, nonce: await chain.provider.getTransactionCount(relayer.address, "pending") });
    const raw = (await relayer.signTransaction(tx)) as Hex;
    const hash = ethers.keccak256(raw) as Hex;
    this.update(row.id, { status: "submitted", tx_hash: hash, raw_tx: raw });
    const stored = { ...row, status: "submitted" as const, tx_hash: hash, raw_tx: raw };
    await this.opts.hooks?.beforeBroadcast?.(stored);
    if (!(await this.broadcast(stored))) return;
    this.opts.logger?.info({ id: row.id, txHash: hash }, "relay request submitted");
    await this.opts.hooks?.afterBroadcast?.(stored);
    await this.settle(stored, false);
  }

  /**
   * Broadcasts a stored signed transaction. When the node refuses it, the row is settled here instead of being
   * broadcast again on every pass (which stalled the whole queue behind it): a transaction the node already holds
   * or mined counts as sent; one whose relayer nonce another transaction took can never be mined, so its request
   * goes back to the queue for a new transaction (never sent twice: the old one cannot land); any other refusal
   * fails the request with the node's words. An unreachable node throws: the row stays submitted for the next pass.
   * Returns whether the transaction is (now) known to the node.
   */
  private async broadcast(row: RequestRow): Promise<boolean> {
    const { provider } = this.opts.chain;
    try {
      await provider.broadcastTransaction(row.raw_tx!);
      return true;
    } catch (e) {
      if (chainError(e).status === 503) throw e;
      if ((await provider.getTransactionReceipt(row.tx_hash!)) || (await provider.getTransaction(row.tx_hash!))) return true;
      const message = nodeMessage(e);
      if ((e as { code?: string }).code === "NONCE_EXPIRED" || /nonce too low/i.test(message)) {
        this.update(row.id, { status: "queued", tx_hash: null, raw_tx: null });
        this.opts.logger?.warn({ id: row.id, txHash: row.tx_hash }, "relayer nonce taken by another transaction; the request goes back to the queue");
        return false;
      }
      this.fail(row, "BROADCAST_REJECTED", `The ledger node refused the relayer's transaction: ${message}.`);
      return false;
    }
  }

  /** Finishes a submitted row from its receipt; rebroadcasts its stored transaction when the node does not know it. */
  private async settle(row: RequestRow, rebroadcast: boolean): Promise<void> {
    const { provider } = this.opts.chain;
    let receipt = await provider.getTransactionReceipt(row.tx_hash!);
    if (!receipt && rebroadcast) {
      if (!(await provider.getTransaction(row.tx_hash!))) {
        this.opts.logger?.warn({ id: row.id, txHash: row.tx_hash }, "stored transaction unknown to the node; broadcasting the same signed transaction again");
        if (!(await this.broadcast(row))) return;
      }
    }
    receipt ??= await provider.waitForTransaction(row.tx_hash!, 1, this.opts.receiptTimeoutMs ?? 60_000);
    if (!receipt) return; // still pending: settled on a later pass
    await this.opts.onReceipt?.().catch((e: unknown) => this.opts.logger?.warn({ err: e }, "index refresh after a relayed transaction failed"));
    if (receipt.status === 1) {
      this.update(row.id, { status: "mined", block_number: receipt.blockNumber });
      this.opts.logger?.info({ id: row.id, txHash: row.tx_hash, block: receipt.blockNumber }, "relay request mined");
    } else {
      const reason = await this.revertReason(row, receipt.blockNumber - 1);
      this.update(row.id, { status: "failed", block_number: receipt.blockNumber, reason_code: reason?.code ?? "REVERTED", reason: reason?.message ?? "The transaction reverted." });
    }
  }

  /** Why the member's call reverts, by replaying it as the forwarder would make it. */
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
        this.opts.logger?.warn({ err: e }, "relay pass failed; retrying");
      }
      if (this.timer) this.timer = setTimeout(tick, pollMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Starts a pass now (after a request was accepted). */
  nudge(): void {
    if (this.timer) void this.processOnce().catch((e) => this.opts.logger?.warn({ err: e }, "relay pass failed; retrying"));
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}

/** The node's own words for a refused transaction (ethers wraps them in its error's `info` or `error`). */
function nodeMessage(e: unknown): string {
  const err = e as { error?: { message?: string }; info?: { error?: { message?: string } }; shortMessage?: string; message?: string };
  return (err.info?.error?.message ?? err.error?.message ?? err.shortMessage ?? err.message ?? String(e)).replace(/\.$/, "");
}
