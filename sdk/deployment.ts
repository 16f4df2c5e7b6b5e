import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { getAddress, type Signer } from "ethers";
import { z } from "zod";
import { Council__factory, DocumentReferences__factory, DocumentRegistry__factory, Forwarder__factory } from "../types/ethers-contracts/index.js";
import { InvalidArgumentError, atBoundary } from "./errors.js";
import { waitForReceipt } from "./wait.js";
import { ORG_KINDS, type Hex, type OrgKind } from "./types.js";

/** Where the ledger lives: the chain and the three contracts' addresses. */
export interface Deployment {
  chainId: number;
  /** The DocumentRegistry. */
  registry: Hex;
  /** The Council that governs it. */
  council: Hex;
  /** The ERC-2771 forwarder both trust. */
  forwarder: Hex;
  /**
   * The DocumentReferences contract (documents filed under their numbers). Absent from a deployment made before it
   * existed: references are then unavailable, everything else works.
   */
  references?: Hex;
  /** The block the ledger was deployed in: event queries start there. */
  startBlock: number;
}

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "an address")
  .transform((s) => getAddress(s) as Hex);

const DeploymentSchema = z.object({
  chainId: z.number().int().positive(),
  registry: address,
  council: address,
  forwarder: address,
  references: address.optional(),
  startBlock: z.number().int().nonnegative().default(0),
});

/** Ignition's `deployed_addresses.json` of the `Tradeproof` module (scripts/ignition/Tradeproof.ts). */
const IgnitionSchema = z.object({
  "Tradeproof#DocumentRegistry": address,
  "Tradeproof#Council": address,
  "Tradeproof#Forwarder": address,
  "Tradeproof#DocumentReferences": address.optional(),
});

/**
 * Reads a deployment: either a JSON file shaped like {@link Deployment}, or Ignition's
 * `ignition/deployments/chain-<id>/deployed_addresses.json` (the chain id is taken from the folder name and
 * the start block is 0).
 *
 * @example
 * ```ts
 * import { loadDeployment } from "./sdk/index.js";
 * const deployment = await loadDeployment("data/deployment.json");
 * ```
 */
export async function loadDeployment(file: string): Promise<Deployment> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new InvalidArgumentError(`The deployment file ${file} cannot be read as JSON: ${(e as Error).message}`);
  }
  const own = DeploymentSchema.safeParse(json);
  if (own.success) return own.data;
  const ignition = IgnitionSchema.safeParse(json);
  const chain = /^chain-(\d+)$/.exec(basename(dirname(file)));
  if (ignition.success && chain) {
    return {
      chainId: Number(chain[1]),
      registry: ignition.data["Tradeproof#DocumentRegistry"],
      council: ignition.data["Tradeproof#Council"],
      forwarder: ignition.data["Tradeproof#Forwarder"],
      ...(ignition.data["Tradeproof#DocumentReferences"] ? { references: ignition.data["Tradeproof#DocumentReferences"] } : {}),
      startBlock: 0,
    };
  }
  const issue = own.error.issues[0]!;
  throw new InvalidArgumentError(`The deployment file ${file} is not a deployment: ${issue.path.join(".")}: ${issue.message}.`);
}

/**
 * OrgKind names → the registry's bit set of kinds (bit i for the i-th kind of the contract's enum).
 *
 * @example
 * ```ts
 * import { kindBits } from "./sdk/index.js";
 * kindBits(["TRADER", "ISSUING_AUTHORITY"]); // 0b110 = 6
 * ```
 */
export function kindBits(kinds: readonly OrgKind[]): number {
  return kinds.reduce((bits, kind) => {
    const index = ORG_KINDS.indexOf(kind);
    if (index < 1) throw new InvalidArgumentError(`${kind} is not an organisation kind.`);
    return bits | (1 << index);
  }, 0);
}

/** Seven days, as the Ignition module. */
const DEFAULT_LIFETIME = 7 * 24 * 3600;

/**
 * Deploys the ledger with `signer`: the forwarder, the council (`governors`, `threshold`, `proposalLifetime`
 * seconds, 7 days by default) and the registry (document types without a policy may be registered by
 * `defaultKinds`, TRADER and ISSUING_AUTHORITY by default). Waits for each deployment.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { deployLedger } from "./sdk/index.js";
 * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
 * const deployer = await provider.getSigner(0);
 * const governors = await Promise.all([0, 1, 2].map(async (i) => (await provider.getSigner(i)).address));
 * const deployment = await deployLedger(deployer, { governors, threshold: 2 });
 * ```
 */
export async function deployLedger(
  signer: Signer,
  opts: { governors: string[]; threshold: number; proposalLifetime?: number; defaultKinds?: OrgKind[] },
): Promise<Deployment> {
  if (!signer.provider) throw new InvalidArgumentError("The signer has no provider.");
  const provider = signer.provider;
  const ifaces = [Council__factory.createInterface(), DocumentRegistry__factory.createInterface()];
  return atBoundary(async () => {
    const { chainId } = await provider.getNetwork();
    const forwarder = await new Forwarder__factory(signer).deploy();
    const forwarderReceipt = await waitForReceipt(provider, forwarder.deploymentTransaction()!);
    const forwarderAddress = (await forwarder.getAddress()) as Hex;
    const council = await new Council__factory(signer).deploy(
      opts.governors,
      opts.threshold,
      opts.proposalLifetime ?? DEFAULT_LIFETIME,
      forwarderAddress,
    );
    await waitForReceipt(provider, council.deploymentTransaction()!);
    const councilAddress = (await council.getAddress()) as Hex;
    const registry = await new DocumentRegistry__factory(signer).deploy(
      councilAddress,
      forwarderAddress,
      kindBits(opts.defaultKinds ?? ["TRADER", "ISSUING_AUTHORITY"]),
    );
    await waitForReceipt(provider, registry.deploymentTransaction()!);
    const registryAddress = (await registry.getAddress()) as Hex;
    const references = await new DocumentReferences__factory(signer).deploy(registryAddress, forwarderAddress);
    await waitForReceipt(provider, references.deploymentTransaction()!);
    return {
      chainId: Number(chainId),
      registry: registryAddress,
      council: councilAddress,
      forwarder: forwarderAddress,
      references: (await references.getAddress()) as Hex,
      startBlock: forwarderReceipt.blockNumber,
    };
  }, ifaces);
}
