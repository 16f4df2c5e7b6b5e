import { ethers } from "ethers";
import { TradeproofClient, TradeproofError, toTradeproofError, type Deployment } from "../sdk/index.js";
import {
  DocumentRegistry__factory,
  Forwarder__factory,
  type DocumentRegistry,
  type Forwarder,
} from "../types/ethers-contracts/index.js";
import { ApiError, unavailable, unprocessable } from "./errors.js";
import { registryInterface } from "./indexer/decode.js";
import { rawRpc } from "./indexer/indexer.js";

/** Socket-level failures: the node is not there, which is never a verdict about a document. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "EPIPE", "UND_ERR_SOCKET", "NETWORK_ERROR", "TIMEOUT"]);

/**
 * Maps an error from a chain call to an {@link ApiError}: the SDK's boundary translator names it
 * (node unreachable, wrong chain, contract revert by its custom error name), this maps the name to a status.
 */
export function chainError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string" && NETWORK_CODES.has(code)) {
    return unavailable("NODE_UNREACHABLE", "The ledger node cannot be reached; try again shortly.");
  }
  const t = e instanceof TradeproofError ? e : toTradeproofError(e, registryInterface);
  switch (t.code) {
    case "NODE_UNREACHABLE":
      return unavailable("NODE_UNREACHABLE", "The ledger node cannot be reached; try again shortly.");
    case "WRONG_CHAIN":
      return unavailable("WRONG_CHAIN", t.shortMessage);
    case "INVALID_HASH":
    case "INVALID_RECEIPT":
    case "INVALID_DOCUMENT":
      return new ApiError(400, t.code, t.shortMessage);
  }
  if ((t as { errorName?: string }).errorName) return unprocessable(t.code, t.shortMessage);
  return new ApiError(502, t.code || "CHAIN_ERROR", t.shortMessage || "The ledger node answered with an error.", { cause: e });
}

/** Runs a chain call and translates its failure once, here. */
export async function onChain<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw chainError(e);
  }
}

/** The ledger as the API sees it: a provider, the deployment, typed contracts and the SDK client. */
export class Chain {
  readonly registry: DocumentRegistry;
  readonly forwarder: Forwarder;
  private client: Promise<TradeproofClient> | undefined;

  constructor(readonly provider: ethers.Provider, readonly deployment: Deployment) {
    this.registry = DocumentRegistry__factory.connect(deployment.registry, provider);
    this.forwarder = Forwarder__factory.connect(deployment.forwarder, provider);
  }

  /**
   * Asks the node its chain id: the provider is built with the deployment's chain as a static network
   * (no detection round trips), so the SDK's own check would only see that static value.
   */
  private async checkChain(): Promise<void> {
    const id = Number(await rawRpc(this.provider as ethers.JsonRpcApiProvider, "eth_chainId", []));
    if (id !== this.deployment.chainId) {
      throw unavailable("WRONG_CHAIN", `The node serves chain ${id}; the deployment is on chain ${this.deployment.chainId}.`);
    }
  }

  /** The SDK client, connected on first use (and again after a failed connect: the node may come back). */
  sdk(): Promise<TradeproofClient> {
    if (!this.client) {
      const pending = this.checkChain().then(() => TradeproofClient.connect({ runner: this.provider, deployment: this.deployment }));
      this.client = pending;
      pending.catch(() => {
        if (this.client === pending) this.client = undefined;
      });
    }
    return onChain(() => this.client!);
  }
}
