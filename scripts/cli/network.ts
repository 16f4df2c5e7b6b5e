// `tradeproof network init`: writes the files of a Besu QBFT network (keys, genesis, node configs, compose file).
import { Command } from "commander";
import pc from "picocolors";
import { UsageError } from "./errors.js";
import { intArg } from "./inputs.js";

interface InitOptions {
  validators: number;
  chainId: number;
  blockPeriod: number;
  out: string;
  gasLimit?: number;
  image?: string;
  dev?: boolean;
}

export function networkCommand(): Command {
  const network = new Command("network").summary("set up a Besu QBFT network for the ledger").description(
    "Writes what a consortium needs to run the ledger on Hyperledger Besu with QBFT. Check a node with `tradeproof doctor`.",
  );
  network
    .command("init")
    .summary("write the keys, genesis, node configurations and compose file of a QBFT network")
    .description(
      "Writes, under --out: genesis.json (QBFT, the validators in extraData, zero base fee), and for each validator a folder " +
        "with its node key (mode 600, the only secret), config.toml (JSON-RPC on its private address only, min-gas-price 0), " +
        "static nodes and a local node allowlist; compose.yaml runs them from the official Besu image. " +
        "Fewer than 4 validators are refused unless --dev is given: QBFT needs 4 to survive one faulty node.",
    )
    .requiredOption("--validators <n>", "number of validators (at least 4; fewer with --dev)", intArg("--validators", 100))
    .requiredOption("--chain-id <id>", "the network's chain id (one of your own)", intArg("--chain-id", 2 ** 53 - 1))
    .option("--block-period <seconds>", "seconds between blocks", intArg("--block-period", 60), 2)
    .requiredOption("--out <dir>", "a new or empty folder for the files")
    .option("--gas-limit <gas>", "block gas limit (at least 16,777,216)", intArg("--gas-limit", 2 ** 53 - 1))
    .option("--image <image>", "Besu image (26.8.1 or later)")
    .option("--dev", "allow fewer than 4 validators (no fault tolerance: for trying things only)")
    .addHelpText(
      "after",
      "\nExample:\n  $ tradeproof network init --validators 4 --chain-id 2026 --block-period 2 --out qbft/\n  $ cd qbft && TRADEPROOF_NODE_UID=$(id -u) TRADEPROOF_NODE_GID=$(id -g) docker compose up -d",
    )
    .action(async (opts: InitOptions) => {
      const { checkNetworkOptions, initNetwork } = await import("../network/init.js");
      const options = {
        validators: opts.validators,
        chainId: opts.chainId,
        blockPeriodSeconds: opts.blockPeriod,
        out: opts.out,
        gasLimit: opts.gasLimit,
        image: opts.image,
        dev: opts.dev,
      };
      const problem = checkNetworkOptions(options);
      if (problem) throw new UsageError(problem);
      let result;
      try {
        result = await initNetwork(options);
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
      const lines = [
        `QBFT network of chain ${opts.chainId} written to ${opts.out}: ${result.validators.length} validator(s), a block every ${opts.blockPeriod} s`,
        ...result.validators.map((v) => `  ${v.name.padEnd(13)} ${v.address}  ${v.host}`),
        `secrets: ${result.validators.map((v) => `${v.name}/key`).join(", ")} (mode 600): give each to the organisation that runs it`,
        `next: cd ${opts.out} && TRADEPROOF_NODE_UID=$(id -u) TRADEPROOF_NODE_GID=$(id -g) docker compose up -d; then tradeproof doctor --rpc http://127.0.0.1:8545`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
      if (result.warning) process.stderr.write(`${pc.yellow("warning:")} ${result.warning}\n`);
    });
  return network;
}
