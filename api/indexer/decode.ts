import { ethers } from "ethers";
import { Council__factory, DocumentRegistry__factory } from "../../types/ethers-contracts/index.js";

/** The registry's and council's ABIs, used to decode every log the index stores. */
export const registryInterface = DocumentRegistry__factory.createInterface() as unknown as ethers.Interface;
export const councilInterface = Council__factory.createInterface() as unknown as ethers.Interface;

const ORG_KINDS = ["NONE", "TRADER", "ISSUING_AUTHORITY", "CUSTOMS", "AGENCY", "AUDITOR"] as const;
const STATUSES = ["NOT_FOUND", "PENDING", "VALID", "REVOKED", "SUPERSEDED"] as const;
const OUTCOMES = ["NONE", "ACCEPTED", "REJECTED", "INSPECTED"] as const;

/** History action names of the document events (the SDK's HistoryEntry.action); other events get UPPER_SNAKE names. */
const ACTIONS: Record<string, string> = {
  DocumentRegistered: "REGISTERED",
  BatchRegistered: "BATCH_REGISTERED",
  DocumentApproved: "APPROVED",
  DocumentRevoked: "REVOKED",
  BatchDocumentRevoked: "BATCH_DOCUMENT_REVOKED",
  DocumentSuperseded: "SUPERSEDED",
  DocumentAttested: "ATTESTED",
};
/** Actions that make up a document's history. */
export const HISTORY_ACTIONS = Object.values(ACTIONS);

const upperSnake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

/** Every action name the index can hold (for the audit filter's schema). */
export const ALL_ACTIONS = [
  ...[registryInterface, councilInterface].flatMap((iface) => {
    const names: string[] = [];
    iface.forEachEvent((e) => names.push(ACTIONS[e.name] ?? upperSnake(e.name)));
    return names;
  }),
].filter((v, i, a) => a.indexOf(v) === i);

/** One indexed event, as stored (details are JSON-ready). */
export interface DecodedEvent {
  block: number;
  logIndex: number;
  txHash: string;
  contract: "registry" | "council";
  name: string;
  action: string;
  anchor: string | null;
  docHash: string | null;
  /** The other anchor an event links to (the new version of a supersession). */
  related: string | null;
  organisation: number | null;
  account: string | null;
  /** Set from the event, or from the anchor it refers to (filled by the indexer). */
  docType: number | null;
  details: Record<string, unknown>;
  /** The docHashes of a public batch, in the tree's leaf order (BatchLeaves only). */
  leaves?: string[];
}

function plain(param: ethers.ParamType, value: unknown): unknown {
  if (param.isArray()) return (value as unknown[]).map((v) => plain(param.arrayChildren, v));
  if (param.isTuple()) {
    return Object.fromEntries(param.components.map((c, i) => [c.name || String(i), plain(c, (value as unknown[])[i])]));
  }
  const key = param.name;
  if (typeof value === "bigint") {
    if (key === "kind") return ORG_KINDS[Number(value)];
    if (key === "status") return STATUSES[Number(value)];
    if (key === "outcome") return OUTCOMES[Number(value)];
    if (key === "docType") return String(value);
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (key === "country" && typeof value === "string") return ethers.toUtf8String(value);
  return value;
}

/** Decodes one log of the registry or the council. Logs of other events (none today) return undefined. */
export function decodeLog(log: { address: string; topics: readonly string[]; data: string; blockNumber: number; index: number; transactionHash: string }, registry: string): DecodedEvent | undefined {
  const contract = log.address.toLowerCase() === registry.toLowerCase() ? "registry" : "council";
  const iface = contract === "registry" ? registryInterface : councilInterface;
  const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
  if (!parsed) return undefined;
  const args: Record<string, unknown> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    args[input.name] = plain(input, parsed.args[i]);
  });
  const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : null);
  const docHash = lower(args.docHash);
  const anchor = lower(args.anchor ?? args.root ?? args.oldAnchor) ?? docHash;
  const account = lower(args.account ?? args.governor ?? args.proposer ?? args.executor);
  const details = { ...args };
  for (const k of ["docHash", "anchor", "root", "oldAnchor", "organisation", "account"]) delete details[k];
  let leaves: string[] | undefined;
  if (parsed.name === "BatchLeaves") {
    leaves = (args.docHashes as string[]).map((h) => h.toLowerCase());
    delete details.docHashes;
    details.count = leaves.length;
  }
  return {
    block: log.blockNumber,
    logIndex: log.index,
    txHash: log.transactionHash.toLowerCase(),
    contract,
    name: parsed.name,
    action: ACTIONS[parsed.name] ?? upperSnake(parsed.name),
    anchor,
    docHash,
    related: lower(args.newAnchor),
    organisation: typeof args.organisation === "number" ? args.organisation : null,
    account,
    docType: typeof args.docType === "string" ? Number(args.docType) : null,
    details,
    leaves,
  };
}
