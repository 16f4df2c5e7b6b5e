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
  assign(docHash: Hex, anchor: Hex, receipt?: Receipt): { index: number; created: boolean } {
    const existing = this.store.prepare("SELECT idx FROM credential_status WHERE doc_hash = ?").get(docHash) as { idx: number } | undefined;
    if (existing) return { index: existing.idx, created: false };
    return this.store.tx(() => {
      const again = this.store.prepare("SELECT idx FROM credential_status WHERE doc_hash = ?").get(docHash) as { idx: number } | undefined;
      if (again) return { index: again.idx, created: false };
      const { n } = this.store.prepare("SELECT COUNT(*) AS n FROM credential_status").get() as { n: number };
      const list = Math.floor(n / FILL);
      const taken = this.store.prepare("SELECT 1 FROM credential_status WHERE idx = ?");
      let idx: number | undefined;
      for (let i = 0; i < DRAWS && idx === undefined; i++) {
        const candidate = list * STATUS_LIST_SIZE + randomInt(STATUS_LIST_SIZE);
        if (!taken.get(candidate)) idx = candidate;
      }
      // Sixty-four taken draws in a list at most three quarters full: take the first free index instead.
      if (idx === undefined) {
        const row = this.store
          .prepare("SELECT MIN(idx) + 1 AS free FROM credential_status c WHERE idx >= ? AND idx < ? AND NOT EXISTS (SELECT 1 FROM credential_status d WHERE d.idx = c.idx + 1)")
          .get(list * STATUS_LIST_SIZE, (list + 1) * STATUS_LIST_SIZE - 1) as { free: number | null };
        idx = row.free ?? list * STATUS_LIST_SIZE;
      }
      this.store
        .prepare("INSERT INTO credential_status (doc_hash, idx, anchor, receipt, assigned_at) VALUES (?, ?, ?, ?, ?)")
        .run(docHash, idx, anchor, receipt ? JSON.stringify(receipt) : null, Math.floor(Date.now() / 1000));
      return { index: idx, created: true };
    });
  }

  /** The highest list number in use (0 when none is). */
  lastList(): number {
    const { top } = this.store.prepare("SELECT MAX(idx) AS top FROM credential_status").get() as { top: number | null };
    return top === null ? 0 : Math.floor(top / STATUS_LIST_SIZE);
  }

  /** Every document with an index, in index order. */
  all(): StatusIndexRow[] {
    return this.store.prepare("SELECT doc_hash, idx, anchor, receipt FROM credential_status ORDER BY idx").all() as unknown as StatusIndexRow[];
  }

  /** The documents whose status may have changed with an event about `anchors` (batch roots or document hashes). */
  affectedBy(anchors: string[]): StatusIndexRow[] {
    const rows: StatusIndexRow[] = [];
    const stmt = this.store.prepare("SELECT doc_hash, idx, anchor, receipt FROM credential_status WHERE anchor = ? OR doc_hash = ?");
    for (const a of new Set(anchors)) rows.push(...(stmt.all(a, a) as unknown as StatusIndexRow[]));
    return rows.filter((r, i) => rows.findIndex((s) => s.doc_hash === r.doc_hash) === i);
  }
}
