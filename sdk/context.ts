import type { ContractTransaction, Interface, Log, Provider, Signer, TransactionReceipt } from "ethers";
import type { Council, DocumentReferences, DocumentRegistry, Forwarder } from "../types/ethers-contracts/index.js";
import type { PublicLeaves } from "./actions/publicBatches.js";
import type { Deployment } from "./deployment.js";
import { InsufficientFundsError, InvalidArgumentError, SignerRequiredError, TradeproofError, atBoundary } from "./errors.js";
import { docTypeName } from "./doctypes.js";
import { waitForReceipt } from "./wait.js";
import { directUrl } from "./provider.js";
import { ORG_KINDS, OUTCOMES, type Hex, type OrgKind, type Outcome, type TxInfo } from "./types.js";

/** What every action of the client needs: the connection, typed contracts and read caches. Internal. */
export interface ClientContext {
  deployment: Deployment;
  provider: Provider;
  signer?: Signer;
  registry: DocumentRegistry;
  council: Council;
  forwarder: Forwarder;
  /** The references contract, when the deployment has one. */
  references?: DocumentReferences;
  /** Interfaces used to decode reverts, registry first. */
  ifaces: Interface[];
  /** Organisation names and countries never change, so they are read once per client. */
  organisations: Map<number, Promise<{ name: string; country: string; kind: OrgKind }>>;
  /** Block timestamps (seconds), read once per block. */
  blockTimes: Map<number, Promise<number>>;
  /** Public batches' leaves seen so far, to find their documents by hash alone. */
  publicLeaves: PublicLeaves;
}

/** The tail of each account's queue of sends, by `provider:chainId:address`. */
const sending = new Map<string, Promise<void>>();
/**
 * A number for each provider, so that the per-account state below belongs to one node: two chains with the same id
 * (a test chain started again, anvil's 31337 everywhere) must not share an account's last nonce.
 */
const providerIds = new WeakMap<object, number>();
let providers = 0;
const providerId = (p: object) => {
  let id = providerIds.get(p);
  if (id === undefined) providerIds.set(p, (id = ++providers));
  return id;
};
/** The nonce each account last broadcast with, and when: a provider may cache the pending count for a moment. */
const lastSent = new Map<string, { nonce: number; at: number }>();
/** How long the nonce an account last broadcast with is trusted over the node's pending count. */
const LAST_SENT_TTL_MS = 10_000;

/**
 * Runs `fn` (sign and broadcast) after every earlier send of the same account has been broadcast, with the
 * account's next nonce. Concurrent writes from one account otherwise read the same pending nonce and all but one are
 * refused (REPLACEMENT_UNDERPRICED). Only the broadcast is queued, never the wait for a receipt, so many writes still
 * land in one block. Within a burst the nonce is one past the previous send's; a write on its own takes the node's
 * pending count, or one past this client's last nonce when the count lags (ethers' providers cache it for 250 ms by
 * default); a send that fails before broadcast (a revert in gas estimation) uses none, so it leaves no gap.
 */
async function oneAtATime<T>(ctx: ClientContext, key: string, address: string, fn: (nonce: number) => Promise<T>, pendingCount?: Promise<number>): Promise<T> {
  // Queued behind another send of the account: part of a burst, whose next nonce this client knows.
  const inBurst = sending.has(key);
  const previous = sending.get(key) ?? Promise.resolve();
  const run = previous.then(async () => {
    // Within a burst the successor of the previous send's nonce is taken without asking the node: one round trip less
    // for each write. A write on its own asks the node (another process, the CLI say, may have used the key since),
    // and takes one past this client's last nonce if the node's pending count lags behind it.
    const last = lastSent.get(key);
    const fresh = last !== undefined && Date.now() - last.at < LAST_SENT_TTL_MS;
    const nonce = inBurst && fresh ? last.nonce + 1 : Math.max(await (pendingCount ?? ctx.provider.getTransactionCount(address, "pending")), fresh ? last.nonce + 1 : 0);
    try {
      const result = await fn(nonce);
      lastSent.set(key, { nonce, at: Date.now() });
      return result;
    } catch (e) {
      lastSent.delete(key); // refused: the next write asks the node again
      throw e;
    }
  });
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  sending.set(key, tail);
  try {
    return await run;
  } finally {
    if (sending.get(key) === tail) sending.delete(key);
  }
}

/**
 * Sends a contract call (`build` gives its `to` and `data`, e.g. `() => registry.register.populateTransaction(…)`)
 * with the client's signer, waits for its receipt and translates failures at this boundary. Gas estimation and fee
 * data run at once for concurrent writes; only signing and broadcasting wait for the account's earlier sends, so a
 * hundred writes from one account are all in the node's pool within about a block period.
 */
export async function send(ctx: ClientContext, action: string, build: () => Promise<ContractTransaction>): Promise<TransactionReceipt> {
  const signer = ctx.signer;
  if (!signer) throw new SignerRequiredError(action);
  try {
    return await atBoundary(async () => {
      const address = await signer.getAddress();
      const call = { ...(await build()), from: address };
      const key = `${providerId(ctx.provider)}:${ctx.deployment.chainId}:${address.toLowerCase()}`;
      // A write on its own asks the node for the account's nonce at once, beside the gas estimate and the fees.
      const pendingCount = sending.has(key) ? undefined : ctx.provider.getTransactionCount(address, "pending");
      pendingCount?.catch(() => undefined); // its failure, if any, is met where it is awaited
      const [gasLimit, fees] = await Promise.all([signer.estimateGas(call), feeFields(ctx.provider)]);
      const sent = await oneAtATime(ctx, key, address, (nonce) => signer.sendTransaction({ ...call, gasLimit, nonce, ...fees }), pendingCount);
      return waitForReceipt(ctx.provider, sent);
    }, ctx.ifaces);
  } catch (e) {
    // Fees come from the node (ethers' fee data: no price where the node quotes none), so this arises only on a
    // chain that charges for gas; name the account and the chain rather than ethers' "insufficient funds".
    if (e instanceof TradeproofError && (e.code === "INSUFFICIENT_FUNDS" || lacksFunds(e.shortMessage))) {
      throw new InsufficientFundsError({ account: await signer.getAddress(), chainId: ctx.deployment.chainId, cause: e.cause ?? e });
    }
    throw e;
  }
}

/**
 * Nodes that ethers does not map to INSUFFICIENT_FUNDS say so in their own words (Hardhat's EDR: "Sender doesn't
 * have enough funds to send tx"); a transport-level message, not a revert, so there is no error name to go by.
 */
const lacksFunds = (message: string) => /insufficient funds|doesn't have enough funds/i.test(message);

/**
 * The fee fields ethers would fill in itself (EIP-1559 where the node has a base fee, else a gas price): nothing to
 * pay on a free-gas network. There, an EIP-1559 chain (its blocks carry a base fee, of 0) gets a fully formed
 * type-2 transaction with zero fees, which ethers sends as it is; given a gas price of 0 instead, ethers would ask
 * the node for its fee data a second time.
 */
async function feeFields(provider: Provider): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint }> {
  const [fee, latest] = await Promise.all([provider.getFeeData(), provider.getBlock("latest")]);
  if (fee.maxFeePerGas != null && fee.maxPriorityFeePerGas != null) return { maxFeePerGas: fee.maxFeePerGas, maxPriorityFeePerGas: fee.maxPriorityFeePerGas };
  if (latest?.baseFeePerGas === 0n && (fee.gasPrice ?? 0n) === 0n) return { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n };
  return { gasPrice: fee.gasPrice ?? 0n };
}

export const txInfo = (r: TransactionReceipt): TxInfo => ({ txHash: r.hash as Hex, blockNumber: r.blockNumber });

/**
 * The node's latest block number, never from a cache: ethers' providers keep a read for `cacheTimeout` (250 ms by
 * default), long enough to miss the block a write of this client just landed in. A provider with a raw `send`
 * (ethers' JSON-RPC providers, Hardhat's) is asked directly; any other for its latest block.
 */
export async function freshBlockNumber(provider: Provider): Promise<number> {
  const raw = provider as Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> };
  if (typeof raw.send === "function") return Number(await raw.send("eth_blockNumber", []));
  const latest = await provider.getBlock("latest");
  if (!latest) throw new TradeproofError("The node has no latest block.", { code: "BLOCK_NOT_FOUND" });
  return latest.number;
}

/** Reads through the boundary translator (RPC failures become NodeUnreachableError, reverts typed errors). */
export function read<T>(ctx: ClientContext, fn: () => Promise<T>): Promise<T> {
  return atBoundary(fn, ctx.ifaces);
}

export function blockTime(ctx: ClientContext, blockNumber: number): Promise<number> {
  let time = ctx.blockTimes.get(blockNumber);
  if (!time) {
    time = read(ctx, async () => {
      const block = await ctx.provider.getBlock(blockNumber);
      if (!block) throw new TradeproofError(`The node does not have block ${blockNumber}.`, { code: "BLOCK_NOT_FOUND" });
      return block.timestamp;
    });
    time.catch(() => ctx.blockTimes.delete(blockNumber));
    ctx.blockTimes.set(blockNumber, time);
  }
  return time;
}

export function organisationInfo(ctx: ClientContext, id: number): Promise<{ name: string; country: string; kind: OrgKind }> {
  let info = ctx.organisations.get(id);
  if (!info) {
    info = read(ctx, async () => {
      const org = await ctx.registry.organisation(id);
      return { name: org.name, country: countryCode(org.country), kind: ORG_KINDS[Number(org.kind)] as OrgKind };
    });
    // A failed read must not stay cached.
    info.catch(() => ctx.organisations.delete(id));
    ctx.organisations.set(id, info);
  }
  return info;
}

/** bytes2 → "VN". */
export function countryCode(bytes2: string): string {
  return Buffer.from(bytes2.slice(2), "hex").toString("latin1");
}

/** The registry's document type (uint16) from a UNTDID 1001 code given as number or string. */
export function parseDocType(docType: string | number): number {
  const code = typeof docType === "number" ? docType : /^\s*\d{1,5}\s*$/.test(docType) ? Number(docType) : NaN;
  // The ledger stores any uint16, but DESIGN.md names types by UNTDID 1001 and a verifier shows the list's name:
  // a code outside the list would anchor documents nobody can read the type of.
  if (!Number.isInteger(code) || docTypeName(code) === undefined) {
    throw new InvalidArgumentError(
      `${JSON.stringify(docType)} is not a UNTDID 1001 document name code (e.g. 380 commercial invoice, 861 certificate of origin).`,
    );
  }
  return code;
}

export function parseOutcome(outcome: Outcome): number {
  const index = OUTCOMES.indexOf(outcome);
  if (index < 1) throw new InvalidArgumentError(`${JSON.stringify(outcome)} is not an outcome (ACCEPTED, REJECTED, INSPECTED).`);
  return index;
}

/** Runs `tasks` with at most `limit` in flight, keeping their order. */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

let rpcId = 0;

/**
 * `eth_call` of the registry at the latest block, returning the result's hex. On an {@link RpcProvider} the request
 * is sent with the platform's fetch and the answer decoded natively: ethers' JavaScript UTF-8 decoding and hex checks
 * cost ~4x the node's own time on a 250-query verifyMany result (measured on anvil: 38 ms this way against
 * 180-250 ms through provider.call). Any other provider is asked through `provider.call`.
 */
export async function callRegistry(ctx: ClientContext, data: string): Promise<string> {
  const to = ctx.deployment.registry;
  const url = directUrl(ctx.provider);
  if (!url) return read(ctx, () => ctx.provider.call({ to, data }));
  return read(ctx, async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method: "eth_call", params: [{ to, data }, "latest"] }),
    });
    if (!response.ok) throw Object.assign(new Error(`eth_call: HTTP ${response.status}`), { code: "SERVER_ERROR" });
    const body = (await response.json()) as { result?: unknown; error?: { code?: number; message?: string; data?: unknown } };
    if (body.error) {
      // A revert carries its data and is translated by name at the boundary; anything else is the node's refusal.
      if (typeof body.error.data === "string" && body.error.data.length > 2) throw body.error;
      throw new TradeproofError(`The node refused eth_call: ${body.error.message ?? "no message"}.`, { code: "RPC_ERROR" });
    }
    if (typeof body.result !== "string") throw new TradeproofError("The node answered eth_call without a result.", { code: "BAD_DATA" });
    return body.result;
  });
}

/** getLogs of the registry from the deployment block, with `topics`, translated at the boundary. */
export function registryLogs(ctx: ClientContext, topics: (string | string[] | null)[]): Promise<Log[]> {
  return read(ctx, () =>
    ctx.provider.getLogs({ address: ctx.deployment.registry, fromBlock: ctx.deployment.startBlock, toBlock: "latest", topics }),
  );
}

/** Splits `items` into slices of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
