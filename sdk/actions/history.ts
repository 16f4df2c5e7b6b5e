import type { Log, LogDescription } from "ethers";
import { withReasonName } from "../attestation-reasons.js";
import { blockTime, organisationInfo, registryLogs, type ClientContext } from "../context.js";
import { normalizeDocHash } from "../hash.js";
import { parseReceipt, type Receipt } from "../receipt.js";
import { locateInPublicBatches } from "./publicBatches.js";
import { OUTCOMES, STATUSES, isoSeconds, type HistoryEntry, type Hex } from "../types.js";

export interface HistoryParameters {
  /** The document. */
  docHash: Hex;
  /** Its receipt, for a document of a private batch (the root is not otherwise linked to the document). */
  receipt?: Receipt;
}
export interface HistoryReturnType {
  /** Lifecycle events of the document and its anchor, ordered by (block, log index). */
  entries: HistoryEntry[];
  /** The version chain, oldest → newest; the document's own anchor appears as `docHash`. */
  versions: Hex[];
}
export type HistoryErrorType = import("../errors.js").TradeproofError;

const lower = (topic: string) => topic.toLowerCase() as Hex;

function entryOf(log: Log, parsed: LogDescription): Omit<HistoryEntry, "at"> | undefined {
  const a = parsed.args;
  const base = { blockNumber: log.blockNumber, txHash: log.transactionHash as Hex, logIndex: log.index };
  const who = { account: a.account as Hex, organisation: Number(a.organisation) };
  switch (parsed.name) {
    case "DocumentRegistered":
      return { action: "REGISTERED", anchor: lower(a.docHash), docHash: lower(a.docHash), ...who, ...base,
        details: { docType: String(a.docType), status: STATUSES[Number(a.status)] } };
    case "BatchRegistered":
      return { action: "BATCH_REGISTERED", anchor: lower(a.root), ...who, ...base,
        details: { docType: String(a.docType), count: Number(a.count), public: a.isPublic as boolean, status: STATUSES[Number(a.status)] } };
    case "DocumentApproved":
      return { action: "APPROVED", anchor: lower(a.anchor), ...who, ...base, details: { given: Number(a.given), required: Number(a.required) } };
    case "DocumentRevoked":
      return { action: "REVOKED", anchor: lower(a.anchor), ...who, ...base, details: { reason: a.reason as string } };
    case "BatchDocumentRevoked":
      return { action: "BATCH_DOCUMENT_REVOKED", anchor: lower(a.root), docHash: lower(a.docHash), ...who, ...base,
        details: { reason: a.reason as string } };
    case "DocumentSuperseded":
      return { action: "SUPERSEDED", anchor: lower(a.oldAnchor), ...who, ...base,
        details: { oldAnchor: lower(a.oldAnchor), newAnchor: lower(a.newAnchor) } };
    case "DocumentAttested":
      return { action: "ATTESTED", anchor: lower(a.docHash), docHash: lower(a.docHash), ...who, ...base,
        details: withReasonName({ outcome: OUTCOMES[Number(a.outcome)], reasonCode: Number(a.reasonCode) }) };
    default:
      return undefined;
  }
}

/** The anchor that `anchor` replaced (`older`) or that replaced it (`newer`), from DocumentSuperseded logs. */
async function neighbour(ctx: ClientContext, anchor: Hex, direction: "older" | "newer"): Promise<Hex | undefined> {
  const topic = ctx.registry.interface.getEvent("DocumentSuperseded").topicHash;
  const logs = await registryLogs(ctx, direction === "newer" ? [topic, anchor] : [topic, null, anchor]);
  const log = logs[0];
  if (!log) return undefined;
  return lower(direction === "newer" ? log.topics[2]! : log.topics[1]!);
}

/**
 * The ordered lifecycle events of a document (registration, approvals, revocation, supersession, attestations)
 * and its version chain walked both ways, all read from the chain's logs with topic filters.
 *
 * @example
 * ```ts
 * import { JsonRpcProvider } from "ethers";
 * import { TradeproofClient, loadDeployment } from "./sdk/index.js";
 * const client = await TradeproofClient.connect({
 *   runner: new JsonRpcProvider("http://127.0.0.1:8545"),
 *   deployment: await loadDeployment("data/deployment.json"),
 * });
 * const { entries, versions } = await client.history("0x3938e8376576493c46230fba3c7fd850111eddcbad2c4a7606e7edb090fd0fd5");
 * for (const e of entries) console.log(e.at, e.action, e.account);
 * ```
 */
export async function history(ctx: ClientContext, params: HistoryParameters): Promise<HistoryReturnType> {
  const docHash = normalizeDocHash(params.docHash);
  const iface = ctx.registry.interface;
  const topic = (name: Parameters<typeof iface.getEvent>[0]) => iface.getEvent(name).topicHash;
  const receipt = params.receipt ? parseReceipt(params.receipt) : undefined;

  // A document revoked inside a public or private batch names its root in BatchDocumentRevoked (docHash is indexed).
  const [byDocument, attested] = await Promise.all([
    registryLogs(ctx, [[topic("BatchDocumentRevoked")], null, docHash]),
    registryLogs(ctx, [topic("DocumentAttested"), docHash]),
  ]);
  const roots = new Set<Hex>([docHash]);
  if (receipt && receipt.docHash === docHash) roots.add(receipt.root);
  const inPublic = (await locateInPublicBatches(ctx, [docHash])).get(docHash);
  if (inPublic) roots.add(inPublic.root);
  for (const log of byDocument) roots.add(lower(log.topics[1]!));
  const anchors = [...roots];

  const anchorEvents = ["DocumentRegistered", "BatchRegistered", "DocumentApproved", "DocumentRevoked", "DocumentSuperseded"] as const;
  const [byAnchor, replacing] = await Promise.all([
    registryLogs(ctx, [anchorEvents.map(topic), anchors]),
    registryLogs(ctx, [topic("DocumentSuperseded"), null, anchors]),
  ]);

  const seen = new Set<string>();
  const raw: Omit<HistoryEntry, "at">[] = [];
  for (const log of [...byAnchor, ...replacing, ...byDocument, ...attested]) {
    const key = `${log.transactionHash}:${log.index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const parsed = iface.parseLog(log);
    const entry = parsed && entryOf(log, parsed);
    if (entry) raw.push(entry);
  }
  raw.sort((x, y) => x.blockNumber - y.blockNumber || x.logIndex - y.logIndex);
  const entries = await Promise.all(
    raw.map(async ({ details, ...rest }): Promise<HistoryEntry> => {
      const [at, org] = await Promise.all([blockTime(ctx, rest.blockNumber), organisationInfo(ctx, rest.organisation)]);
      return { ...rest, organisationName: org.name, at: isoSeconds(at), details };
    }),
  );

  // The version chain links anchors; the document's own anchor is the one it was registered under.
  const own = anchors.find((a) => raw.some((e) => (e.action === "REGISTERED" || e.action === "BATCH_REGISTERED") && e.anchor === a)) ?? docHash;
  const older: Hex[] = [];
  const newer: Hex[] = [];
  const visited = new Set<Hex>([own]);
  for (let a = await neighbour(ctx, own, "older"); a && !visited.has(a); a = await neighbour(ctx, a, "older")) {
    visited.add(a);
    older.unshift(a);
  }
  for (let a = await neighbour(ctx, own, "newer"); a && !visited.has(a); a = await neighbour(ctx, a, "newer")) {
    visited.add(a);
    newer.push(a);
  }
  return { entries, versions: [...older, docHash, ...newer] };
}
