import { describeGovernanceCall, withReasonName } from "../../sdk/index.js";
import { badRequest } from "../errors.js";
import { isoSeconds } from "../indexer/indexer.js";
import type { Queryable } from "../store.js";

/** Filters of an audit query; all optional, combined with AND. */
export interface AuditFilter {
  organisation?: number;
  docType?: number;
  action?: string;
  /** Unix seconds, inclusive. */
  from?: number;
  /** Unix seconds, inclusive. */
  to?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  limit: number;
}

/** One event as the audit endpoint shows it. */
export interface AuditEvent {
  blockNumber: number;
  logIndex: number;
  txHash: string;
  at: string;
  contract: string;
  event: string;
  action: string;
  anchor?: string;
  docHash?: string;
  related?: string;
  organisation?: number;
  /** The organisation's name, country and kind beside its number, as it was admitted. */
  organisationName?: string;
  organisationCountry?: string;
  organisationKind?: string;
  account?: string;
  docType?: string;
  details: Record<string, unknown>;
}

type OrgNames = Map<number, { name: string; country: string; kind: string }>;

/** The names of the organisations the index has seen admitted (a handful of rows: read for each query). */
export async function organisationNames(store: Queryable): Promise<OrgNames> {
  const out: OrgNames = new Map();
  for (const r of await store.all<{ organisation: number; details: string }>("SELECT organisation, details FROM events WHERE name = 'OrganisationAdded'")) {
    const d = JSON.parse(r.details) as { name?: string; country?: string; kind?: string };
    out.set(r.organisation, { name: String(d.name ?? ""), country: String(d.country ?? ""), kind: String(d.kind ?? "") });
  }
  return out;
}

interface Row {
  block: number; log_index: number; tx_hash: string; at: number; contract: string; name: string; action: string;
  anchor: string | null; doc_hash: string | null; related: string | null; organisation: number | null;
  account: string | null; doc_type: number | null; details: string;
}

export const encodeCursor = (block: number, logIndex: number) => Buffer.from(`${block}:${logIndex}`).toString("base64url");

function decodeCursor(cursor: string): [number, number] {
  const m = /^(\d{1,15}):(\d{1,9})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m) throw badRequest("INVALID_CURSOR", "The cursor is not one this API gave out.");
  return [Number(m[1]), Number(m[2])];
}

/** A proposal's calls get their words beside the calldata ("add account 0x… to Mekong Coffee Export JSC"). */
function withCallsInWords(name: string, details: Record<string, unknown>, names: OrgNames): Record<string, unknown> {
  if (name !== "ProposalCreated" || !Array.isArray(details.calls)) return details;
  const calls = details.calls as { target: string; data: string }[];
  return { ...details, callsInWords: calls.map((c) => describeGovernanceCall(c, { organisationName: (id) => names.get(id)?.name })) };
}

function toEvent(r: Row, names: OrgNames): AuditEvent {
  const org = r.organisation !== null ? names.get(r.organisation) : undefined;
  return {
    blockNumber: r.block, logIndex: r.log_index, txHash: r.tx_hash, at: isoSeconds(r.at), contract: r.contract,
    event: r.name, action: r.action,
    ...(r.anchor ? { anchor: r.anchor } : {}), ...(r.doc_hash ? { docHash: r.doc_hash } : {}),
    ...(r.related ? { related: r.related } : {}), ...(r.organisation !== null ? { organisation: r.organisation } : {}),
    ...(org ? { organisationName: org.name, organisationCountry: org.country, organisationKind: org.kind } : {}),
    ...(r.account ? { account: r.account } : {}), ...(r.doc_type !== null ? { docType: String(r.doc_type) } : {}),
    details: withReasonName(withCallsInWords(r.name, JSON.parse(r.details) as Record<string, unknown>, names)),
  };
}

async function where(store: Queryable, f: AuditFilter): Promise<{ sql: string; args: (string | number)[] }> {
  const conds: string[] = [];
  const args: (string | number)[] = [];
  if (f.organisation !== undefined) (conds.push("organisation = ?"), args.push(f.organisation));
  if (f.docType !== undefined) (conds.push("doc_type = ?"), args.push(f.docType));
  if (f.action !== undefined) (conds.push("action = ?"), args.push(f.action));
  // Block times never decrease, so a time range is a block range: found once through the `at` index,
  // it keeps the scan on the (…, block, log_index) index in key order instead of sorting a day's events.
  if (f.from !== undefined) {
    const row = await store.one<{ b: number }>("SELECT block AS b FROM events WHERE at >= ? ORDER BY at, block LIMIT 1", [f.from]);
    conds.push("block >= ?");
    args.push(row?.b ?? Number.MAX_SAFE_INTEGER);
  }
  if (f.to !== undefined) {
    const row = await store.one<{ b: number }>("SELECT block AS b FROM events WHERE at <= ? ORDER BY at DESC, block DESC LIMIT 1", [f.to]);
    conds.push("block <= ?");
    args.push(row?.b ?? -1);
  }
  if (f.cursor !== undefined) {
    // Keyset pagination: every filter index ends in (block, log_index), so a page is one range scan.
    const [b, l] = decodeCursor(f.cursor);
    conds.push("(block, log_index) > (?, ?)");
    args.push(b, l);
  }
  return { sql: conds.length ? `WHERE ${conds.join(" AND ")}` : "", args };
}

/** One page of indexed events, oldest first, and the cursor of the next page (absent on the last). */
export async function queryAudit(store: Queryable, f: AuditFilter): Promise<{ events: AuditEvent[]; nextCursor?: string }> {
  const w = await where(store, f);
  const rows = await store.all<Row>(`SELECT * FROM events ${w.sql} ORDER BY block, log_index LIMIT ?`, [...w.args, f.limit + 1]);
  const more = rows.length > f.limit;
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  const names = await organisationNames(store);
  return { events: page.map((r) => toEvent(r, names)), ...(more && last ? { nextCursor: encodeCursor(last.block, last.log_index) } : {}) };
}

export const CSV_COLUMNS = [
  "blockNumber", "logIndex", "txHash", "at", "contract", "event", "action", "anchor", "docHash", "related",
  "organisation", "organisationName", "organisationCountry", "organisationKind", "account", "docType", "details",
] as const;

/**
 * One RFC 4180 cell. A text that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage
 * return: an organisation's name or a revocation reason is member input) gets a leading apostrophe, which
 * spreadsheets show as text; numbers are written as they are.
 */
export const csvCell = (v: unknown) => {
  let s = v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * Every matching event (from the cursor on) as RFC 4180 CSV lines, header first, read lazily: a keyset page of
 * `pageSize` events at a time, so neither backend holds the whole export in memory.
 */
export async function* auditCsv(store: Queryable, f: Omit<AuditFilter, "limit">, pageSize = 1_000): AsyncGenerator<string> {
  yield CSV_COLUMNS.join(",") + "\r\n";
  let cursor = f.cursor;
  do {
    const page = await queryAudit(store, { ...f, cursor, limit: pageSize });
    for (const e of page.events) yield CSV_COLUMNS.map((c) => csvCell(e[c])).join(",") + "\r\n";
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}
