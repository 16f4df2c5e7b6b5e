import { join, resolve } from "node:path";
import type { TransactionLimits } from "../sdk/index.js";
import { z } from "zod";

/** A configuration value is wrong; the message names the environment variable. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
  }
}

const hex32 = /^0x[0-9a-fA-F]{64}$/;
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

/** Environment variables the API reads, with their defaults. */
const EnvSchema = z.object({
  TRADEPROOF_RPC: z.url({ protocol: /^(https?|wss?)$/ }).default("http://127.0.0.1:8545"),
  TRADEPROOF_DEPLOYMENT: z.string().min(1).default("data/deployment.json"),
  TRADEPROOF_DATA_DIR: z.string().min(1).default("data"),
  /** PostgreSQL for the index, the relay queue, SIWE nonces and rate limits, shared by instances; without it, SQLite in the data dir (api.sqlite). */
  TRADEPROOF_DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:$/.test(URL.parse(v)?.protocol ?? ""), "a postgres:// (or postgresql://) URL")
    .optional(),
  TRADEPROOF_API_HOST: z.string().min(1).default("127.0.0.1"),
  TRADEPROOF_API_PORT: int(0, 65535).default(8080),
  /** Public origin of the API, used for SIWE domain and URI checks; defaults to http://HOST:PORT. */
  TRADEPROOF_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Private key the relayer pays gas with; without it write endpoints answer 503 RELAYER_DISABLED. */
  TRADEPROOF_RELAYER_KEY: z.string().regex(hex32, "a 0x-prefixed 32-byte hex private key").optional(),
  /** The ledger's signing keys (its did:web); created under the data dir when absent, except on PostgreSQL (api/identity/keys.ts). */
  TRADEPROOF_LEDGER_KEYS: z.string().min(1).optional(),
  /** HS256 secret for session tokens (≥ 32 bytes, hex or base64); generated under the data dir when absent, except on PostgreSQL. */
  TRADEPROOF_SESSION_SECRET: z.string().min(32).optional(),
  TRADEPROOF_SESSION_TTL: int(60, 86_400).default(900),
  TRADEPROOF_NONCE_TTL: int(30, 3_600).default(300),
  TRADEPROOF_REQUEST_TTL: int(60, 86_400).default(600),
  TRADEPROOF_CONFIRMATIONS: int(0, 1_000).default(0),
  TRADEPROOF_POLL_MS: int(50, 60_000).default(1_000),
  TRADEPROOF_RATE_LIMIT: int(0, 1_000_000).default(600),
  TRADEPROOF_JSON_LIMIT: int(1_024, 50_000_000).default(2_000_000),
  TRADEPROOF_FILE_LIMIT: int(1_024, 500_000_000).default(20_000_000),
  TRADEPROOF_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  TRADEPROOF_INDEXER: bool.default(true),
  /** What one transaction may carry on the network: Besu refuses more than 128 KiB (26.8+). */
  TRADEPROOF_MAX_TX_BYTES: int(4_096, 100_000_000).default(131_072),
  /** Most gas one transaction may use: 2^24 under Osaka (EIP-7825) unless the QBFT network sets its own. */
  TRADEPROOF_MAX_TX_GAS: int(1_000_000, 1_000_000_000).default(16_777_216),
  /** Most relayed requests in one transaction of the relayer (fewer when the transaction limits bind first). */
  TRADEPROOF_RELAY_BATCH: int(1, 1_000).default(200),
  /** Most relayer transactions in flight at once. */
  TRADEPROOF_RELAY_IN_FLIGHT: int(1, 64).default(16),
  /** How long a status list credential is valid (its validUntil): how long an offline verifier may rely on a copy. */
  TRADEPROOF_STATUS_LIST_VALIDITY: int(300, 2_592_000).default(172_800),
  /** How often an online verifier should fetch a status list again (its ttl). */
  TRADEPROOF_STATUS_LIST_TTL: int(0, 86_400).default(300),
  /**
   * Proxies (load balancers) in front of the API whose X-Forwarded-For is believed: the client's address, which rate
   * limits count by, is that many hops back. 0: the connection's own address (an API that faces clients directly).
   */
  TRADEPROOF_TRUST_PROXY: int(0, 10).default(0),
  /** Instances on one PostgreSQL: how long the relaying (and indexing) instance's lease lasts unless renewed. */
  TRADEPROOF_LEASE_MS: int(300, 60_000).default(3_000),
});

/** The API's configuration, parsed once at start. */
export interface Config {
  rpcUrl: string;
  deploymentFile: string;
  dataDir: string;
  /** PostgreSQL's URL when the store is there; undefined: SQLite under `dataDir`. */
  databaseUrl?: string;
  host: string;
  port: number;
  publicUrl: string;
  relayerKey?: string;
  /** The file of the ledger's signing keys. */
  ledgerKeyFile: string;
  sessionSecret?: string;
  sessionTtlSec: number;
  nonceTtlSec: number;
  requestTtlSec: number;
  confirmations: number;
  pollMs: number;
  /** Requests per minute per client on the open endpoints; 0 turns the limit off. */
  rateLimitPerMinute: number;
  jsonLimitBytes: number;
  fileLimitBytes: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  indexer: boolean;
  /** Per-transaction limits of the network, which bound a relayed public batch. */
  limits: TransactionLimits;
  /** Most relayed requests per relayer transaction, and most relayer transactions in flight. */
  relay: { maxRequestsPerTx: number; maxInFlight: number };
  /** Validity and refresh interval of the status list credentials. */
  statusList: { validitySeconds: number; ttlSeconds: number };
  /** Instances on one PostgreSQL: a dead leader's lease runs out after this, and another instance takes over. */
  leaseMs: number;
  /** Hops of X-Forwarded-For believed for the client's address (0: none). */
  trustProxy: number;
}

/**
 * Parses the environment once. A bad value throws {@link ConfigError} naming the variable, so the
 * server refuses to start rather than run with a half-understood configuration.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(
    Object.keys(EnvSchema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]),
  );
  const parsed = EnvSchema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue.path[0] ?? "environment"), issue.message);
  }
  const e = parsed.data;
  return {
    rpcUrl: e.TRADEPROOF_RPC,
    deploymentFile: resolve(e.TRADEPROOF_DEPLOYMENT),
    dataDir: resolve(e.TRADEPROOF_DATA_DIR),
    databaseUrl: e.TRADEPROOF_DATABASE_URL,
    host: e.TRADEPROOF_API_HOST,
    port: e.TRADEPROOF_API_PORT,
    publicUrl: (e.TRADEPROOF_PUBLIC_URL ?? `http://${e.TRADEPROOF_API_HOST}:${e.TRADEPROOF_API_PORT}`).replace(/\/$/, ""),
    relayerKey: e.TRADEPROOF_RELAYER_KEY,
    ledgerKeyFile: resolve(e.TRADEPROOF_LEDGER_KEYS ?? join(e.TRADEPROOF_DATA_DIR, "ledger-keys.json")),
    sessionSecret: e.TRADEPROOF_SESSION_SECRET,
    sessionTtlSec: e.TRADEPROOF_SESSION_TTL,
    nonceTtlSec: e.TRADEPROOF_NONCE_TTL,
    requestTtlSec: e.TRADEPROOF_REQUEST_TTL,
    confirmations: e.TRADEPROOF_CONFIRMATIONS,
    pollMs: e.TRADEPROOF_POLL_MS,
    rateLimitPerMinute: e.TRADEPROOF_RATE_LIMIT,
    jsonLimitBytes: e.TRADEPROOF_JSON_LIMIT,
    fileLimitBytes: e.TRADEPROOF_FILE_LIMIT,
    logLevel: e.TRADEPROOF_LOG_LEVEL,
    indexer: e.TRADEPROOF_INDEXER,
    limits: { maxTxBytes: e.TRADEPROOF_MAX_TX_BYTES, maxTxGas: e.TRADEPROOF_MAX_TX_GAS },
    relay: { maxRequestsPerTx: e.TRADEPROOF_RELAY_BATCH, maxInFlight: e.TRADEPROOF_RELAY_IN_FLIGHT },
    statusList: { validitySeconds: e.TRADEPROOF_STATUS_LIST_VALIDITY, ttlSeconds: e.TRADEPROOF_STATUS_LIST_TTL },
    leaseMs: e.TRADEPROOF_LEASE_MS,
    trustProxy: e.TRADEPROOF_TRUST_PROXY,
  };
}
