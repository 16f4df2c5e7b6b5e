// Each document a credential was issued for holds one index in the status lists, assigned at its first credential and
// never reused (Bitstring Status List 1.0, "BitstringStatusListEntry"). Kept in the API's store, so every instance gives a document the same one.
import { randomInt } from "node:crypto";
import type { Hex, Receipt } from "../../sdk/index.js";
import { STATUS_LIST_SIZE } from "../../sdk/status-list.js";
import type { Store } from "../store.js";

/**
 * A list takes new documents until three quarters of it is used, then the next list opens. Indexes inside a list are
 * drawn at random (privacy considerations of the spec: an index says nothing about when or in which order documents
 * were anchored), and a quarter left free keeps each draw likely to hit a free one.
 */
const FILL = Math.floor(STATUS_LIST_SIZE * 0.75);
const DRAWS = 64;

export interface StatusIndexRow {
  doc_hash: Hex;
  idx: number;
  /** The anchor the document's status follows: its batch root, or its own hash. */
  anchor: Hex;
  /** The receipt of a private batch's document (the contract needs its proof to read its status); else null. */
  receipt: string | null;
}

export class StatusIndexes {
  constructor(private readonly store: Store) {}

  /** The document's index, assigned now when it has none (`created`). */
  async assign(docHash: Hex, anchor: Hex, receipt?: Receipt): Promise<{ index: number; created: boolean }> {
    const existing = await this.store.one<{ idx: number }>("SELECT idx FROM credential_status WHERE doc_hash = ?", [docHash]);
    if (existing) return { index: Number(existing.idx), created: false };
    return this.store.tx(async (t) => {
      // One assignment at a time on every instance: the count that picks the list and the draw read what the others wrote.
      await t.lock("credential_status");
      const again = await t.one<{ idx: number }>("SELECT idx FROM credential_status WHERE doc_hash = ?", [docHash]);
      if (again) return { index: Number(again.idx), created: false };
      const { n } = (await t.one<{ n: number }>("SELECT COUNT(*) AS n FROM credential_status"))!;
      const list = Math.floor(Number(n) / FILL);
      let idx: number | undefined;
      for (let i = 0; i < DRAWS && idx === undefined; i++) {
        const candidate = list * STATUS_LIST_SIZE + randomInt(STATUS_LIST_SIZE);
        if (!(await t.one("SELECT 1 AS taken FROM credential_status WHERE idx = ?", [candidate]))) idx = candidate;
      }
      // Sixty-four taken draws in a list at most three quarters full: take the first free index instead.
      if (idx === undefined) {
        const row = await t.one<{ free: number | null }>(
          "SELECT MIN(idx) + 1 AS free FROM credential_status c WHERE idx >= ? AND idx < ? AND NOT EXISTS (SELECT 1 FROM credential_status d WHERE d.idx = c.idx + 1)",
          [list * STATUS_LIST_SIZE, (list + 1) * STATUS_LIST_SIZE - 1],
        );
        idx = row?.free === null || row?.free === undefined ? list * STATUS_LIST_SIZE : Number(row.free);
      }
      await t.run("INSERT INTO credential_status (doc_hash, idx, anchor, receipt, assigned_at) VALUES (?, ?, ?, ?, ?)", [
        docHash, idx, anchor, receipt ? JSON.stringify(receipt) : null, Math.floor(Date.now() / 1000),
      ]);
      return { index: idx, created: true };
    });
  }

  /** The highest list number in use (0 when none is). */
  async lastList(): Promise<number> {
    const row = await this.store.one<{ top: number | null }>("SELECT MAX(idx) AS top FROM credential_status");
    return row?.top === null || row?.top === undefined ? 0 : Math.floor(Number(row.top) / STATUS_LIST_SIZE);
  }

  /** The documents whose index was assigned at or after `seconds` (Unix time). */
  async assignedSince(seconds: number): Promise<StatusIndexRow[]> {
    return (await this.store.all<StatusIndexRow>("SELECT doc_hash, idx, anchor, receipt FROM credential_status WHERE assigned_at >= ?", [seconds])).map(asRow);
  }

  /** Every document with an index, in index order. */
  async all(): Promise<StatusIndexRow[]> {
    return (await this.store.all<StatusIndexRow>("SELECT doc_hash, idx, anchor, receipt FROM credential_status ORDER BY idx")).map(asRow);
  }

  /** The documents whose status may have changed with an event about `anchors` (batch roots or document hashes). */
  async affectedBy(anchors: string[]): Promise<StatusIndexRow[]> {
    const rows = new Map<string, StatusIndexRow>();
    for (const a of new Set(anchors)) {
      for (const r of await this.store.all<StatusIndexRow>("SELECT doc_hash, idx, anchor, receipt FROM credential_status WHERE anchor = ? OR doc_hash = ?", [a, a])) rows.set(r.doc_hash, asRow(r));
    }
    return [...rows.values()];
  }
}

const asRow = (r: StatusIndexRow): StatusIndexRow => ({ ...r, idx: Number(r.idx) });
