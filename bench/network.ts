/**
 * Writes at network speed: anvil mining a block every 2 s with no gas price (a stand-in for QBFT; block gas limit
 * 30,000,000, anvil's default), the API's relayer in process, members signing with their own keys.
 * - relayed registers of 3 members submitting side by side, sustained, and each request's submit-to-mined time;
 * - the same with the relayer of before (one request a transaction, one transaction at a time), in the same run;
 * - the same relayed figure on the instant-mining chain;
 * - 100 concurrent SDK registers from one account;
 * - the largest public batch one transaction carries under the default limits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ethers } from "ethers";
import { loadConfig } from "../api/config.js";
import { startServer, type RunningServer } from "../api/server.js";
import { FREE_GAS_FLAGS } from "../scripts/embedded/anvil.js";
import {
  DEFAULT_TRANSACTION_LIMITS,
  FORWARD_REQUEST_TYPES,
  TradeproofClient,
  addOrganisationCall,
  forwarderDomain,
  maxPublicBatch,
  type Deployment,
} from "../sdk/index.js";
import { deployOurLedger, INVOICE, startAnvil } from "./chain.js";
import type { Row } from "./rows.js";

const section = "Writes at network speed";
const BLOCK_SECONDS = 2;
const MNEMONIC = "test test test test test test test test test test test junk";
const wallet = (i: number, provider: ethers.Provider) => ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);

interface RelayFigures {
  mined: number;
  failed: number;
  seconds: number;
  perSecond: number;
  transactions: number;
  blocks: number;
  perBlock: number;
  p50Ms: number;
  p99Ms: number;
  cpuPercent: number;
  gasPerBlock: number;
}

/** A chain with the ledger, three admitted traders (accounts 3, 5, 6) and the API with a relayer (account 9). */
async function setUp(blockTime: number | undefined, relay: { batch: number; inFlight: number }) {
  const anvil = await startAnvil([...(blockTime ? ["--block-time", String(blockTime)] : []), ...FREE_GAS_FLAGS]);
  const w = Array.from({ length: 10 }, (_, i) => new ethers.NonceManager(wallet(i, anvil.provider)));
  const ours = await deployOurLedger(w);
  const deployment = ours.deployment as Deployment;
  const governors = await Promise.all([0, 1].map((i) => TradeproofClient.connect({ runner: wallet(i, anvil.provider), deployment })));
  const members = [3, 5, 6].map((i) => wallet(i, anvil.provider));
  const id = await governors[0]!.propose(
    members.slice(1).map((m, k) => addOrganisationCall(deployment, { name: `Benchmark Trader ${k + 2}`, country: "VN", kind: "TRADER", accounts: [m.address] })),
    "two more traders",
  );
  await governors[1]!.approveProposal(id);
  await governors[1]!.executeProposal(id);
  const dataDir = mkdtempSync(join(tmpdir(), "tradeproof-bench-network-"));
  const config = loadConfig({
    TRADEPROOF_RPC: anvil.url, TRADEPROOF_DATA_DIR: dataDir, TRADEPROOF_API_PORT: "0", TRADEPROOF_RELAYER_KEY: wallet(9, anvil.provider).privateKey,
    TRADEPROOF_RATE_LIMIT: "0", TRADEPROOF_LOG_LEVEL: "silent", TRADEPROOF_POLL_MS: "200", TRADEPROOF_INDEXER: "false",
    TRADEPROOF_RELAY_BATCH: String(relay.batch), TRADEPROOF_RELAY_IN_FLIGHT: String(relay.inFlight),
  });
  const api = await startServer({ config, deployment, handleSignals: false });
  return {
    anvil, deployment, members, api,
    async stop() {
      await api.close();
      await anvil.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Each member signs `perMember` registers with consecutive forwarder nonces and submits them in order; the members
 * run side by side. Returns when every request is mined or failed.
 */
async function relayRun(api: RunningServer, deployment: Deployment, members: ethers.HDNodeWallet[], perMember: number, tag: string): Promise<RelayFigures> {
  const registry = new ethers.Interface(["function register(bytes32 docHash, uint16 docType)"]);
  const domain = forwarderDomain(deployment);
  const deadline = Math.floor(Date.now() / 1000) + 3_600;
  const forwarder = new ethers.Contract(deployment.forwarder, ["function nonces(address) view returns (uint256)"], members[0]!.provider);
  // Signed before the clock starts: signing is the members' work, not the ledger's.
  const signed = await Promise.all(
    members.map(async (m) => {
      const first = (await forwarder.nonces!(m.address)) as bigint;
      return Promise.all(
        Array.from({ length: perMember }, async (_, i) => {
          const request = {
            from: m.address, to: deployment.registry, value: "0", gas: "200000", nonce: String(first + BigInt(i)), deadline,
            data: registry.encodeFunctionData("register", [ethers.id(`${tag} ${m.address} ${i}`), INVOICE]),
          };
          return { request, signature: await m.signTypedData(domain, FORWARD_REQUEST_TYPES, request) };
        }),
      );
    }),
  );
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const ids = (
    await Promise.all(
      signed.map(async (run) => {
        const out: string[] = [];
        for (const body of run) {
          const res = await fetch(`${api.url}/v1/requests`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
          const answer = (await res.json()) as { id?: string; error?: { code: string; message: string } };
          if (res.status !== 202 || !answer.id) throw new Error(`submit: ${res.status} ${JSON.stringify(answer)}`);
          out.push(answer.id);
        }
        return out;
      }),
    )
  ).flat();
  const { store } = api.services;
  const placeholders = ids.map(() => "?").join(",");
  type Settled = { status: string; created_at: number; updated_at: number; block_number: number | null; tx_hash: string | null };
  let rows: Settled[] = [];
  for (const until = Date.now() + 600_000; Date.now() < until; ) {
    rows = await store.all<Settled>(`SELECT status, created_at, updated_at, block_number, tx_hash FROM requests WHERE id IN (${placeholders})`, ids);
    if (rows.every((r) => r.status === "mined" || r.status === "failed")) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const t1 = Math.max(...rows.map((r) => r.updated_at));
  const cpu = process.cpuUsage(cpu0);
  const mined = rows.filter((r) => r.status === "mined");
  const latencies = mined.map((r) => r.updated_at - r.created_at).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const blocks = new Set(mined.map((r) => r.block_number));
  const provider = members[0]!.provider!;
  let gas = 0n;
  for (const b of blocks) gas += (await provider.getBlock(b!))!.gasUsed;
  const seconds = (t1 - t0) / 1000;
  return {
    mined: mined.length,
    failed: rows.length - mined.length,
    seconds,
    perSecond: mined.length / seconds,
    transactions: new Set(mined.map((r) => r.tx_hash)).size,
    blocks: blocks.size,
    perBlock: mined.length / Math.max(1, blocks.size),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (t1 - t0)) * 100),
    gasPerBlock: Number(gas) / Math.max(1, blocks.size),
  };
}

/** 100 concurrent registers from one account through the SDK; how many blocks they took. */
async function sdkConcurrent(count: number) {
  const anvil = await startAnvil(["--block-time", String(BLOCK_SECONDS), ...FREE_GAS_FLAGS]);
  try {
    const w = Array.from({ length: 5 }, (_, i) => new ethers.NonceManager(wallet(i, anvil.provider)));
    const { deployment } = await deployOurLedger(w);
    const trader = await TradeproofClient.connect({ runner: wallet(3, anvil.provider), deployment: deployment as Deployment });
    const t0 = performance.now();
    const outcomes = await Promise.allSettled(Array.from({ length: count }, (_, i) => trader.register(ethers.id(`concurrent ${i}`) as `0x${string}`, INVOICE)));
    const seconds = (performance.now() - t0) / 1000;
    const receipts = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    const blocks = new Set(receipts.map((r) => r.blockNumber));
    return { mined: receipts.length, seconds, blocks: blocks.size };
  } finally {
    await anvil.stop();
  }
}

export async function benchNetwork({ quick }: { quick: boolean }): Promise<Row[]> {
  const rows: Row[] = [];
  const perMember = quick ? 100 : 600;
  const baselinePerMember = quick ? 5 : 10;

  const describe = (f: RelayFigures) =>
    `${f.mined} mined (${f.failed} failed) in ${f.seconds.toFixed(1)} s; ${f.transactions} relayer transactions in ${f.blocks} blocks, ` +
    `${Math.round(f.perBlock)} requests a block, ${Math.round(f.gasPerBlock).toLocaleString("en")} gas a block of 30,000,000; the benchmark process (API, relayer, clients) used ${f.cpuPercent} % of one core.`;

  // The relayer of before, in the same run: one request a transaction, one transaction at a time.
  const before = await setUp(BLOCK_SECONDS, { batch: 1, inFlight: 1 });
  let baseline: RelayFigures;
  try {
    baseline = await relayRun(before.api, before.deployment, before.members, baselinePerMember, "baseline");
  } finally {
    await before.stop();
  }
  const now = await setUp(BLOCK_SECONDS, { batch: 200, inFlight: 16 });
  let network: RelayFigures;
  try {
    network = await relayRun(now.api, now.deployment, now.members, perMember, "network");
  } finally {
    await now.stop();
  }
  rows.push({
    section, figure: `relayed registers, 3 members submitting together, ${BLOCK_SECONDS} s blocks: sustained`, unit: "documents/s", better: "higher",
    tradeproof: network.perSecond, peer: baseline.perSecond, peerName: "one request a transaction, one at a time (the relayer before)",
    target: { op: ">=", value: 100 }, note: `${3 * perMember} requests: ${describe(network)} Before: ${3 * baselinePerMember} requests: ${describe(baseline)}`,
  });
  rows.push({
    section, figure: `relayed registers, 3 members, ${BLOCK_SECONDS} s blocks: documents a block`, unit: "documents", better: "higher",
    tradeproof: network.perBlock, peer: baseline.perBlock, peerName: "the relayer before", target: { op: ">=", value: 200 },
    note:
      "Bound by how fast each member's next request is accepted (each submits after the answer to the one before: signature recovery, " +
      "membership and nonce reads from the node, one SQLite insert), in one process that also runs the three members' clients, not by block gas: see the gas a block above.",
  });
  rows.push({
    section, figure: `relayed register, submit to mined, p50 (in ${BLOCK_SECONDS} s block periods)`, unit: "block periods", better: "lower",
    tradeproof: network.p50Ms / 1000 / BLOCK_SECONDS, peer: baseline.p50Ms / 1000 / BLOCK_SECONDS, peerName: "the relayer before", target: { op: "<=", value: 1 },
    note: `${Math.round(network.p50Ms)} ms; before ${Math.round(baseline.p50Ms)} ms.`,
  });
  rows.push({
    section, figure: `relayed register, submit to mined, p99 (in ${BLOCK_SECONDS} s block periods)`, unit: "block periods", better: "lower",
    tradeproof: network.p99Ms / 1000 / BLOCK_SECONDS, peer: baseline.p99Ms / 1000 / BLOCK_SECONDS, peerName: "the relayer before", target: { op: "<=", value: 2 },
    note: `${Math.round(network.p99Ms)} ms; before ${Math.round(baseline.p99Ms)} ms.`,
  });

  const instant = await setUp(undefined, { batch: 200, inFlight: 16 });
  try {
    const f = await relayRun(instant.api, instant.deployment, instant.members, perMember, "instant");
    rows.push({
      section, figure: "relayed registers, 3 members, instant mining (the embedded chain's mode): sustained", unit: "documents/s", better: "higher",
      tradeproof: f.perSecond, note: `${3 * perMember} requests: ${describe(f)} p50 ${Math.round(f.p50Ms)} ms, p99 ${Math.round(f.p99Ms)} ms.`,
    });
  } finally {
    await instant.stop();
  }

  const sdk = await sdkConcurrent(100);
  rows.push({
    section, figure: `100 concurrent SDK registers from one account, ${BLOCK_SECONDS} s blocks: blocks taken`, unit: "blocks", better: "lower",
    tradeproof: sdk.blocks, target: { op: "<=", value: 2 }, note: `${sdk.mined} of 100 mined in ${sdk.seconds.toFixed(1)} s.`,
  });

  for (const relayed of [false, true]) {
    const { documents, binding } = maxPublicBatch(DEFAULT_TRANSACTION_LIMITS, { relayed });
    rows.push({
      section, figure: `largest public batch in one transaction, ${relayed ? "relayed (executeBatch)" : "direct"}, default limits`, unit: "documents", better: "higher",
      tradeproof: documents,
      note: `${binding === "maxTxBytes" ? `128 KiB a transaction binds (Besu 26.8+); the 16,777,216 gas cap would allow about 8,300 at the SDK's 2,000 gas a document` : "the gas cap binds"}.`,
    });
  }
  return rows;
}
