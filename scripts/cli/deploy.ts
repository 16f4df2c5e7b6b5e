// `tradeproof deploy`: deploys forwarder, council and registry and writes the deployment file.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import pc from "picocolors";
import type { Deployment } from "../../sdk/index.js";
import { DEFAULT_DEPLOYMENT, withSigner, type SignerOptions, ledger } from "./options.js";
import { UsageError } from "./errors.js";
import { intArg } from "./inputs.js";

interface DeployOptions extends SignerOptions {
  governor?: string[];
  threshold?: number;
  demo?: boolean;
  force?: boolean;
}

export function deployCommand(): Command {
  return withSigner(
    new Command("deploy")
      .summary("deploy the ledger contracts and write the deployment file")
      .description(
        "Deploys the forwarder, the council and the registry, and writes their addresses, the chain id and the start block " +
          "to the deployment file (--deployment). --demo deploys with the three demo governors (threshold 2) and seeds the " +
          "demo consortium; it signs with the PUBLIC Hardhat/anvil test mnemonic and works on a local chain only.",
      )
      .option("--governor <address...>", "council governors", collectAddress)
      .option("--threshold <m>", "approvals a council proposal needs", intArg("--threshold", 255))
      .option("--demo", "demo governors and consortium, from the public test mnemonic (local chains only)")
      .option("--force", "overwrite an existing deployment file"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  $ tradeproof deploy --demo --rpc http://127.0.0.1:8545" +
        "  $ TRADEPROOF_PRIVATE_KEY=… tradeproof deploy --governor 0x… --governor 0x… --governor 0x… --threshold 2",
    )
    .action(async (opts: DeployOptions) => {
      // A new deployment is written where it was asked for, or to ./data/deployment.json.
      const file = opts.deployment ?? DEFAULT_DEPLOYMENT;
      if (existsSync(file) && !opts.force) {
        throw new UsageError(`${file} exists already (pass --force to replace it, or another --deployment FILE)`);
      }
      const { detectChainId, loadSigner, providerFor } = await ledger();
      const { DEMO_MNEMONIC, deployDemoLedger, seedDemoConsortium } = await import("../demo.js");
      const { deployLedger } = await import("../../sdk/deployment.js");
      const { getAddress } = await import("ethers");
      const provider = providerFor(opts.rpc, await detectChainId(opts.rpc));
      let deployment: Deployment;
      if (opts.demo) {
        if (opts.governor || opts.threshold !== undefined) throw new UsageError("--demo chooses the governors and threshold itself");
        deployment = await deployDemoLedger(provider);
      } else {
        if (!opts.governor || opts.governor.length === 0) throw new UsageError("name the council's governors with --governor ADDRESS (repeatable)");
        const threshold = opts.threshold ?? Math.min(2, opts.governor.length);
        const governors = opts.governor.map((g) => {
          try {
            return getAddress(g);
          } catch {
            throw new UsageError(`--governor ${g}: its mixed-case checksum is wrong (check each letter, or give it in lower case)`);
          }
        });
        deployment = await deployLedger(await loadSigner(opts, provider), { governors, threshold });
      }
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, `${JSON.stringify(deployment, null, 2)}\n`);
      process.stdout.write(
        `deployed on chain ${deployment.chainId} at block ${deployment.startBlock}\n` +
          `  registry   ${deployment.registry}\n  council    ${deployment.council}\n  forwarder  ${deployment.forwarder}\n` +
          `written to ${file}\n`,
      );
      if (opts.demo) {
        const demo = await seedDemoConsortium({ provider, deployment });
        process.stdout.write(`demo consortium seeded: ${Object.entries(demo.organisations).map(([k, id]) => `${k} #${id}`).join(", ")}\n`);
        process.stdout.write(pc.yellow(`demo keys: the public test mnemonic "${DEMO_MNEMONIC}" (local use only)\n`));
        for (const a of demo.accounts) process.stdout.write(`  ${a.role.padEnd(10)} ${a.address}  ${a.privateKey}\n`);
      }
    });
}

/** Collects `--governor`: its form checked here, its checksum when the command runs (ethers is loaded then). */
function collectAddress(value: string, previous: string[] | undefined): string[] {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new InvalidArgumentError("not an Ethereum address (0x and 40 hex digits).");
  return [...(previous ?? []), value];
}
