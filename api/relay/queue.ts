import { randomUUID } from "node:crypto";
import { ethers } from "ethers";
import type { ForwardRequest, Hex } from "../../sdk/index.js";
import { onChain, type Chain } from "../chain.js";
import { badRequest, conflict, forbidden } from "../errors.js";
import { isUniqueViolation, type Queryable, type Store } from "../store.js";
import { forwardRequestSigner, SignatureError } from "./signer.js";

export type RequestStatus = "queued" | "submitted" | "mined" | "failed";

/** A relayed request as GET /v1/requests/:id shows it. */
export interface RelayedRequest {
  id: string;
  status: RequestStatus;
  from: Hex;
  to: Hex;
  nonce: string;
  deadline: number;
  txHash?: Hex;
  blockNumber?: number;
  /** Why it failed: a contract error name, DEADLINE_PASSED, STALE_NONCE… */
  code?: string;
  reason?: string;
  createdAt: string;
  updatedAt: string;
}

export interface RequestRow {
  id: string; seq: number; from_addr: Hex; to_addr: Hex; value: string; gas: string; nonce: string; deadline: number;
  data: Hex; signature: Hex; status: RequestStatus; tx_hash: Hex | null; raw_tx: Hex | null; block_number: number | null;
  reason: string | null; reason_code: string | null; created_at: number; updated_at: number;
  /** 1 once the request must go in a transaction of its own (a batch holding it was refused or reverted). */
  solo: number;
}

/**
 * The relay queue in the store. A request is validated in full before it is accepted (signature,
 * membership, nonce, deadline, forwarder.verify and a simulation), and once accepted it is a row
 * that survives any crash; the worker (worker.ts) takes it from there.
 */
export class RelayQueue {
  constructor(private readonly store: Store, private readonly chain: Chain) {}

  /** Requests of `from` accepted but not yet mined or failed. */
  async pendingCount(from: string): Promise<number> {
    const row = await this.store.one<{ n: number }>("SELECT COUNT(*) AS n FROM requests WHERE from_addr = ? AND status IN ('queued', 'submitted')", [from.toLowerCase()]);
    return row!.n;
  }

  /** Validates a signed request and queues it; returns its id. */
  async submit(request: ForwardRequest, signature: Hex): Promise<string> {
    const { chain } = this;
    const from = request.from.toLowerCase() as Hex;
    const targets = [chain.deployment.registry, ...(chain.deployment.references ? [chain.deployment.references] : [])].map((a) => a.toLowerCase());
    if (!targets.includes(request.to.toLowerCase())) {
      throw badRequest("INVALID_TARGET", "Requests are relayed to the document registry (and its references contract) only.");
    }
    if (BigInt(request.value) !== 0n) throw badRequest("INVALID_VALUE", "Relayed requests carry no value.");
    if (request.deadline <= Math.floor(Date.now() / 1000)) {
      throw badRequest("DEADLINE_PASSED", "The request's deadline has passed; prepare and sign a new one.");
    }
    let signer: string;
    try {
      signer = forwardRequestSigner(chain.deployment, request, signature);
    } catch (e) {
      throw badRequest("INVALID_SIGNATURE", e instanceof SignatureError ? e.message : "The signature is not a valid EIP-712 signature.");
    }
    if (signer !== from) {
      throw badRequest("INVALID_SIGNATURE", "The signature does not recover the request's `from` (wrong key, chain or forwarder?).");
    }
    // The chain is asked at most twice, each time for everything at once: a member's back office submits its
    // requests one after another (each takes the next nonce), so this latency bounds its rate.
    const pending = await this.pendingCount(from);
    const simulate = async () => {
      if (pending !== 0) return;
      const data = { ...request, signature };
      const [valid] = await Promise.all([
        onChain(() => chain.forwarder.verify(data)),
        // Refuse now, by the contract's error name, what the ledger would refuse at execution.
        onChain(() => chain.provider.call({ from: chain.deployment.forwarder, to: request.to, data: ethers.concat([request.data, from]) })),
      ]);
      if (!valid) throw badRequest("INVALID_REQUEST", "The forwarder does not accept this request.");
    };
    const [[org, , active], chainNonce, simulated] = await Promise.all([
      onChain(() => chain.registry.accountOf(from)),
      onChain(() => chain.forwarder.nonces(from)),
      simulate().then(() => undefined, (e: unknown) => e),
    ]);
    if (org === 0n) throw forbidden("NOT_MEMBER", `${from} is not an account of a member organisation.`);
    if (!active) throw forbidden("ORGANISATION_SUSPENDED", `The organisation of ${from} is suspended.`);
    await checkNonce(this.store, from, request.nonce, chainNonce);
    if (simulated) throw simulated;
    return enqueue(this.store, { ...request, from, signature }, chainNonce);
  }

  /** The forwarder nonce of `from`'s next request: one past the highest the queue holds, or `chainNonce` if higher. */
  nextNonce(from: string, chainNonce: bigint): Promise<bigint> {
    return nextNonce(this.store, from, chainNonce);
  }

  /** The stored row of a request, as the worker keeps it. */
  row(id: string): Promise<RequestRow | undefined> {
    return this.store.one<RequestRow>("SELECT * FROM requests WHERE id = ?", [id]);
  }

  async get(id: string): Promise<RelayedRequest | undefined> {
    const r = await this.row(id);
    if (!r) return undefined;
    return {
      id: r.id, status: r.status, from: r.from_addr, to: r.to_addr, nonce: r.nonce, deadline: r.deadline,
      ...(r.tx_hash && r.status !== "queued" ? { txHash: r.tx_hash } : {}),
      ...(r.block_number !== null ? { blockNumber: r.block_number } : {}),
      ...(r.reason_code ? { code: r.reason_code } : {}), ...(r.reason ? { reason: r.reason } : {}),
      createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
    };
  }

  /** Count of requests by status (for /metrics). */
  async counts(): Promise<Record<RequestStatus, number>> {
    const out: Record<RequestStatus, number> = { queued: 0, submitted: 0, mined: 0, failed: 0 };
    for (const r of await this.store.all<{ status: RequestStatus; n: number }>("SELECT status, COUNT(*) AS n FROM requests GROUP BY status")) out[r.status] = r.n;
    return out;
  }
}

/**
 * Queues a validated request, signed by `from` (lower case), and returns its id. Atomic on either backend and across
 * API instances: the nonce check and the insert run in one transaction behind one lock, so of the same signed
 * request posted several times at once (or two requests with one nonce) exactly one is accepted and the others are
 * refused with 409 DUPLICATE_REQUEST; the unique index on live (from_addr, nonce) stands behind the lock.
 */
export async function enqueue(
  store: Store,
  request: Omit<ForwardRequest, "from"> & { from: Hex; signature: Hex },
  chainNonce: bigint,
): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  try {
    await store.tx(async (t) => {
      await t.lock("relay.requests");
      // Again, now that the caller's awaits are over: another request of the same member may have been accepted meanwhile.
      await checkNonce(t, request.from, request.nonce, chainNonce);
      const { seq } = (await t.one<{ seq: number }>("SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM requests"))!;
      await t.run(
        `INSERT INTO requests (id, seq, from_addr, to_addr, value, gas, nonce, deadline, data, signature, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
        [id, seq, request.from, request.to.toLowerCase(), request.value, request.gas, request.nonce, request.deadline, request.data, request.signature, now, now],
      );
      // The instance that relays may be another one: it hears of the request at commit instead of at its next poll.
      await store.notify(RELAY_CHANNEL, t);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicate();
    throw e;
  }
  return id;
}

/** The notice channel of newly queued requests (PostgreSQL LISTEN/NOTIFY). */
export const RELAY_CHANNEL = "tradeproof_relay";

const duplicate = () => conflict("DUPLICATE_REQUEST", "A request with this nonce is already queued.");

/**
 * Refuses a nonce that a live request of `from` already holds (409 DUPLICATE_REQUEST) or that is not the member's
 * next one (409 STALE_NONCE). The next nonce is one past the highest the queue holds for `from` (queued, sent or
 * mined), or the forwarder's `chainNonce` when that is higher: counting pending rows instead would be off by one
 * whenever the worker settles a request between the chain read and the count. A request that failed before it
 * reached the chain used no nonce, so the member signs the same one again; one whose call failed on chain used it
 * (the forwarder's executeBatch records the failure), and the forwarder's nonce already counts it.
 */
async function checkNonce(q: Queryable, from: string, nonce: string, chainNonce: bigint): Promise<void> {
  if (await q.one("SELECT 1 FROM requests WHERE from_addr = ? AND nonce = ? AND status <> 'failed'", [from, nonce])) throw duplicate();
  const next = await nextNonce(q, from, chainNonce);
  if (BigInt(nonce) !== next) throw conflict("STALE_NONCE", `The nonce is ${nonce}; the next one for ${from} is ${next}.`);
}

async function nextNonce(q: Queryable, from: string, chainNonce: bigint): Promise<bigint> {
  // Forwarder nonces count up from 0 by one per request: far inside 64-bit integers.
  const row = await q.one<{ highest: number | bigint | null }>(
    "SELECT MAX(CAST(nonce AS BIGINT)) AS highest FROM requests WHERE from_addr = ? AND status <> 'failed'",
    [from.toLowerCase()],
  );
  const queued = row?.highest == null ? 0n : BigInt(row.highest) + 1n;
  return queued > chainNonce ? queued : chainNonce;
}
