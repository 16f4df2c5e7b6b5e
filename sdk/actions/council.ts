import { InvalidArgumentError, TradeproofError } from "../errors.js";
import { pool, read, send, txInfo, type ClientContext } from "../context.js";
import { isoSeconds, type Hex, type ProposalInfo, type TxInfo } from "../types.js";

/** One call of a proposal; build them with the helpers of governance.ts. */
export interface GovernanceCall {
  target: Hex;
  data: Hex;
}

/**
 * Proposes `calls` to the council as a governor (the proposer's approval counts as the first) and returns the
 * proposal id.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider, Wallet } from "ethers";
 * import { TradeproofClient, addOrganisationCall, loadDeployment } from "./sdk/index.js";
 * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
 * const deployment = await loadDeployment("data/deployment.json");
 * const governor = await TradeproofClient.connect({ runner: new Wallet(process.env.TRADEPROOF_KEY!, provider), deployment });
 * const id = await governor.propose(
 *   [addOrganisationCall(deployment, { name: "Port Klang Customs", country: "MY", kind: "CUSTOMS", accounts: ["0x90F79bf6EB2c4f870365E785982E1f101E93b906"] })],
 *   "Admit Malaysian customs",
 * );
 * ```
 */
export async function propose(ctx: ClientContext, calls: GovernanceCall[], description: string): Promise<bigint> {
  if (calls.length === 0) throw new InvalidArgumentError("A proposal makes at least one call.");
  const receipt = await send(ctx, "propose", () => ctx.council.propose.populateTransaction(calls, description));
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== ctx.deployment.council.toLowerCase()) continue;
    const parsed = ctx.council.interface.parseLog(log);
    if (parsed?.name === "ProposalCreated") return parsed.args.id as bigint;
  }
  throw new TradeproofError("The proposal transaction emitted no ProposalCreated event.", { code: "UNEXPECTED_RECEIPT" });
}

/**
 * Approves a proposal as a governor.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider, Wallet } from "ethers";
 * import { TradeproofClient, loadDeployment } from "./sdk/index.js";
 * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
 * const governor = await TradeproofClient.connect({ runner: new Wallet(process.env.TRADEPROOF_KEY!, provider), deployment: await loadDeployment("data/deployment.json") });
 * await governor.approveProposal(1n);
 * ```
 */
export async function approveProposal(ctx: ClientContext, id: bigint): Promise<TxInfo> {
  return txInfo(await send(ctx, "approveProposal", () => ctx.council.approve.populateTransaction(id)));
}

/**
 * Executes a proposal that has reached the threshold; a call that reverts is reported by its own custom error
 * (the council's CouncilCallFailed is unwrapped).
 *
 * @example
 * ```ts
 * import { JsonRpcProvider, Wallet } from "ethers";
 * import { TradeproofClient, loadDeployment } from "./sdk/index.js";
 * const provider = new JsonRpcProvider("http://127.0.0.1:8545");
 * const governor = await TradeproofClient.connect({ runner: new Wallet(process.env.TRADEPROOF_KEY!, provider), deployment: await loadDeployment("data/deployment.json") });
 * await governor.executeProposal(1n);
 * ```
 */
export async function executeProposal(ctx: ClientContext, id: bigint): Promise<TxInfo> {
  return txInfo(await send(ctx, "executeProposal", () => ctx.council.execute.populateTransaction(id)));
}

/**
 * Every proposal ever made, with its calls and the approvals of current governors.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { TradeproofClient, loadDeployment } from "./sdk/index.js";
 * const client = await TradeproofClient.connect({ runner: new JsonRpcProvider("http://127.0.0.1:8545"), deployment: await loadDeployment("data/deployment.json") });
 * for (const p of await client.proposals()) console.log(p.id, p.description, p.executed);
 * ```
 */
export async function proposals(ctx: ClientContext): Promise<ProposalInfo[]> {
  const count = Number(await read(ctx, () => ctx.council.proposalCount()));
  return pool(
    Array.from({ length: count }, (_, i) => async () => {
      const id = BigInt(i + 1);
      const p = await read(ctx, () => ctx.council.proposal(id));
      return {
        id,
        proposer: p.proposer as Hex,
        createdAt: isoSeconds(p.createdAt),
        expiresAt: isoSeconds(p.expiresAt),
        executed: p.executed,
        approvals: Number(p.approvals),
        description: p.description,
        calls: p.calls.map((c) => ({ target: c.target as Hex, data: c.data as Hex })),
      };
    }),
    8,
  );
}
