// Where a command connects and with which key: the provider, the deployment, the signer. Shared by every command that
// talks to the ledger, and loaded only when one runs (it loads ethers and the contracts: scripts/cli/options.ts).
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { Network, Wallet, type Signer } from "ethers";
import { loadDeployment, NodeUnreachableError, RpcProvider, TradeproofClient, WrongChainError, type Deployment } from "../../sdk/index.js";
import { UsageError } from "./errors.js";

export { DEFAULT_DEPLOYMENT, DEFAULT_RPC, type ConnectionOptions, type SignerOptions } from "./options.js";
import { DEFAULT_DEPLOYMENT, type ConnectionOptions, type SignerOptions } from "./options.js";

/**
 * A provider for `url`. The chain id is pinned when known: ethers would otherwise retry network
 * detection forever against a node that does not answer, instead of failing the first request.
 * Its 250 ms request cache is off: on an automining node it hands back a stale pending nonce to the
 * next transaction of the same account ("nonce has already been used").
 */
export function providerFor(url: string, chainId?: number): RpcProvider {
  return chainId === undefined
    ? new RpcProvider(url, undefined, { pollingInterval: 250, cacheTimeout: -1 })
    : new RpcProvider(url, Network.from(chainId), { staticNetwork: true, pollingInterval: 250, cacheTimeout: -1 });
}

/**
 * Asks the node at `url` for its chain id, failing at once when it does not answer (a provider left to
 * detect the network by itself would retry forever).
 */
export async function detectChainId(url: string): Promise<number> {
  let body: { result?: string };
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(10_000),
    });
    body = (await res.json()) as { result?: string };
  } catch (cause) {
    throw new NodeUnreachableError({ cause, url });
  }
  if (typeof body.result !== "string") throw new NodeUnreachableError({ cause: new Error(JSON.stringify(body)), url });
  return Number(BigInt(body.result));
}

/** Reads the deployment file, with a message that says how to get one when it is missing. */
/**
 * Where the deployment file may be when neither --deployment nor TRADEPROOF_DEPLOYMENT names it, in order:
 * ./data/deployment.json from the current folder, then the data folder of the API (TRADEPROOF_DATA_DIR) and of
 * the project the command belongs to (where `npm start` writes it), so that the command works from any folder.
 */
export function deploymentCandidates(env: Record<string, string | undefined> = process.env): { path: string; why: string }[] {
  const candidates = [{ path: resolve(DEFAULT_DEPLOYMENT), why: "the current folder's data/" }];
  if (env.TRADEPROOF_DATA_DIR) candidates.push({ path: resolve(env.TRADEPROOF_DATA_DIR, "deployment.json"), why: "TRADEPROOF_DATA_DIR" });
  const root = projectRoot();
  if (root) candidates.push({ path: join(root, "data", "deployment.json"), why: "the project's data/" });
  return candidates.filter((c, i) => candidates.findIndex((d) => d.path === c.path) === i);
}

/** The folder of the package this command belongs to (its package.json names it "tradeproof"), if found. */
function projectRoot(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "tradeproof") return dir;
      } catch {
        // not a package we can read: keep looking upwards
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Reads the deployment file given, or the first of {@link deploymentCandidates}; the error names every path tried. */
export async function readDeployment(file: string | undefined): Promise<Deployment> {
  if (file !== undefined) {
    if (!existsSync(file)) throw new UsageError(`no deployment file at ${file} (from --deployment or TRADEPROOF_DEPLOYMENT)`);
    return loadDeployment(file);
  }
  const candidates = deploymentCandidates();
  const found = candidates.find((c) => existsSync(c.path));
  if (found) return loadDeployment(found.path);
  throw new UsageError(
    `no deployment file; tried ${candidates.map((c) => `${c.path} (${c.why})`).join(", ")}. ` +
      "Pass --deployment FILE, set TRADEPROOF_DEPLOYMENT, start the embedded ledger with `npm start`, or run `tradeproof deploy`",
  );
}

/** A read-only client: enough for verify, history, members and council list. */
export async function readClient(opts: ConnectionOptions): Promise<TradeproofClient> {
  const deployment = await readDeployment(opts.deployment);
  return TradeproofClient.connect({ runner: await checkedProvider(opts.rpc, deployment), deployment });
}

/**
 * A provider pinned to the deployment's chain, after asking the node itself which chain it serves: a
 * pinned provider takes the chain id on trust, so a mismatch would go unnoticed.
 */
export async function checkedProvider(url: string, deployment: Deployment): Promise<RpcProvider> {
  const chainId = await detectChainId(url);
  if (chainId !== deployment.chainId) {
    throw new WrongChainError(`The node at ${url} serves chain ${chainId}, but the deployment file is for chain ${deployment.chainId}.`);
  }
  return providerFor(url, chainId);
}

/** A client that signs with the operator's key. */
export async function signingClient(opts: SignerOptions): Promise<TradeproofClient> {
  const deployment = await readDeployment(opts.deployment);
  const signer = await loadSigner(opts, await checkedProvider(opts.rpc, deployment));
  return TradeproofClient.connect({ runner: signer, deployment });
}

/** The operator's key: from `--keystore` (encrypted JSON) or from TRADEPROOF_PRIVATE_KEY. */
export async function loadSigner(opts: { keystore?: string }, provider: RpcProvider): Promise<Signer> {
  if (opts.keystore) {
    let json: string;
    try {
      json = await readFile(opts.keystore, "utf8");
    } catch (e) {
      throw new UsageError(`cannot read keystore ${opts.keystore}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const password = process.env.TRADEPROOF_KEYSTORE_PASSWORD ?? (await promptPassword(`Password for ${opts.keystore}: `));
    try {
      return (await Wallet.fromEncryptedJson(json, password)).connect(provider);
    } catch (e) {
      // ethers says "incorrect password" or names what is wrong with the JSON.
      throw new UsageError(`cannot decrypt keystore ${opts.keystore}: ${(e as { shortMessage?: string }).shortMessage ?? (e as Error).message}`);
    }
  }
  const key = process.env.TRADEPROOF_PRIVATE_KEY;
  if (!key) throw new UsageError("this command signs a transaction: set TRADEPROOF_PRIVATE_KEY or pass --keystore FILE");
  try {
    return new Wallet(key.startsWith("0x") ? key : `0x${key}`, provider);
  } catch {
    // Never echo the value: it is a secret even when malformed.
    throw new UsageError("TRADEPROOF_PRIVATE_KEY is not a 32-byte hex private key");
  }
}

/** Asks for a password on the terminal without echoing it. */
async function promptPassword(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new UsageError("the keystore password is needed: set TRADEPROOF_KEYSTORE_PASSWORD (stdin is not a terminal)");
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const answer = new Promise<string>((resolve) => rl.question(question, resolve));
  muted = true;
  const password = await answer;
  rl.close();
  process.stderr.write("\n");
  return password;
}
