import { existsSync } from "node:fs";
import { ethers } from "ethers";
import { pino, type Logger } from "pino";
import { RpcProvider, loadDeployment, type Deployment } from "../sdk/index.js";
import { Auth, sessionSecret } from "./auth/auth.js";
import { didWebFor } from "./identity/did.js";
import { LedgerKeys } from "./identity/keys.js";
import { Chain } from "./chain.js";
import { CredentialIssuer } from "./credentials/issuer.js";
import { StatusIndexes } from "./credentials/status-indexes.js";
import { StatusLists } from "./credentials/status-lists.js";
import { ConfigError, type Config } from "./config.js";
import { Documents } from "./documents/documents.js";
import { Indexer } from "./indexer/indexer.js";
import { Leadership } from "./leadership.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { RELAY_CHANNEL, RelayQueue } from "./relay/queue.js";
import { RelayWorker, type RelayWorkerOptions } from "./relay/worker.js";
import { openStore, type Store } from "./store.js";

/** Everything the app's handlers use; built once by {@link createServices}, closed by `close()`. */
export interface Services {
  config: Config;
  logger: Logger;
  store: Store;
  provider: ethers.JsonRpcProvider;
  deployment: Deployment;
  chain: Chain;
  indexer: Indexer;
  documents: Documents;
  auth: Auth;
  queue: RelayQueue;
  /** Absent when no relayer key is configured: write endpoints then answer 503 RELAYER_DISABLED. */
  worker?: RelayWorker;
  /** On PostgreSQL (instances sharing it): whether this instance relays and writes the index. Absent on SQLite: it always does. */
  leadership?: Leadership;
  metrics: Metrics;
  /** The ledger's signing keys, and the did:web they belong to. */
  identity: { did: string; keys: LedgerKeys };
  /** Anchor credentials and their status lists, signed with the ledger's keys. */
  credentials: CredentialIssuer;
  /** Runs `hook` in `close()` once the loops have stopped, before the database closes (rate limiters add their last counts). */
  beforeClose(hook: () => Promise<void>): void;
  /** Starts the indexer and relayer loops (when configured). */
  start(): void;
  /** Stops the loops, closes the provider and the database. */
  close(): Promise<void>;
}

export interface ServiceOverrides {
  deployment?: Deployment;
  logger?: Logger;
  /** Relay worker test hooks (crash simulation). */
  relayHooks?: RelayWorkerOptions["hooks"];
  /** Relay worker options beyond the configuration (tests: a short receipt wait). */
  relay?: Partial<Pick<RelayWorkerOptions, "receiptTimeoutMs" | "pollMs" | "lingerMs">>;
}

/** Builds the services from the configuration. Does not contact the node: the API starts (and answers 503) while it is down. */
export async function createServices(config: Config, overrides: ServiceOverrides = {}): Promise<Services> {
  const logger = overrides.logger ?? pino({ level: config.logLevel, base: { service: "tradeproof-api" } });
  // Several instances: a key made here would be this instance's alone, and credentials would be signed by as many
  // ledgers as there are instances. The operator makes one file and gives it to all.
  if (config.databaseUrl && !existsSync(config.ledgerKeyFile)) {
    throw new ConfigError(
      "TRADEPROOF_LEDGER_KEYS",
      `no ledger key file at ${config.ledgerKeyFile}. With TRADEPROOF_DATABASE_URL (instances sharing one database) ` +
        "the API does not create one, as each instance would sign with a key of its own: create it once with " +
        `\`npx tradeproof ledger-keys rotate --file ${config.ledgerKeyFile}\` and give the same file to every instance ` +
        "(TRADEPROOF_LEDGER_KEYS=<path>)",
    );
  }
  // Likewise a session secret generated here would be this instance's alone: a client signed in on one instance would
  // be refused by the next one the load balancer picks.
  if (config.databaseUrl && !config.sessionSecret) {
    throw new ConfigError(
      "TRADEPROOF_SESSION_SECRET",
      "not set. With TRADEPROOF_DATABASE_URL (instances sharing one database) every instance must check the sessions " +
        "the others sign: generate one secret (`openssl rand -hex 32`) and give the same TRADEPROOF_SESSION_SECRET to every instance",
    );
  }
  const deployment =
    overrides.deployment ??
    (await loadDeployment(config.deploymentFile).catch((e: unknown) => {
      throw new ConfigError("TRADEPROOF_DEPLOYMENT", `cannot load ${config.deploymentFile}: ${(e as Error).message}`);
    }));
  // The chain id is known from the deployment, so no network detection (and no retry storm while the node is down).
  // The relayer waits for its receipts by polling: ethers' default of every 4 s would add up to 4 s to each relayed
  // write on a network that mines every 1-5 s, so it polls at the configured interval.
  const provider = new RpcProvider(config.rpcUrl, deployment.chainId, { staticNetwork: true, batchStallTime: 2, cacheTimeout: -1, pollingInterval: config.pollMs });
  // The relayer has a connection of its own: its gas estimates of large batches would otherwise share JSON-RPC
  // batches with the reads of requests being accepted, and hold them up.
  const relayProvider = new RpcProvider(config.rpcUrl, deployment.chainId, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1, pollingInterval: config.pollMs });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const chain = new Chain(provider, deployment);
  // SQLite serves one instance, which does everything; on PostgreSQL one instance at a time relays and indexes.
  const leadership = store.dialect === "postgres" ? new Leadership({ store, ttlMs: config.leaseMs, logger }) : undefined;
  const indexer = new Indexer({ provider, contracts: deployment, store, confirmations: config.confirmations, logger, leadership });
  const cacheCounts = { hits: 0, misses: 0 };
  const documents = new Documents(chain, store, () => (config.indexer ? indexer.head : undefined), (hits, misses) => {
    cacheCounts.hits += hits;
    cacheCounts.misses += misses;
  });
  const auth = new Auth({
    store, publicUrl: config.publicUrl, chainId: deployment.chainId, secret: sessionSecret(config.sessionSecret, config.dataDir),
    sessionTtlSec: config.sessionTtlSec, nonceTtlSec: config.nonceTtlSec,
  });
  const queue = new RelayQueue(store, chain);
  const worker = config.relayerKey
    ? new RelayWorker({
        store, chain: new Chain(relayProvider, deployment), relayer: new ethers.Wallet(config.relayerKey, relayProvider), logger, hooks: overrides.relayHooks,
        onReceipt: config.indexer ? (block) => indexer.catchUp(block) : undefined,
        limits: config.limits, pollMs: Math.min(config.pollMs, 100), leadership, ...config.relay, ...overrides.relay,
      })
    : undefined;
  const identity = { did: didWebFor(config.publicUrl), keys: new LedgerKeys(config.ledgerKeyFile, !config.databaseUrl) };
  const statusIndexes = new StatusIndexes(store);
  const credentials = new CredentialIssuer({
    ...identity, publicUrl: config.publicUrl, chain, documents, indexes: statusIndexes,
    statusLists: new StatusLists(store, statusIndexes, () => indexer.cursor()),
    head: () => (config.indexer ? indexer.head : undefined), timing: config.statusList,
  });
  let unlisten: Promise<() => Promise<void>> | undefined;
  const closeHooks: (() => Promise<void>)[] = [];
  const metrics = createMetrics({ cursor: () => indexer.cursor(), head: () => indexer.head, queue: () => queue.counts(), cache: () => cacheCounts });
  return {
    config, logger, store, provider, deployment, chain, indexer, documents, auth, queue, worker, leadership, metrics,
    identity, credentials,
    beforeClose: (hook) => void closeHooks.push(hook),
    start() {
      // Taking the lease over starts a relay pass at once: the requests the last leader left are sent without waiting a poll.
      leadership?.onChange((leads) => leads && worker?.nudge());
      leadership?.start();
      // A request accepted by another instance starts a pass here at once (a pass does nothing unless this one leads).
      if (leadership && worker) {
        unlisten = store.listen(RELAY_CHANNEL, () => worker.nudge()).catch((e: unknown) => {
          logger.warn({ err: e }, "cannot listen for relayed requests; they are picked up at each poll");
          return async () => undefined;
        });
      }
      if (config.indexer) indexer.start(config.pollMs);
      credentials.warm((err) => logger.warn({ err }, "status lists not brought up to date at start; the first list asked for will try again"));
      worker?.start(config.pollMs);
    },
    async close() {
      await (await unlisten)?.();
      await indexer.stop();
      await worker?.stop();
      await leadership?.stop();
      for (const hook of closeHooks) await hook().catch((e: unknown) => logger.warn({ err: e }, "a step of the close failed"));
      provider.destroy();
      relayProvider.destroy();
      await store.close();
    },
  };
}

