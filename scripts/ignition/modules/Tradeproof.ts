import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** Organisation kinds that may register document types without a policy: TRADER and ISSUING_AUTHORITY
 * (bits 1 and 2 of the registry's {OrgKind} bit set). */
const DEFAULT_KINDS = (1 << 1) | (1 << 2);

/** Seven days: long enough for governors in several time zones to review a proposal. */
const DEFAULT_LIFETIME = 7 * 24 * 3600;

/**
 * Deploys the Tradeproof ledger: the ERC-2771 forwarder, the M-of-N council, the document registry
 * governed by that council and trusting that forwarder, and the references filed against that registry.
 *
 * Parameters (module id `Tradeproof`):
 * - `governors` (address[], required): the first governors of the council.
 * - `threshold` (number, default 2): approvals a proposal needs; at least 2 unless there is one governor.
 * - `lifetime` (seconds, default 7 days): how long a proposal stays open, between one hour and a year.
 * - `defaultKinds` (bit set by OrgKind, default TRADER | ISSUING_AUTHORITY): who may register types
 *   without a policy of their own.
 *
 * From the command line (deployments are journaled under scripts/ignition/deployments/chain-<id>/):
 * ```sh
 * npx hardhat ignition deploy scripts/ignition/modules/Tradeproof.ts --network localhost --parameters params.json
 * ```
 * with params.json `{ "Tradeproof": { "governors": ["0x…", "0x…", "0x…"], "threshold": 2 } }`.
 *
 * @example
 * ```ts
 * import { network } from "hardhat";
 * import Tradeproof from "./scripts/ignition/Tradeproof.js";
 *
 * const { ignition } = await network.create();
 * const { registry, council, forwarder } = await ignition.deploy(Tradeproof, {
 *   parameters: { Tradeproof: { governors: ["0x…", "0x…", "0x…"], threshold: 2 } },
 * });
 * ```
 */
export default buildModule("Tradeproof", (m) => {
  // No default: governing keys must be chosen on purpose, never inherited from a dev account list.
  const governors = m.getParameter<string[]>("governors");
  const threshold = m.getParameter("threshold", 2);
  const lifetime = m.getParameter("lifetime", DEFAULT_LIFETIME);
  const defaultKinds = m.getParameter("defaultKinds", DEFAULT_KINDS);

  const forwarder = m.contract("Forwarder");
  const council = m.contract("Council", [governors, threshold, lifetime, forwarder]);
  const registry = m.contract("DocumentRegistry", [council, forwarder, defaultKinds]);
  const references = m.contract("DocumentReferences", [registry, forwarder]);

  return { forwarder, council, registry, references };
});
