import { ethers } from "ethers";
import { Council__factory, DocumentReferences__factory, DocumentRegistry__factory } from "../../types/ethers-contracts/index.js";

/** The registry's, council's and references' ABIs, used to decode every log the index stores. */
export const registryInterface = DocumentRegistry__factory.createInterface() as unknown as ethers.Interface;
export const councilInterface = Council__factory.createInterface() as unknown as ethers.Interface;
export const referencesInterface = DocumentReferences__factory.createInterface() as unknown as ethers.Interface;

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
  ...[registryInterface, councilInterface, referencesInterface].flatMap((iface) => {
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
  contract: "registry" | "council" | "references";
  name: string;
  action: string;
  anchor: string | null;
  docHash: string | null;
  /** The other anchor an event links to (the new version of a supersession), or the reference commitment a document was filed under. */
  related: string | null;
  organisation: number | null;
  account: string | null;
  /** Set from the event, or from the anchor it refers to (filled by the indexer). */
  docType: number | null;
  details: Record<string, unknown>;
  /** The docHashes of a public batch, in the tree's leaf order (BatchLeaves only). */
  leaves?: string[];
}

/** JSON-ready form of a decoded value: enum names, string document types, numbers when safe. */
function plainScalar(key: string, type: string, value: unknown): unknown {
  if (typeof value === "bigint" || typeof value === "number") {
    const n = typeof value === "bigint" ? value : BigInt(value);
    if (key === "kind") return ORG_KINDS[Number(n)];
    if (key === "status") return STATUSES[Number(n)];
    if (key === "outcome") return OUTCOMES[Number(n)];
    if (key === "docType") return String(n);
    return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
  }
  if (key === "country" && typeof value === "string") return Buffer.from(value.slice(2), "hex").toString("utf8");
  // Addresses and hashes in lower case everywhere in the index (ethers gives checksummed addresses).
  if (typeof value === "string" && (type === "address" || type.startsWith("bytes"))) return value.toLowerCase();
  return value;
}

function plain(param: ethers.ParamType, value: unknown): unknown {
  if (param.isArray()) return (value as unknown[]).map((v) => plain(param.arrayChildren, v));
  if (param.isTuple()) {
    return Object.fromEntries(param.components.map((c, i) => [c.name || String(i), plain(c, (value as unknown[])[i])]));
  }
  return plainScalar(param.name, param.type, value);
}

/**
 * Decodes one ABI word (or a dynamic value at its offset) without ethers: ethers' generic decoder
 * and checksummed addresses cost ~1 ms a log here, which would cap catch-up far below 5,000 events/s.
 * Covers the types the registry's events use; anything else (the council's tuple arrays) goes to ethers.
 */
function word(hex: string, i: number): string {
  return hex.slice(64 * i, 64 * (i + 1));
}
const FAST_TYPES = /^(address|bool|uint\d+|bytes\d+|string|bytes32\[\])$/;
function fastValue(type: string, w: string, data: string): unknown {
  if (type === "address") return "0x" + w.slice(24);
  if (type === "bool") return w.endsWith("1");
  // Up to 48 bits fits a double exactly: skip BigInt for the ids, types, enums and counts.
  if (type.startsWith("uint")) return Number(type.slice(4)) <= 48 ? Number.parseInt(w.slice(52), 16) : BigInt("0x" + w);
  if (type === "string") {
    const at = Number.parseInt(w, 16) / 32;
    const len = Number.parseInt(word(data, at), 16);
    return Buffer.from(data.slice(64 * (at + 1), 64 * (at + 1) + 2 * len), "hex").toString("utf8");
  }
  if (type === "bytes32[]") {
    const at = Number.parseInt(w, 16) / 32;
    const len = Number.parseInt(word(data, at), 16);
    return Array.from({ length: len }, (_, i) => "0x" + word(data, at + 1 + i));
  }
  const size = Number(type.slice(5));
  return "0x" + w.slice(0, 2 * size); // bytesN
}

interface EventSpec {
  fragment: ethers.EventFragment;
  iface: ethers.Interface;
  fast: boolean;
}
const SPECS = new Map<string, EventSpec>();
for (const iface of [registryInterface, councilInterface, referencesInterface]) {
  iface.forEachEvent((fragment) => {
    SPECS.set(fragment.topicHash, { fragment, iface, fast: fragment.inputs.every((p) => FAST_TYPES.test(p.type)) });
  });
}

/** A log as eth_getLogs returns it (numbers already parsed). */
export interface RawLog {
  address: string;
  topics: readonly string[];
  data: string;
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
}

function decodeArgs(spec: EventSpec, log: RawLog): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (spec.fast) {
    const data = log.data.slice(2);
    let topic = 1;
    let slot = 0;
    for (const p of spec.fragment.inputs) {
      const raw = p.indexed ? fastValue(p.type, log.topics[topic++].slice(2), "") : fastValue(p.type, word(data, slot++), data);
      args[p.name] = Array.isArray(raw) ? raw.map((h: string) => h.toLowerCase()) : plainScalar(p.name, p.type, raw);
    }
    return args;
  }
  const decoded = spec.iface.decodeEventLog(spec.fragment, log.data, [...log.topics]);
  spec.fragment.inputs.forEach((p, i) => (args[p.name] = plain(p, decoded[i])));
  return args;
}

/** Arguments stored in their own columns (or, for leaves, their own table) rather than in `details`. */
const COLUMN_ARGS = new Set(["docHash", "anchor", "root", "oldAnchor", "organisation", "account", "docHashes", "commitment"]);

/** Decodes one log of the registry, the council or the references; a log of an unknown event returns undefined. */
export function decodeLog(log: RawLog, registry: string, references?: string): DecodedEvent | undefined {
  const address = log.address.toLowerCase();
  const contract = address === registry.toLowerCase() ? "registry" : references !== undefined && address === references.toLowerCase() ? "references" : "council";
  const spec = SPECS.get(log.topics[0]);
  if (!spec) return undefined;
  const parsed = { name: spec.fragment.name };
  const args = decodeArgs(spec, log);
  const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : null);
  const docHash = lower(args.docHash);
  const anchor = lower(args.anchor ?? args.root ?? args.oldAnchor) ?? docHash;
  const account = lower(args.account ?? args.governor ?? args.proposer ?? args.executor);
  const details: Record<string, unknown> = {};
  for (const k in args) if (!COLUMN_ARGS.has(k)) details[k] = args[k];
  let leaves: string[] | undefined;
  if (parsed.name === "BatchLeaves") {
    leaves = args.docHashes as string[];
    details.count = leaves.length;
  }
  return {
    block: log.blockNumber,
    logIndex: log.logIndex,
    txHash: log.transactionHash.toLowerCase(),
    contract,
    name: parsed.name,
    action: ACTIONS[parsed.name] ?? upperSnake(parsed.name),
    anchor,
    docHash,
    related: lower(args.newAnchor ?? args.commitment),
    organisation: typeof args.organisation === "number" ? args.organisation : null,
    account,
    docType: typeof args.docType === "string" ? Number(args.docType) : null,
    details,
    leaves,
  };
}
