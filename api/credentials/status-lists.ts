// The status lists' bits, from the chain's events as the indexer follows them: a document's revocation bit is set by
// the revocation of its anchor (the document alone, or its whole batch) or of it within its batch, its superseded bit
// by the supersession of its anchor. These are the events the contract's verdict follows (REVOKED, SUPERSEDED), read
// from the shared index at its cursor, so every instance sets the same bits whatever its own view of the head. Bits
// only ever go from 0 to 1, as on the ledger.
import { Bitstring, STATUS_LIST_SIZE, type StatusPurpose } from "../../sdk/status-list.js";
import type { Store } from "../store.js";
import type { StatusIndexes, StatusIndexRow } from "./status-indexes.js";

/** Where the bits' index block is kept beside them in the store. */
const BLOCK_KEY = "status_lists_block";
/** Rows assigned this long before a build started are looked at again by the next one (clocks of several hosts). */
const ASSIGNMENT_MARGIN_SECONDS = 10;

interface LifecycleEvent { action: string; anchor: string | null; doc_hash: string | null }

/** The purpose an event sets, and the key (anchor or document) that names the documents it sets it for. */
function effect(e: LifecycleEvent): { key: string; purpose: StatusPurpose } | undefined {
  // One document revoked in its batch names the batch's root too: only that document's status changed.
  if (e.action === "BATCH_DOCUMENT_REVOKED") return e.doc_hash ? { key: e.doc_hash, purpose: "revocation" } : undefined;
  if (e.action === "REVOKED") return e.anchor ? { key: e.anchor, purpose: "revocation" } : undefined;
  if (e.action === "SUPERSEDED") return e.anchor ? { key: e.anchor, purpose: "superseded" } : undefined;
  return undefined;
}
const ACTIONS = ["REVOKED", "BATCH_DOCUMENT_REVOKED", "SUPERSEDED"];
const IN_ACTIONS = `action IN (${ACTIONS.map(() => "?").join(", ")})`;

/**
 * The bits are kept in the store with the index block they reflect, so that an instance starting (or another one
 * beside it) continues from there; a save ORs its bits into the stored ones, so no instance undoes another's.
 */
export class StatusLists {
  private readonly lists = new Map<string, Bitstring>();
  /** Lists whose bits changed since they were last stored. */
  private readonly dirty = new Set<string>();
  /** The index block the bits reflect; undefined until the first build. */
  private builtTo: number | undefined;
  /** When the last build started (seconds): rows assigned since are looked at in full by the next one. */
  private lastStart: number | undefined;
  private building: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly indexes: StatusIndexes,
    /** The block up to which the audit index holds the chain's events. */
    private readonly cursor: () => Promise<number>,
  ) {}

  /** The index block the bits reflect (after {@link refresh}). */
  get block(): number | undefined {
    return this.builtTo;
  }

  /** The bits of one list (all clear for a list no document uses yet). */
  list(purpose: StatusPurpose, list: number): Bitstring {
    const key = `${purpose}:${list}`;
    let bits = this.lists.get(key);
    if (!bits) this.lists.set(key, (bits = new Bitstring()));
    return bits;
  }

  /** Brings the bits up to the index's cursor. Concurrent callers share one run. */
  refresh(): Promise<void> {
    this.building ??= this.build().finally(() => (this.building = undefined));
    return this.building;
  }

  private async build(): Promise<void> {
    const startedAt = Math.floor(Date.now() / 1000);
    const to = await this.cursor();
    if (this.builtTo === undefined) await this.load();
    // A document whose index was stored after the last build read its events may have been revoked before: its own
    // events are read in full (the issuance re-reads its verdict too, but from a cache that may lag the index).
    const recent = this.lastStart === undefined ? [] : await this.indexes.assignedSince(this.lastStart - ASSIGNMENT_MARGIN_SECONDS);
    this.lastStart = startedAt;
    if (this.builtTo !== undefined && to <= this.builtTo && recent.length === 0) return;
    const from = this.builtTo ?? -1;
    const events = await this.store.all<LifecycleEvent>(`SELECT action, anchor, doc_hash FROM events WHERE block > ? AND block <= ? AND ${IN_ACTIONS}`, [from, to, ...ACTIONS]);
    const effects = new Map<string, Set<StatusPurpose>>();
    for (const e of events) {
      const x = effect(e);
      if (x) effects.set(x.key, new Set([...(effects.get(x.key) ?? []), x.purpose]));
    }
    for (const row of await this.indexes.affectedBy([...effects.keys()])) {
      for (const purpose of new Set([...(effects.get(row.anchor) ?? []), ...(effects.get(row.doc_hash) ?? [])])) this.mark(row, purpose);
    }
    // Their own events, a few hundred rows' keys (anchor and document) a query: a burst of assignments before a build
    // (10,000 credentials issued in a minute) costs a few queries at the next one, not one per row.
    const rowsByKey = new Map<string, StatusIndexRow[]>();
    for (const row of recent) {
      for (const key of new Set([row.anchor, row.doc_hash])) {
        const rows = rowsByKey.get(key);
        if (rows) rows.push(row);
        else rowsByKey.set(key, [row]);
      }
    }
    const keys = [...rowsByKey.keys()];
    for (let i = 0; i < keys.length; i += 400) {
      const part = keys.slice(i, i + 400);
      const marks = part.map(() => "?").join(", ");
      const own = await this.store.all<LifecycleEvent>(
        `SELECT action, anchor, doc_hash FROM events WHERE block <= ? AND ${IN_ACTIONS} AND (anchor IN (${marks}) OR doc_hash IN (${marks}))`,
        [to, ...ACTIONS, ...part, ...part],
      );
      for (const e of own) {
        const x = effect(e);
        for (const row of (x && rowsByKey.get(x.key)) || []) this.mark(row, x!.purpose);
      }
    }
    await this.save(Math.max(to, this.builtTo ?? -1));
    this.builtTo = Math.max(to, this.builtTo ?? -1);
  }

  private mark(row: Pick<StatusIndexRow, "idx">, purpose: StatusPurpose): void {
    const list = Math.floor(row.idx / STATUS_LIST_SIZE);
    this.list(purpose, list).set(row.idx % STATUS_LIST_SIZE);
    this.dirty.add(`${purpose}:${list}`);
  }

  /** The bits as stored, if any were: the block they reflect. */
  private async load(): Promise<void> {
    const block = await this.store.getMeta(BLOCK_KEY);
    if (block === undefined) return;
    for (const row of await this.store.all<{ purpose: StatusPurpose; list: number; bits: Uint8Array }>("SELECT purpose, list, bits FROM status_bits")) {
      this.lists.set(`${row.purpose}:${Number(row.list)}`, new Bitstring(new Uint8Array(row.bits)));
    }
    this.builtTo = Number(block);
  }

  /** Stores the changed lists, ORed into what is stored (another instance's bits stay), and the later of the two blocks. */
  private async save(block: number): Promise<void> {
    const dirty = [...this.dirty];
    this.dirty.clear();
    await this.store.tx(async (t) => {
      await t.lock("status_bits");
      for (const key of dirty) {
        const [purpose, list] = key.split(":") as [StatusPurpose, string];
        const mine = this.lists.get(key)!;
        const stored = await t.one<{ bits: Uint8Array }>("SELECT bits FROM status_bits WHERE purpose = ? AND list = ?", [purpose, Number(list)]);
        if (stored) new Uint8Array(stored.bits).forEach((b, i) => (mine.bytes[i]! |= b));
        await t.run("INSERT INTO status_bits (purpose, list, bits) VALUES (?, ?, ?) ON CONFLICT (purpose, list) DO UPDATE SET bits = excluded.bits", [purpose, Number(list), mine.bytes]);
      }
      const stored = await this.store.getMeta(BLOCK_KEY, t);
      if (stored === undefined || Number(stored) < block) await this.store.setMeta(BLOCK_KEY, String(block), t);
    });
  }
}
