import { JsonRpcProvider, type JsonRpcApiProviderOptions, type Networkish } from "ethers";

/**
 * An ethers JsonRpcProvider over HTTP that keeps its URL, so that the SDK (and the API's indexer) can read large
 * answers (a `verifyMany` of 250 documents, 10,000 logs) with the platform's fetch, whose UTF-8 and JSON decoding
 * is native: ethers decodes response bodies byte by byte in JavaScript, about 4x the node's own time on such
 * answers. Every other call goes through ethers as usual. Any other provider works too, only slower on those reads.
 *
 * Unlike ethers' defaults, it keeps no 250 ms cache of reads (`cacheTimeout: -1` unless given): a cached pending
 * nonce or a cached failed gas estimate would be served to the next write of the same account; and it holds a
 * request 2 ms (not 10) to batch it with others (`batchStallTime`), since an account's broadcasts go one at a time.
 *
 * @example
 * ```ts
 * import { RpcProvider, TradeproofClient, loadDeployment } from "./sdk/index.js";
 *
 * const deployment = await loadDeployment("data/deployment.json");
 * const provider = new RpcProvider("http://127.0.0.1:8545", deployment.chainId, { staticNetwork: true });
 * const client = await TradeproofClient.connect({ runner: provider, deployment });
 * ```
 */
export class RpcProvider extends JsonRpcProvider {
  /** The node's JSON-RPC URL (http or https). */
  readonly url: string;

  constructor(url: string, network?: Networkish, options?: JsonRpcApiProviderOptions) {
    if (!/^https?:\/\//.test(url)) throw new TypeError(`RpcProvider needs an http(s) URL, not ${url}`);
    super(url, network, { cacheTimeout: -1, batchStallTime: 2, ...options });
    this.url = url;
  }
}

/** The URL to read large answers from directly, when the provider is an {@link RpcProvider}. */
export function directUrl(provider: unknown): string | undefined {
  return provider instanceof RpcProvider ? provider.url : undefined;
}
