// `tradeproof network init`: the files of a Besu QBFT network of N validators, ready for `docker compose up`.
// Only the validators' `key` files hold secrets; everything else may be shared, reviewed and committed by the consortium.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Wallet } from "ethers";
import { stringify as toToml } from "smol-toml";
import { stringify as toYaml } from "yaml";
import { MAX_TX_GAS, qbftGenesis } from "./qbft-genesis.js";

/** Besu 26.8.1 fixed a QBFT block-building delay, and free-gas networks needed fixes up to 26.7.1. */
export const MIN_BESU_VERSION = "26.8.1";
export const DEFAULT_BESU_IMAGE = `hyperledger/besu:${MIN_BESU_VERSION}`;
/** QBFT tolerates f faulty validators out of 3f + 1: one needs four. */
export const MIN_BFT_VALIDATORS = 4;
/**
 * The JSON-RPC APIs a node opens: ETH, NET and WEB3 are what the SDK, the CLI, the API and `doctor` call; QBFT is the
 * operators' (validator votes). ADMIN, DEBUG, TXPOOL, MINER and the like stay closed.
 */
export const RPC_APIS = ["ETH", "NET", "WEB3", "QBFT"];

const SUBNET = "172.16.239";
const FIRST_HOST = 11;
const P2P_PORT = 30303;
const RPC_PORT = 8545;
const METRICS_PORT = 9545;
/** Inside the container: the shared files, the node's own files, and its database (never /opt/besu, the image's home). */
const CONFIG_DIR = "/config";
const DATA_DIR = "/var/lib/besu";

export interface NetworkInitOptions {
  validators: number;
  chainId: number;
  blockPeriodSeconds: number;
  out: string;
  gasLimit?: number;
  image?: string;
  /** Fewer than four validators: a network for trying things, with no fault tolerance. */
  dev?: boolean;
}

export interface ValidatorFiles {
  name: string;
  address: string;
  enode: string;
  host: string;
}

export interface NetworkInitResult {
  validators: ValidatorFiles[];
  files: string[];
  /** What a network of fewer than four validators gives up, when --dev allowed one. */
  warning?: string;
}

/** Refuses what would not make a working network, with the reason in the caller's terms. */
export function checkNetworkOptions(opts: NetworkInitOptions): string | undefined {
  if (!Number.isInteger(opts.validators) || opts.validators < 1) return "--validators: at least 1";
  if (opts.validators > 100) return "--validators: at most 100 here (the compose file gives each a host in one /24 subnet)";
  if (opts.validators < MIN_BFT_VALIDATORS && !opts.dev) {
    return (
      `--validators ${opts.validators}: QBFT needs at least ${MIN_BFT_VALIDATORS} validators to keep going with one of them faulty or down. ` +
      "Give --validators 4 or more, or --dev for a network to try things on"
    );
  }
  if (!Number.isInteger(opts.chainId) || opts.chainId < 1) return "--chain-id: a positive integer";
  if ([1, 5, 10, 56, 100, 137, 8453, 42161, 11155111, 17000].includes(opts.chainId)) {
    return `--chain-id ${opts.chainId} belongs to a public network: choose an id of your own (https://chainlist.org lists those taken)`;
  }
  if (!Number.isInteger(opts.blockPeriodSeconds) || opts.blockPeriodSeconds < 1) return "--block-period: whole seconds, at least 1";
  if (opts.gasLimit !== undefined && opts.gasLimit < MAX_TX_GAS) {
    return `--gas-limit ${opts.gasLimit}: a block must hold the largest transaction the network admits (${MAX_TX_GAS.toLocaleString("en")} gas under Osaka)`;
  }
  return undefined;
}

/** What running fewer than four validators gives up. */
export function devWarning(validators: number): string {
  const needed = Math.floor((2 * validators) / 3) + 1;
  return (
    `${validators} validator${validators === 1 ? "" : "s"}: no fault tolerance. QBFT needs ${needed} of ${validators} to make a block, ` +
    `so ${validators === 1 ? "the one node stopping" : "any one of them stopping"} stops the ledger, and ` +
    `${validators === 1 ? "that node alone" : "a single faulty node"} can ${validators === 1 ? "write any history" : "stall it"}. For development only`
  );
}

/** Writes the network's files under `opts.out` (which must be empty or absent). */
export async function initNetwork(opts: NetworkInitOptions): Promise<NetworkInitResult> {
  const problem = checkNetworkOptions(opts);
  if (problem) throw new RangeError(problem);
  await mkdir(opts.out, { recursive: true });
  const present = await readdir(opts.out);
  if (present.length > 0) throw new RangeError(`--out ${opts.out} is not empty: give a new folder (keys are never overwritten)`);

  const files: string[] = [];
  const write = async (rel: string, text: string, mode = 0o644) => {
    await writeFile(join(opts.out, rel), text, { mode, flag: "wx" });
    files.push(rel);
  };

  const nodes = Array.from({ length: opts.validators }, (_, i) => {
    const wallet = Wallet.createRandom();
    const host = `${SUBNET}.${FIRST_HOST + i}`;
    return {
      name: `validator-${i + 1}`,
      wallet,
      host,
      address: wallet.address,
      enode: `enode://${wallet.signingKey.publicKey.slice(4)}@${host}:${P2P_PORT}`,
    };
  });

  const genesis = qbftGenesis({
    chainId: opts.chainId,
    blockPeriodSeconds: opts.blockPeriodSeconds,
    validators: nodes.map((n) => n.address),
    gasLimit: opts.gasLimit ?? 30_000_000,
  });
  await write("genesis.json", `${JSON.stringify(genesis, null, 2)}\n`);

  for (const node of nodes) {
    await mkdir(join(opts.out, node.name), { mode: 0o700 });
    // Besu reads the node key as hex; only the node's own user may read it.
    await write(`${node.name}/key`, `${node.wallet.privateKey}\n`, 0o600);
    await write(`${node.name}/key.pub`, `${node.wallet.signingKey.publicKey.replace(/^0x04/, "0x")}\n`);
    await write(`${node.name}/address`, `${node.address}\n`);
    const others = nodes.filter((n) => n !== node).map((n) => n.enode);
    await write(`${node.name}/static-nodes.json`, `${JSON.stringify(others, null, 2)}\n`);
    await write(
      `${node.name}/permissions_config.toml`,
      `# The nodes this node may talk to (Besu's local node allowlist). Add an enode here on every node before it joins.\n` +
        toToml({ "nodes-allowlist": nodes.map((n) => n.enode) }) +
        "\n",
    );
    await write(`${node.name}/config.toml`, nodeConfig(node.host));
    // The node's database: created here, so that it belongs to the operator and not to the Docker daemon.
    await mkdir(join(opts.out, "data", node.name), { recursive: true, mode: 0o700 });
  }

  await write("compose.yaml", compose(nodes, opts.image ?? DEFAULT_BESU_IMAGE));
  await write("README.md", networkReadme(opts, nodes));
  return {
    validators: nodes.map(({ name, address, enode, host }) => ({ name, address, enode, host })),
    files,
    warning: opts.validators < MIN_BFT_VALIDATORS ? devWarning(opts.validators) : undefined,
  };
}

/** A validator's Besu configuration: RPC on its private address only, free gas, static peers, a local allowlist. */
function nodeConfig(host: string): string {
  const config = {
    "data-path": DATA_DIR,
    "genesis-file": `${CONFIG_DIR}/genesis.json`,
    "node-private-key-file": `${CONFIG_DIR}/node/key`,
    "p2p-host": host,
    "p2p-port": P2P_PORT,
    "discovery-enabled": false,
    "static-nodes-file": `${CONFIG_DIR}/node/static-nodes.json`,
    "permissions-nodes-config-file-enabled": true,
    "permissions-nodes-config-file": `${CONFIG_DIR}/node/permissions_config.toml`,
    "sync-mode": "FULL",
    "min-gas-price": 0,
    "rpc-http-enabled": true,
    "rpc-http-host": host,
    "rpc-http-port": RPC_PORT,
    "rpc-http-api": RPC_APIS,
    "host-allowlist": ["localhost", "127.0.0.1", host],
    "rpc-ws-enabled": false,
    "graphql-http-enabled": false,
    "metrics-enabled": true,
    "metrics-host": host,
    "metrics-port": METRICS_PORT,
    logging: "INFO",
  };
  return (
    "# Besu configuration of one Tradeproof validator (tradeproof network init). Every path is inside the container.\n" +
    "# JSON-RPC and metrics listen on the node's private address only; put a TLS proxy or VPN in front for other hosts.\n" +
    `${toToml(config)}\n`
  );
}

/** Docker Compose: one service a validator on a private bridge network; only validator-1's RPC is published, on 127.0.0.1. */
function compose(nodes: { name: string; host: string }[], image: string): string {
  const services = Object.fromEntries(
    nodes.map((n, i) => [
      n.name,
      {
        image,
        restart: "unless-stopped",
        command: [`--config-file=${CONFIG_DIR}/node/config.toml`],
        // The operator's own user, so that the container can read the key (mode 600) and write the database folder.
        user: "${TRADEPROOF_NODE_UID:-1000}:${TRADEPROOF_NODE_GID:-1000}",
        volumes: [`./genesis.json:${CONFIG_DIR}/genesis.json:ro`, `./${n.name}:${CONFIG_DIR}/node:ro`, `./data/${n.name}:${DATA_DIR}`],
        networks: { qbft: { ipv4_address: n.host } },
        ...(i === 0 ? { ports: [`127.0.0.1:${RPC_PORT}:${RPC_PORT}`] } : {}),
      },
    ]),
  );
  const doc = {
    name: "tradeproof-qbft",
    services,
    networks: { qbft: { driver: "bridge", ipam: { config: [{ subnet: `${SUBNET}.0/24` }] } } },
  };
  return (
    "# A Tradeproof QBFT network (tradeproof network init). Start, as the user who owns these files:\n" +
    "#   TRADEPROOF_NODE_UID=$(id -u) TRADEPROOF_NODE_GID=$(id -g) docker compose up -d\n" +
    toYaml(doc)
  );
}

function networkReadme(opts: NetworkInitOptions, nodes: { name: string; address: string; enode: string }[]): string {
  return `# Tradeproof QBFT network, chain ${opts.chainId}

Written by \`tradeproof network init\`: ${nodes.length} validator${nodes.length === 1 ? "" : "s"}, a block every ${opts.blockPeriodSeconds} s,
zero gas price, Besu ${opts.image ?? DEFAULT_BESU_IMAGE}.

| validator | address | enode |
| --- | --- | --- |
${nodes.map((n) => `| ${n.name} | ${n.address} | ${n.enode} |`).join("\n")}

Secrets: only \`validator-*/key\` (mode 600). Give each validator's folder to the organisation that runs it and keep
the key out of version control; in production move it into an HSM or vault (Besu's \`--security-module\`). Everything
else here is public and the same for every member.

Start with \`TRADEPROOF_NODE_UID=$(id -u) TRADEPROOF_NODE_GID=$(id -g) docker compose up -d\` (the nodes run as the
user who owns these files; their databases are in \`data/\`); the runbook (adding a validator, backups, monitoring, upgrades) is in the
Tradeproof README, "From one machine to a consortium". Check a node with
\`npx tradeproof doctor --rpc http://127.0.0.1:8545\`.
`;
}
