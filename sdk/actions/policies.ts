import { read, registryLogs, type ClientContext } from "../context.js";
import { docTypeName } from "../doctypes.js";
import { ORG_KINDS, type OrgKind } from "../types.js";

/** Who may register documents of a type, and how many accounts of the issuing organisation must approve each. */
export interface DocumentPolicy {
  /** The UNTDID 1001 code and its name. */
  docType: { code: string; name?: string };
  /** The kinds of organisation that may register it. */
  issuers: OrgKind[];
  /** Distinct accounts of the issuing organisation that must approve (1: no countersignature). */
  approvals: number;
}

export interface PoliciesReturnType {
  /** The policy of every type without one of its own. */
  default: Omit<DocumentPolicy, "docType">;
  /** The types with a policy of their own, by code. */
  types: DocumentPolicy[];
}
export type PoliciesErrorType = import("../errors.js").TradeproofError;

/** The kinds in a policy's bit set (bit k is OrgKind k). */
const kindsOf = (bits: number): OrgKind[] => ORG_KINDS.filter((_, k) => k > 0 && (bits >> k) & 1) as OrgKind[];

/**
 * The document-type policies in force: the types that have one (from the council's DocumentPolicySet and
 * DocumentPolicyCleared events, read as the registry holds them now) and the default for every other type.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { TradeproofClient, loadDeployment } from "./sdk/index.js";
 * const client = await TradeproofClient.connect({
 *   runner: new JsonRpcProvider("http://127.0.0.1:8545"),
 *   deployment: await loadDeployment("data/deployment.json"),
 * });
 * const { types } = await client.policies();
 * for (const p of types) console.log(p.docType.name, p.issuers.join(", "), p.approvals);
 * ```
 */
export async function policies(ctx: ClientContext): Promise<PoliciesReturnType> {
  const iface = ctx.registry.interface;
  const topics = (["DocumentPolicySet", "DocumentPolicyCleared", "DefaultPolicySet"] as const).map((n) => iface.getEvent(n).topicHash);
  const logs = await registryLogs(ctx, [topics]);
  const types = new Set<number>();
  // The registry has no view of its default policy (one more external function would cost every register gas):
  // the latest DefaultPolicySet, which its constructor emits too, says what it is.
  let fallback = { allowedKinds: 0, approvals: 1 };
  for (const log of logs) {
    const parsed = iface.parseLog(log);
    if (parsed?.name === "DocumentPolicySet") types.add(Number(parsed.args.docType));
    else if (parsed?.name === "DocumentPolicyCleared") types.delete(Number(parsed.args.docType));
    else if (parsed?.name === "DefaultPolicySet") fallback = { allowedKinds: Number(parsed.args.allowedKinds), approvals: Number(parsed.args.approvals) };
  }
  const codes = [...types].sort((a, b) => a - b);
  const own = await Promise.all(codes.map((code) => read(ctx, () => ctx.registry.policyOf(code))));
  return {
    default: { issuers: kindsOf(fallback.allowedKinds), approvals: fallback.approvals },
    types: codes.map((code, i) => {
      const name = docTypeName(code);
      const policy = own[i]!;
      return { docType: { code: String(code), ...(name ? { name } : {}) }, issuers: kindsOf(Number(policy.allowedKinds)), approvals: Number(policy.approvals) };
    }),
  };
}
