// `tradeproof doctor`: is this node fit to carry the ledger? One check a line, each with what to do when it fails.
// Everything is asked of the node over plain JSON-RPC (eth_*, web3_clientVersion), so any EVM node can be checked.
import { computeAddress, formatEther } from "ethers";
import councilArtifact from "../../artifacts/contracts/Council.sol/Council.json" with { type: "json" };
import registryArtifact from "../../artifacts/contracts/DocumentRegistry.sol/DocumentRegistry.json" with { type: "json" };
import forwarderArtifact from "../../artifacts/contracts/Forwarder.sol/Forwarder.json" with { type: "json" };
import referencesArtifact from "../../artifacts/contracts/DocumentReferences.sol/DocumentReferences.json" with { type: "json" };
import type { Deployment } from "../../sdk/deployment.js";
import { maxPublicBatch, type TransactionLimits } from "../../sdk/limits.js";
import { LOCAL_CHAIN_IDS } from "../demo.js";
import { MIN_BESU_VERSION } from "./init.js";

export type CheckStatus = "pass" | "warn" | "fail";

/** One line of the report: `fix` says what to do when the status is not "pass". */
export interface Check {
  id: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

export interface DoctorReport {
  rpc: string;
  /** No check failed (warnings allowed). */
  ok: boolean;
  checks: Check[];
}

export interface DoctorOptions {
  rpc: string;
  /** The deployment to check the node against; without one the contracts are not checked. */
  deployment?: Deployment;
  /** The batch limits the SDK, CLI and API are configured with. */
  limits: TransactionLimits;
  /** The relayer's address (the API's TRADEPROOF_RELAYER_KEY), to check it can pay where gas is not free. */
  relayer?: string;
  /** The block period the network is meant to have, in seconds. */
  blockPeriod?: number;
}

interface Artifact {
  contractName: string;
  deployedBytecode: string;
  immutableReferences?: Record<string, { start: number; length: number }[]>;
}
const ARTIFACTS: Record<"registry" | "council" | "forwarder" | "references", Artifact> = {
  registry: registryArtifact as Artifact,
  council: councilArtifact as Artifact,
  forwarder: forwarderArtifact as Artifact,
  references: referencesArtifact as Artifact,
};

/** EVM features newer than the original instruction set, the fork that brought each, and code that uses it once. */
const FEATURES: { opcode: number; name: string; fork: string; genesis: string; inputs: number; outputs: number }[] = [
  { opcode: 0x46, name: "CHAINID", fork: "Istanbul", genesis: "istanbulBlock", inputs: 0, outputs: 1 },
  { opcode: 0x47, name: "SELFBALANCE", fork: "Istanbul", genesis: "istanbulBlock", inputs: 0, outputs: 1 },
  { opcode: 0x48, name: "BASEFEE", fork: "London", genesis: "londonBlock", inputs: 0, outputs: 1 },
  { opcode: 0x5f, name: "PUSH0", fork: "Shanghai", genesis: "shanghaiTime", inputs: 0, outputs: 1 },
  { opcode: 0x5c, name: "TLOAD", fork: "Cancun", genesis: "cancunTime", inputs: 1, outputs: 1 },
  { opcode: 0x5d, name: "TSTORE", fork: "Cancun", genesis: "cancunTime", inputs: 2, outputs: 0 },
  { opcode: 0x5e, name: "MCOPY", fork: "Cancun", genesis: "cancunTime", inputs: 3, outputs: 0 },
  { opcode: 0x49, name: "BLOBHASH", fork: "Cancun", genesis: "cancunTime", inputs: 1, outputs: 1 },
  { opcode: 0x4a, name: "BLOBBASEFEE", fork: "Cancun", genesis: "cancunTime", inputs: 0, outputs: 1 },
  { opcode: 0x1e, name: "CLZ", fork: "Osaka", genesis: "osakaTime", inputs: 1, outputs: 1 },
];

/** Creation code that executes `feature` once and returns empty code: it succeeds exactly where the EVM has it. */
export function probeCode(feature: { opcode: number; inputs: number; outputs: number }): string {
  const push0 = "6000"; // PUSH1 0, not PUSH0: the probe must not depend on Shanghai itself
  const op = feature.opcode.toString(16).padStart(2, "0");
  return `0x${push0.repeat(feature.inputs)}${op}${"50".repeat(feature.outputs)}${push0}${push0}f3`;
}

/** The opcodes a contract's code executes: PUSH data and the trailing CBOR metadata are skipped. */
export function opcodesOf(bytecode: string): Set<number> {
  const code = Buffer.from(bytecode.replace(/^0x/, ""), "hex");
  // solc ends the code with CBOR metadata whose length is the last two bytes.
  const end = code.length >= 2 ? Math.max(0, code.length - 2 - code.readUInt16BE(code.length - 2)) : code.length;
  const seen = new Set<number>();
  for (let i = 0; i < end; i++) {
    const op = code[i]!;
    seen.add(op);
    if (op >= 0x60 && op <= 0x7f) i += op - 0x5f;
  }
  return seen;
}

/** The code as deployed with its immutables (set by the constructor) blanked, to compare with the build's. */
function maskImmutables(code: string, artifact: Artifact): string {
  const bytes = Buffer.from(code.replace(/^0x/, ""), "hex");
  for (const refs of Object.values(artifact.immutableReferences ?? {})) {
    for (const { start, length } of refs) if (start + length <= bytes.length) bytes.fill(0, start, start + length);
  }
  return bytes.toString("hex");
}

/** A JSON-RPC call with a timeout; the node's error message is thrown as the error's message. */
async function call<T>(rpc: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(rpc, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { result?: T; error?: { message?: string } };
  if (body.error) throw new Error(body.error.message ?? JSON.stringify(body.error));
  return body.result as T;
}

/** "besu/v26.8.1/linux-x86_64/openjdk-java-21" → [26, 8, 1]; undefined for another client. */
export function besuVersion(clientVersion: string): [number, number, number] | undefined {
  const m = /^besu\/v?(\d+)\.(\d+)\.(\d+)/i.exec(clientVersion);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function atLeast(v: [number, number, number], min: string): boolean {
  const m = min.split(".").map(Number);
  for (let i = 0; i < 3; i++) if (v[i]! !== m[i]!) return v[i]! > m[i]!;
  return true;
}

const fmt = (n: bigint | number) => n.toLocaleString("en");

/** Runs every check against the node at `opts.rpc`. An unreachable node is one failed check, and the rest are skipped. */
export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);
  const done = (): DoctorReport => ({ rpc: opts.rpc, ok: checks.every((c) => c.status !== "fail"), checks });

  let chainId: number;
  try {
    chainId = Number(BigInt(await call<string>(opts.rpc, "eth_chainId")));
  } catch (e) {
    add({
      id: "node",
      status: "fail",
      message: `no answer from ${opts.rpc} (${(e as Error).message})`,
      fix: "check the URL, that the node runs, and that its JSON-RPC listens on that address (rpc-http-host) and allows this host (host-allowlist)",
    });
    return done();
  }
  add({ id: "node", status: "pass", message: `${opts.rpc} answers` });

  // Chain id.
  if (!opts.deployment) {
    add({ id: "chain-id", status: "warn", message: `chain ${chainId}; no deployment file, so nothing to compare it with`, fix: "pass --deployment FILE" });
  } else if (opts.deployment.chainId !== chainId) {
    add({
      id: "chain-id",
      status: "fail",
      message: `the node serves chain ${chainId}, the deployment is for chain ${opts.deployment.chainId}`,
      fix: "point --rpc at a node of the deployment's network, or --deployment at this network's file",
    });
  } else {
    add({ id: "chain-id", status: "pass", message: `chain ${chainId}, as the deployment says` });
  }

  // Client and version.
  const client = await call<string>(opts.rpc, "web3_clientVersion").catch(() => "unknown client (web3_clientVersion is closed)");
  const besu = besuVersion(client);
  if (!besu) {
    add({
      id: "client",
      status: "warn",
      message: `${client}: not Besu (fine for development)`,
      fix: `a consortium network runs Hyperledger Besu ${MIN_BESU_VERSION} or later with QBFT (tradeproof network init)`,
    });
  } else if (!atLeast(besu, MIN_BESU_VERSION)) {
    add({
      id: "client",
      status: "warn",
      message: `${client}: older than Besu ${MIN_BESU_VERSION}`,
      fix: `upgrade to ${MIN_BESU_VERSION} or later: it fixed a QBFT block-building delay, and free-gas networks needed fixes up to 26.7.1`,
    });
  } else {
    add({ id: "client", status: "pass", message: client });
  }

  // EVM features the contracts use.
  const used = new Set<number>();
  for (const a of Object.values(ARTIFACTS)) for (const op of opcodesOf(a.deployedBytecode)) used.add(op);
  const needed = FEATURES.filter((f) => used.has(f.opcode));
  const missing: typeof needed = [];
  for (const f of needed) {
    try {
      await call(opts.rpc, "eth_call", [{ data: probeCode(f) }, "latest"]);
    } catch {
      missing.push(f);
    }
  }
  const names = (list: typeof needed) => list.map((f) => `${f.name} (${f.fork})`).join(", ");
  if (missing.length > 0) {
    add({
      id: "evm",
      status: "fail",
      message: `the node's EVM lacks ${names(missing)}, which the contracts use`,
      fix: `activate the fork in the genesis (${[...new Set(missing.map((f) => f.genesis))].join(", ")}: 0), or compile for an older EVM`,
    });
  } else {
    add({ id: "evm", status: "pass", message: `the EVM has what the contracts use: ${names(needed)}` });
  }

  // Gas price and base fee.
  const latest = await call<{ number: string; timestamp: string; gasLimit: string; baseFeePerGas?: string }>(opts.rpc, "eth_getBlockByNumber", ["latest", false]);
  const gasPrice = BigInt(await call<string>(opts.rpc, "eth_gasPrice"));
  const baseFee = BigInt(latest.baseFeePerGas ?? "0x0");
  const gasFree = gasPrice === 0n && baseFee === 0n;
  const gasFix = "a consortium network charges no gas: min-gas-price=0 in each node's config.toml and \"zeroBaseFee\": true in the genesis";
  const priced = `gas price ${fmt(gasPrice)} wei, base fee ${fmt(baseFee)} wei`;
  if (gasFree) {
    add({ id: "gas", status: "pass", message: "gas is free: gas price 0, base fee 0" });
  } else if (LOCAL_CHAIN_IDS.includes(chainId)) {
    // A development node (anvil's or Hardhat's defaults) quotes a price but funds its accounts.
    add({ id: "gas", status: "warn", message: `gas is not free (${priced}) on development chain ${chainId}, whose accounts hold ether`, fix: gasFix });
  } else {
    add({ id: "gas", status: "fail", message: `gas is not free: ${priced}`, fix: gasFix });
  }

  // Block period, from the last blocks' times.
  const head = Number(BigInt(latest.number));
  const span = Math.min(head, 10);
  if (span < 2) {
    add({ id: "block-period", status: "warn", message: `only ${head + 1} block(s) so far: no block period to measure yet` });
  } else {
    const times: number[] = [];
    for (let n = head - span; n <= head; n++) {
      const b = await call<{ timestamp: string }>(opts.rpc, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false]);
      times.push(Number(BigInt(b.timestamp)));
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)]!;
    const age = Math.round(Date.now() / 1000) - times[times.length - 1]!;
    const measured = `a block every ${median} s (median of the last ${gaps.length}); newest ${age} s old`;
    if (opts.blockPeriod !== undefined && Math.abs(median - opts.blockPeriod) > 1) {
      add({ id: "block-period", status: "fail", message: `${measured}, not ${opts.blockPeriod} s`, fix: "check blockperiodseconds in the genesis and that every validator is up (a slow round means one is missing)" });
    } else if (besu && median > 0 && age > Math.max(60, 5 * median)) {
      add({ id: "block-period", status: "fail", message: `${measured}: the chain has stopped`, fix: "more than a third of the validators may be down: check each node's peers and logs" });
    } else {
      add({ id: "block-period", status: "pass", message: median === 0 ? `blocks mined on demand, several a second; newest ${age} s old` : measured });
    }
  }

  // The contracts at the deployment's addresses.
  if (!opts.deployment) {
    add({ id: "contracts", status: "warn", message: "no deployment file: the registry, council and forwarder were not checked", fix: "pass --deployment FILE" });
  } else {
    for (const role of ["registry", "council", "forwarder", "references"] as const) {
      const at = opts.deployment[role];
      if (at === undefined) {
        add({ id: role, status: "warn", message: "the deployment has no references contract (made before it existed): documents cannot be found by number", fix: "deploy the ledger again to use references" });
        continue;
      }
      const artifact = ARTIFACTS[role];
      const code = await call<string>(opts.rpc, "eth_getCode", [at, "latest"]);
      if (code === "0x") {
        add({ id: role, status: "fail", message: `no contract at ${at} (the ${role} of the deployment)`, fix: "deploy with `tradeproof deploy`, or point --deployment at this network's file" });
      } else if (maskImmutables(code, artifact) !== maskImmutables(artifact.deployedBytecode, artifact)) {
        add({
          id: role,
          status: "fail",
          message: `the code at ${at} is not this build's ${artifact.contractName}`,
          fix: "another contract or another version of Tradeproof is deployed there: check the deployment file, or upgrade the CLI to the deployed version",
        });
      } else {
        add({ id: role, status: "pass", message: `${artifact.contractName} of this build at ${at}` });
      }
    }
  }

  // The relayer.
  if (gasFree) {
    add({ id: "relayer", status: "pass", message: "the relayer needs no ether (gas is free)" });
  } else if (!opts.relayer) {
    add({ id: "relayer", status: "warn", message: "gas is not free and no relayer was named: its balance was not checked", fix: "pass --relayer ADDRESS, or set TRADEPROOF_RELAYER_KEY" });
  } else {
    const balance = BigInt(await call<string>(opts.rpc, "eth_getBalance", [opts.relayer, "latest"]));
    const price = gasPrice > baseFee ? gasPrice : baseFee;
    const oneFullBatch = price * BigInt(opts.limits.maxTxGas);
    add(
      balance >= oneFullBatch
        ? { id: "relayer", status: "pass", message: `the relayer ${opts.relayer} holds ${formatEther(balance)} ether` }
        : {
            id: "relayer",
            status: "fail",
            message: `the relayer ${opts.relayer} holds ${formatEther(balance)} ether, less than one full transaction costs (${formatEther(oneFullBatch)})`,
            fix: "fund the relayer, or make gas free",
          },
    );
  }

  // The batch limits against the node's.
  const blockGas = BigInt(latest.gasLimit);
  const batch = maxPublicBatch(opts.limits);
  const limits = `${fmt(opts.limits.maxTxBytes)} bytes, ${fmt(opts.limits.maxTxGas)} gas a transaction`;
  if (BigInt(opts.limits.maxTxGas) > blockGas) {
    add({
      id: "limits",
      status: "fail",
      message: `batch limits (${limits}) exceed the block gas limit ${fmt(blockGas)}`,
      fix: `set TRADEPROOF_MAX_TX_GAS to ${fmt(blockGas)} or less, or raise the genesis gasLimit`,
    });
  } else if (besu && opts.limits.maxTxBytes > 131_072) {
    add({ id: "limits", status: "fail", message: `batch limits (${limits}): Besu refuses a transaction over 131,072 bytes`, fix: "set TRADEPROOF_MAX_TX_BYTES to 131072 or less" });
  } else {
    add({
      id: "limits",
      status: "pass",
      message: `batch limits (${limits}; ${fmt(batch.documents)} documents a public batch transaction) fit the block gas limit ${fmt(blockGas)}`,
    });
  }

  return done();
}

/** The relayer's address from its private key (the API's TRADEPROOF_RELAYER_KEY). */
export function relayerAddress(privateKey: string): string {
  return computeAddress(privateKey);
}
