import { pool, read, countryCode, type ClientContext } from "../context.js";
import { ORG_KINDS, type Hex, type OrgKind, type Organisation } from "../types.js";

export type MembersReturnType = Organisation[];
export type MembersErrorType = import("../errors.js").TradeproofError;

/**
 * One member organisation with its current accounts; UnknownOrganisation (ContractRevertError) for an id
 * that was never admitted.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { TradeproofClient, loadDeployment } from "./sdk/index.js";
 * const client = await TradeproofClient.connect({
 *   runner: new JsonRpcProvider("http://127.0.0.1:8545"),
 *   deployment: await loadDeployment("data/deployment.json"),
 * });
 * const org = await client.organisation(1);
 * console.log(org.name, org.country, org.kind, org.status);
 * ```
 */
export async function organisation(ctx: ClientContext, id: number): Promise<Organisation> {
  const org = await read(ctx, () => ctx.registry.organisation(id));
  return {
    id: Number(org.id),
    name: org.name,
    country: countryCode(org.country),
    kind: ORG_KINDS[Number(org.kind)] as OrgKind,
    status: org.active ? "ACTIVE" : "SUSPENDED",
    accounts: org.accounts.map((a) => a as Hex),
  };
}

/**
 * Every organisation ever admitted (suspended ones included), by id.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { TradeproofClient, loadDeployment } from "./sdk/index.js";
 * const client = await TradeproofClient.connect({
 *   runner: new JsonRpcProvider("http://127.0.0.1:8545"),
 *   deployment: await loadDeployment("data/deployment.json"),
 * });
 * for (const org of await client.members()) console.log(org.id, org.name, org.status);
 * ```
 */
export async function members(ctx: ClientContext): Promise<MembersReturnType> {
  const count = Number(await read(ctx, () => ctx.registry.organisationCount()));
  return pool(Array.from({ length: count }, (_, i) => () => organisation(ctx, i + 1)), 8);
}
