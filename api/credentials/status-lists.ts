// The status lists' bits, from the chain's state as the indexer follows it: a document's revocation bit is set once the
// contract says REVOKED, its superseded bit once it says SUPERSEDED. Both only ever go from 0 to 1, as on the ledger.
// A document's index is stored before the verdict its credential states is read (api/credentials/issuer.ts), so a
// revocation an incremental build passes over can only be of a document that then gets no credential.
import type { Hex, Receipt, VerificationResult } from "../../sdk/index.js";
import { Bitstring, STATUS_LIST_SIZE, type StatusPurpose } from "../../sdk/status-list.js";
import type { Chain } from "../chain.js";
import { onChain } from "../chain.js";
import type { Documents } from "../documents/documents.js";
import type { Store } from "../store.js";
import type { StatusIndexes, StatusIndexRow } from "./status-indexes.js";

/** Events after which a document's status may have changed. */
const LIFECYCLE_ACTIONS = ["REVOKED", "BATCH_DOCUMENT_REVOKED", "SUPERSEDED"];
/** Documents read from the contract per call while (re)building. */
const CHUNK = 1_000;

/** Where the bits' index block is kept beside them in the store. */
const BLOCK_KEY = "status_lists_block";

/**
 * The bits are kept in the store with the index block they reflect, so that an instance starting (or another one
 * beside it) continues from there instead of reading every document's verdict again.
 */
export class StatusLists {
  private readonly lists = new Map<string, Bitstring>();
  /** Lists whose bits changed since they were last stored. */
  private readonly dirty = new Set<string>();
  /** The index block the bits reflect; undefined until the first build. */
  private builtTo: number | undefined;
  private building: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly indexes: StatusIndexes,
    private readonly chain: Chain,
    private readonly documents: Documents,
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

  /** The bits as stored, if any were: the block they reflect. */
  private async load(): Promise<void> {
    const block = await this.store.getMeta(BLOCK_KEY);
    if (block === undefined) return;
    for (const row of await this.store.all<{ purpose: StatusPurpose; list: number; bits: Uint8Array }>("SELECT purpose, list, bits FROM status_bits")) {
      this.lists.set(`${row.purpose}:${Number(row.list)}`, new Bitstring(new Uint8Array(row.bits)));
    }
    this.builtTo = Number(block);
  }

  /** Stores the changed lists and the block, unless the store already holds a later block (another instance's). */
  private async save(block: number): Promise<void> {
    const dirty = [...this.dirty];
    this.dirty.clear();
    await this.store.tx(async (t) => {
      await t.lock("status_bits");
      const stored = await this.store.getMeta(BLOCK_KEY, t);
      if (stored !== undefined && Number(stored) > block) return;
      for (const key of dirty) {
        const [purpose, list] = key.split(":");
        await t.run("INSERT INTO status_bits (purpose, list, bits) VALUES (?, ?, ?) ON CONFLICT (purpose, list) DO UPDATE SET bits = excluded.bits", [
          purpose!, Number(list), this.lists.get(key)!.bytes,
        ]);
      }
      await this.store.setMeta(BLOCK_KEY, String(block), t);
    });
  }

  /**
   * Brings the bits up to the index's cursor: on the first call every document with an index is read from the contract;
   * after that only those named by a revocation or supersession the index saw since. Concurrent callers share one run.
   */
  refresh(): Promise<void> {
    this.building ??= this.build().finally(() => (this.building = undefined));
    return this.building;
  }

  private async build(): Promise<void> {
    const to = await this.cursor();
    if (this.builtTo === undefined) await this.load();
    if (this.builtTo !== undefined && to <= this.builtTo) return;
    let rows: StatusIndexRow[];
    if (this.builtTo === undefined) rows = await this.indexes.all();
    else {
      const events = await this.store.all<{ action: string; anchor: string | null; doc_hash: string | null }>(
        `SELECT action, anchor, doc_hash FROM events WHERE block > ? AND block <= ? AND action IN (${LIFECYCLE_ACTIONS.map(() => "?").join(", ")})`,
        [this.builtTo, to, ...LIFECYCLE_ACTIONS],
      );
      // One document revoked in its batch names the batch's root too: only that document's status changed.
      rows = await this.indexes.affectedBy(events.map((e) => (e.action === "BATCH_DOCUMENT_REVOKED" ? e.doc_hash : e.anchor)).filter((a): a is string => a !== null));
    }
    for (let i = 0; i < rows.length; i += CHUNK) this.apply(rows.slice(i, i + CHUNK), await this.read(rows.slice(i, i + CHUNK)));
    await this.save(to);
    this.builtTo = to;
  }

  /** Sets the bits a document's verdict calls for (a newly issued credential's document is VALID: nothing to set). */
  apply(rows: Pick<StatusIndexRow, "idx">[], results: Pick<VerificationResult, "status">[]): void {
    rows.forEach((row, i) => {
      const status = results[i]!.status;
      const list = Math.floor(row.idx / STATUS_LIST_SIZE);
      const purpose: StatusPurpose | undefined = status === "REVOKED" ? "revocation" : status === "SUPERSEDED" ? "superseded" : undefined;
      if (!purpose) return;
      this.list(purpose, list).set(row.idx % STATUS_LIST_SIZE);
      this.dirty.add(`${purpose}:${list}`);
    });
  }

  /** The contract's verdicts of `rows`, in order: a private batch's document with its stored receipt. */
  private async read(rows: StatusIndexRow[]): Promise<VerificationResult[]> {
    const plain = rows.filter((r) => r.receipt === null).map((r) => r.doc_hash as Hex);
    const withReceipt = rows.filter((r) => r.receipt !== null).map((r) => ({ docHash: r.doc_hash as Hex, receipt: JSON.parse(r.receipt!) as Receipt }));
    const [a, b] = await Promise.all([
      plain.length > 0 ? this.documents.verify(plain) : [],
      withReceipt.length > 0 ? onChain(async () => (await this.chain.sdk()).verifyMany(withReceipt)) : [],
    ]);
    const byHash = new Map<string, VerificationResult>([...a, ...b].map((r) => [r.docHash, r]));
    return rows.map((r) => byHash.get(r.doc_hash)!);
  }
}
