import { getAddress, hexlify, toUtf8Bytes } from "ethers";
import { Council__factory, DocumentRegistry__factory } from "../types/ethers-contracts/index.js";
import type { GovernanceCall } from "./actions/council.js";
import type { Deployment } from "./deployment.js";
import { kindBits } from "./deployment.js";
import { InvalidArgumentError } from "./errors.js";
import { ORG_KINDS, type Hex, type OrgKind } from "./types.js";

// Pure call builders for council proposals: no connection needed, so a governor can prepare and review a
// proposal offline. Each returns `{ target, data }` for `client.propose([...], description)`.

const registryIface = DocumentRegistry__factory.createInterface();
const councilIface = Council__factory.createInterface();

const toRegistry = (d: Deployment, data: string): GovernanceCall => ({ target: getAddress(d.registry) as Hex, data: data as Hex });
const toCouncil = (d: Deployment, data: string): GovernanceCall => ({ target: getAddress(d.council) as Hex, data: data as Hex });

function countryBytes(country: string): string {
  if (!/^[A-Z]{2}$/.test(country)) throw new InvalidArgumentError(`${JSON.stringify(country)} is not an ISO 3166-1 alpha-2 code (two upper-case letters).`);
  return hexlify(toUtf8Bytes(country));
}

function kindIndex(kind: OrgKind): number {
  const index = ORG_KINDS.indexOf(kind);
  if (index < 1) throw new InvalidArgumentError(`${JSON.stringify(kind)} is not an organisation kind.`);
  return index;
}

/**
 * Call that admits an organisation with its first signing accounts.
 *
 * @example
 * ```ts
 * import { addOrganisationCall, loadDeployment } from "./sdk/index.js";
 * const call = addOrganisationCall(await loadDeployment("data/deployment.json"),
 *   { name: "Port Klang Customs", country: "MY", kind: "CUSTOMS", accounts: ["0x90F79bf6EB2c4f870365E785982E1f101E93b906"] });
 * ```
 */
export function addOrganisationCall(d: Deployment, org: { name: string; country: string; kind: OrgKind; accounts: string[] }): GovernanceCall {
  return toRegistry(d, registryIface.encodeFunctionData("addOrganisation", [org.name, countryBytes(org.country), kindIndex(org.kind), org.accounts]));
}

/**
 * Call that suspends an organisation: it can no longer write; what it anchored stays verifiable.
 *
 * @example
 * ```ts
 * import { suspendOrganisationCall, loadDeployment } from "./sdk/index.js";
 * const call = suspendOrganisationCall(await loadDeployment("data/deployment.json"), 3);
 * ```
 */
export function suspendOrganisationCall(d: Deployment, organisation: number): GovernanceCall {
  return toRegistry(d, registryIface.encodeFunctionData("setOrganisationActive", [organisation, false]));
}

/**
 * Call that reinstates a suspended organisation.
 *
 * @example
 * ```ts
 * import { reinstateOrganisationCall, loadDeployment } from "./sdk/index.js";
 * const call = reinstateOrganisationCall(await loadDeployment("data/deployment.json"), 3);
 * ```
 */
export function reinstateOrganisationCall(d: Deployment, organisation: number): GovernanceCall {
  return toRegistry(d, registryIface.encodeFunctionData("setOrganisationActive", [organisation, true]));
}

/**
 * Call that adds a signing account to an organisation.
 *
 * @example
 * ```ts
 * import { addAccountCall, loadDeployment } from "./sdk/index.js";
 * const call = addAccountCall(await loadDeployment("data/deployment.json"), { organisation: 2, account: "0x90F79bf6EB2c4f870365E785982E1f101E93b906" });
 * ```
 */
export function addAccountCall(d: Deployment, p: { organisation: number; account: string }): GovernanceCall {
  return toRegistry(d, registryIface.encodeFunctionData("addAccount", [p.organisation, p.account]));
}

/**
 * Call that removes a signing account (the organisation's history is untouched).
 *
 * @example
 * ```ts
 * import { removeAccountCall, loadDeployment } from "./sdk/index.js";
 * const call = removeAccountCall(await loadDeployment("data/deployment.json"), "0x90F79bf6EB2c4f870365E785982E1f101E93b906");
 * ```
 */
export function removeAccountCall(d: Deployment, account: string): GovernanceCall {
  return toRegistry(d, registryIface.encodeFunctionData("removeAccount", [account]));
}

/**
 * Call that replaces a signing account by another in one step (key rotation).
 *
 * @example
 * ```ts
 * import { rotateAccountCall, loadDeployment } from "./sdk/index.js";
 * const call = rotateAccountCall(await loadDeployment("data/deployment.json"),
 *   { oldAccount: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", newAccount: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65" });
 * ```
 */
export function rotateAccountCall(d: Deployment, p: { oldAccount: string; newAccount: string }): GovernanceCall {
  return toRegistry(d, registryIface.encodeFunctionData("rotateAccount", [p.oldAccount, p.newAccount]));
}

/**
 * Call that sets who may register a document type and how many approvals it needs (1 = none).
 *
 * @example
 * ```ts
 * import { setPolicyCall, loadDeployment } from "./sdk/index.js";
 * const call = setPolicyCall(await loadDeployment("data/deployment.json"), { docType: 861, allowedKinds: ["ISSUING_AUTHORITY"], approvals: 2 });
 * ```
 */
export function setPolicyCall(d: Deployment, p: { docType: number; allowedKinds: OrgKind[]; approvals: number }): GovernanceCall {
  return toRegistry(d, registryIface.encodeFunctionData("setDocumentPolicy", [p.docType, kindBits(p.allowedKinds), p.approvals]));
}

/**
 * Call that removes a document type's policy (it then follows the default).
 *
 * @example
 * ```ts
 * import { clearPolicyCall, loadDeployment } from "./sdk/index.js";
 * const call = clearPolicyCall(await loadDeployment("data/deployment.json"), 861);
 * ```
 */
export function clearPolicyCall(d: Deployment, docType: number): GovernanceCall {
  return toRegistry(d, registryIface.encodeFunctionData("clearDocumentPolicy", [docType]));
}

/**
 * Call that sets the policy of document types without one.
 *
 * @example
 * ```ts
 * import { setDefaultPolicyCall, loadDeployment } from "./sdk/index.js";
 * const call = setDefaultPolicyCall(await loadDeployment("data/deployment.json"), { allowedKinds: ["TRADER", "ISSUING_AUTHORITY"], approvals: 1 });
 * ```
 */
export function setDefaultPolicyCall(d: Deployment, p: { allowedKinds: OrgKind[]; approvals: number }): GovernanceCall {
  return toRegistry(d, registryIface.encodeFunctionData("setDefaultPolicy", [kindBits(p.allowedKinds), p.approvals]));
}

/**
 * Call that adds a governor to the council.
 *
 * @example
 * ```ts
 * import { addGovernorCall, loadDeployment } from "./sdk/index.js";
 * const call = addGovernorCall(await loadDeployment("data/deployment.json"), "0x90F79bf6EB2c4f870365E785982E1f101E93b906");
 * ```
 */
export function addGovernorCall(d: Deployment, governor: string): GovernanceCall {
  return toCouncil(d, councilIface.encodeFunctionData("addGovernor", [governor]));
}

/**
 * Call that removes a governor (the threshold must stay reachable).
 *
 * @example
 * ```ts
 * import { removeGovernorCall, loadDeployment } from "./sdk/index.js";
 * const call = removeGovernorCall(await loadDeployment("data/deployment.json"), "0x90F79bf6EB2c4f870365E785982E1f101E93b906");
 * ```
 */
export function removeGovernorCall(d: Deployment, governor: string): GovernanceCall {
  return toCouncil(d, councilIface.encodeFunctionData("removeGovernor", [governor]));
}

/**
 * Call that sets the number of approvals a proposal needs.
 *
 * @example
 * ```ts
 * import { setThresholdCall, loadDeployment } from "./sdk/index.js";
 * const call = setThresholdCall(await loadDeployment("data/deployment.json"), 3);
 * ```
 */
export function setThresholdCall(d: Deployment, threshold: number): GovernanceCall {
  return toCouncil(d, councilIface.encodeFunctionData("setThreshold", [threshold]));
}

/**
 * Call that sets how long a proposal stays open, in seconds.
 *
 * @example
 * ```ts
 * import { setProposalLifetimeCall, loadDeployment } from "./sdk/index.js";
 * const call = setProposalLifetimeCall(await loadDeployment("data/deployment.json"), 3 * 24 * 3600);
 * ```
 */
export function setProposalLifetimeCall(d: Deployment, seconds: number): GovernanceCall {
  return toCouncil(d, councilIface.encodeFunctionData("setProposalLifetime", [seconds]));
}

const kindNames = (bits: bigint | number) =>
  ORG_KINDS.filter((_, k) => k > 0 && (Number(bits) >> k) & 1).map((k) => k.toLowerCase().replace("_", " ")).join(" or ") || "nobody";
const approvalsText = (n: bigint | number) => (Number(n) === 1 ? "no countersignature" : `${n} approvals`);

/**
 * A council proposal's call in words, for people reading an audit trail or reviewing a proposal: "add account 0x…
 * to Mekong Coffee Export JSC (organisation 1)". `organisationName` names an organisation by its id where known. A
 * call this SDK does not know is given as its target and selector.
 *
 * @example
 * ```ts
 * import { addAccountCall, describeGovernanceCall } from "./sdk/index.js";
 * const call = addAccountCall(deployment, { organisation: 1, account: "0x90F79bf6EB2c4f870365E785982E1f101E93b906" });
 * describeGovernanceCall(call, { organisationName: (id) => (id === 1 ? "Mekong Coffee Export JSC" : undefined) });
 * // "add account 0x90F79bf6EB2c4f870365E785982E1f101E93b906 to Mekong Coffee Export JSC (organisation 1)"
 * ```
 */
export function describeGovernanceCall(call: { target: string; data: string }, opts: { organisationName?: (id: number) => string | undefined } = {}): string {
  const org = (id: bigint | number) => {
    const name = opts.organisationName?.(Number(id));
    return name ? `${name} (organisation ${id})` : `organisation ${id}`;
  };
  const parsed = (() => {
    for (const iface of [registryIface, councilIface]) {
      try {
        const p = iface.parseTransaction({ data: call.data });
        if (p) return p;
      } catch {
        // not this contract's function
      }
    }
    return undefined;
  })();
  if (!parsed) return `call ${call.data.slice(0, 10)} on ${call.target}`;
  const a = parsed.args;
  switch (parsed.name) {
    case "addOrganisation": {
      const country = Buffer.from(String(a[1]).slice(2), "hex").toString("latin1");
      return `admit ${a[0]} (${country}, ${String(ORG_KINDS[Number(a[2])]).toLowerCase().replace("_", " ")}) with account${a[3].length === 1 ? "" : "s"} ${[...a[3]].join(", ")}`;
    }
    case "setOrganisationActive": return `${a[1] ? "reinstate" : "suspend"} ${org(a[0])}`;
    case "addAccount": return `add account ${a[1]} to ${org(a[0])}`;
    case "removeAccount": return `remove account ${a[0]}`;
    case "rotateAccount": return `replace account ${a[0]} with ${a[1]}`;
    case "setDocumentPolicy": return `document type ${a[0]}: ${kindNames(a[1])} may register it, ${approvalsText(a[2])}`;
    case "clearDocumentPolicy": return `document type ${a[0]}: back to the default policy`;
    case "setDefaultPolicy": return `every type without a policy: ${kindNames(a[0])} may register it, ${approvalsText(a[1])}`;
    case "setCouncil": return `hand governance over to the council at ${a[0]}`;
    case "addGovernor": return `add governor ${a[0]}`;
    case "removeGovernor": return `remove governor ${a[0]}`;
    case "setThreshold": return `approvals needed for a proposal: ${a[0]}`;
    case "setProposalLifetime": return `proposals expire after ${Number(a[0]) / 3600} hours`;
    default: return `${parsed.name}(${[...a].map(String).join(", ")})`;
  }
}
