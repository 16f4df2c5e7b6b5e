import { getAddress } from "ethers";
import { attestationReason, buildBatch, withReasonName, type Batch, type Hex, type HistoryEntry, type Receipt, type VerificationResult } from "../../sdk/index.js";
import { anchorOf, issuedBy, newestPerDocument, type Filing, type ReferencedDocument } from "../../sdk/actions/references.js";
import type { Chain } from "../chain.js";
import { onChain } from "../chain.js";
import { HISTORY_ACTIONS } from "../indexer/decode.js";
import { isoSeconds } from "../indexer/indexer.js";
import { databaseUnavailable } from "../errors.js";
import { StoreUnavailableError, type Store } from "../store.js";
import { organisationNames } from "../audit/audit.js";

interface EventRow {
  block: number; log_index: number; tx_hash: string; at: number; name: string; action: string; anchor: string | null;
  doc_hash: string | null; related: string | null; organisation: number | null; account: string | null;
  doc_type: number | null; details: string;
}

const MAX_CACHED = 100_000;

/**
 * Reads of documents. The verdict always comes from the contract (through the SDK); the index
 * supplies what the contract cannot find by hash alone (the batch and proof of a document of a
 * public batch) and the history. Results are memoised until the chain head moves, since state
 * changes only with a new block.
 */
export class Documents {
  private readonly cache = new Map<string, { head: number; result: VerificationResult; json?: string }>();
  private readonly trees = new Map<string, Batch>();
  private readonly inflight = new Map<string, { head: number; result: Promise<VerificationResult> }>();
  private batch: { hashes: Set<Hex>; result?: Promise<Map<Hex, VerificationResult>> } | undefined;

  constructor(
    private readonly chain: Chain,
    private readonly store: Store,
    /** Latest chain head the indexer saw, or undefined when it does not follow the chain. */
    private readonly head: () => number | undefined,
    /** Counts cache hits and misses (for /metrics). */
    private readonly onCache?: (hits: number, misses: number) => void,
  ) {}

  /**
   * Verification results for `docHashes`, in order: from the cache when read at the current head,
   * else in one contract call for all the others. Concurrent requests for a hash being read wait for
   * that read instead of starting their own (no stampede on the node when a popular hash expires).
   */
  async verify(docHashes: Hex[]): Promise<VerificationResult[]> {
    const head = this.head();
    const results: VerificationResult[] = new Array(docHashes.length);
    const waits: Promise<void>[] = [];
    const toRead = new Set<Hex>();
    docHashes.forEach((h, i) => {
      if (head !== undefined) {
        const hit = this.cache.get(h);
        if (hit?.head === head) return void (results[i] = hit.result);
        const pending = this.inflight.get(h);
        if (pending?.head === head) return void waits.push(pending.result.then((r) => void (results[i] = r)));
      }
      toRead.add(h);
    });
    this.onCache?.(docHashes.length - toRead.size, toRead.size);
    if (toRead.size > 0) {
      const hashes = [...toRead];
      const read = this.read(hashes);
      if (head !== undefined) {
        const entries = hashes.map((h) => [h, { head, result: read.then((m) => m.get(h)!) }] as const);
        for (const [h, entry] of entries) {
          entry.result.catch(() => undefined); // the error reaches the caller through `read`
          this.inflight.set(h, entry);
        }
        void read
          .then((m) => {
            if (this.cache.size + m.size > MAX_CACHED) this.cache.clear();
            for (const [h, r] of m) this.cache.set(h, { head, result: r });
          }, () => undefined)
          .finally(() => {
            for (const [h, entry] of entries) if (this.inflight.get(h) === entry) this.inflight.delete(h);
          });
      }
      const fresh = await read;
      docHashes.forEach((h, i) => (results[i] ??= fresh.get(h)!));
    }
    await Promise.all(waits);
    return results;
  }

  /**
   * The result of one document as JSON text (what `JSON.stringify` gives for {@link verify}'s),
   * serialised once per document and block: GET /v1/documents/:docHash sends it as it is.
   * {@link cachedJson} is its synchronous half, for a result already cached at the current head.
   */
  async verifyJson(docHash: Hex): Promise<string> {
    const cached = this.cachedJson(docHash);
    if (cached !== undefined) return cached;
    const [result] = await this.verify([docHash]);
    const entry = this.cache.get(docHash);
    return entry?.result === result ? (entry.json ??= JSON.stringify(result)) : JSON.stringify(result);
  }

  /** The JSON text of `docHash`'s result when it is cached at the current head (a cache hit), else undefined. */
  cachedJson(docHash: Hex): string | undefined {
    const head = this.head();
    if (head === undefined) return undefined;
    const hit = this.cache.get(docHash);
    if (hit?.head !== head) return undefined;
    this.onCache?.(1, 0);
    return (hit.json ??= JSON.stringify(hit.result));
  }

  /**
   * Reads `hashes` from the contract. Reads asked for in the same turn of the event loop (concurrent
   * requests) are merged into one verifyMany call: under load the node answers one call for many
   * documents instead of one call each.
   */
  private read(hashes: Hex[]): Promise<Map<Hex, VerificationResult>> {
    if (!this.batch) {
      const batch: { hashes: Set<Hex>; result?: Promise<Map<Hex, VerificationResult>> } = { hashes: new Set() };
      batch.result = new Promise((resolve, reject) =>
        setImmediate(() => {
          if (this.batch === batch) this.batch = undefined;
          this.readNow([...batch.hashes]).then(resolve, reject);
        }),
      );
      this.batch = batch;
    }
    for (const h of hashes) this.batch.hashes.add(h);
    return this.batch.result!;
  }

  private async readNow(hashes: Hex[]): Promise<Map<Hex, VerificationResult>> {
    const client = await this.chain.sdk();
    // Without the index (database out of reach) the contract is asked for each document alone: what it finds is the
    // answer, but NOT_FOUND could be a document of a public batch that only the index can find, so that is a 503.
    let indexDown = false;
    const queries = await Promise.all(
      hashes.map((h) =>
        this.query(h).catch((e: unknown) => {
          if (!(e instanceof StoreUnavailableError)) throw e;
          indexDown = true;
          return { docHash: h };
        }),
      ),
    );
    const fresh = await onChain(() => client.verifyMany(queries));
    if (indexDown && fresh.some((r) => r.status === "NOT_FOUND")) throw databaseUnavailable();
    const long = fresh.filter((r) => r.attestationsTotal !== undefined);
    if (long.length > 0) await onChain(() => Promise.all(long.map((r) => this.allAttestations(client, r))));
    return new Map(hashes.map((h, i) => [h, fresh[i]]));
  }

  /**
   * The chain lists only the latest outcomes of a document with very many (so that nobody can make it unreadable);
   * the index has every DocumentAttested event, so the API answers with the full list once the index holds them all.
   */
  private async allAttestations(
    client: { organisation(id: number): Promise<{ name: string }> },
    result: VerificationResult,
  ): Promise<void> {
    const rows = await this.store
      .all<{ account: string; organisation: number; at: number; details: string }>(
        "SELECT account, organisation, at, details FROM events WHERE name = 'DocumentAttested' AND doc_hash = ? ORDER BY block, log_index",
        [result.docHash],
      )
      .catch((e: unknown) => {
        if (e instanceof StoreUnavailableError) return []; // no index now: the chain's latest, as when the index is behind
        throw e;
      });
    if (rows.length < result.attestationsTotal!) return; // the index is behind the chain: keep the chain's latest
    const names = new Map<number, Promise<{ name: string }>>();
    const name = (id: number) => {
      if (!names.has(id)) names.set(id, client.organisation(id));
      return names.get(id)!;
    };
    result.attestations = await Promise.all(
      rows.map(async (r) => {
        const details = JSON.parse(r.details) as { outcome: NonNullable<VerificationResult["attestations"]>[number]["outcome"]; reasonCode: number };
        const reason = attestationReason(details.reasonCode);
        return {
          by: getAddress(r.account) as Hex,
          organisation: (await name(r.organisation)).name,
          outcome: details.outcome,
          at: isoSeconds(r.at),
          ...(reason ? { reason } : {}),
        };
      }),
    );
    delete result.attestationsTotal;
  }

  /**
   * What to ask the contract: the document alone, unless the index knows it only as a leaf of a
   * public batch; then the newest such batch, with the proof rebuilt from the stored leaves.
   */
  private async query(docHash: Hex): Promise<{ docHash: Hex; receipt?: Receipt }> {
    const { store } = this;
    if (await store.one("SELECT 1 FROM anchors WHERE anchor = ?", [docHash])) return { docHash };
    const batch = await store.one<{ root: Hex; tx_hash: Hex; block: number; at: number; account: Hex; doc_type: number }>(
      `SELECT e.anchor AS root, e.tx_hash, e.block, e.at, e.account, e.doc_type FROM leaves l
       JOIN events e ON e.anchor = l.root AND e.name = 'BatchRegistered'
       WHERE l.doc_hash = ? ORDER BY e.block DESC, e.log_index DESC LIMIT 1`,
      [docHash],
    );
    if (!batch) return { docHash };
    let tree = this.trees.get(batch.root);
    if (!tree) {
      const leaves = await store.all<{ doc_hash: Hex }>("SELECT doc_hash FROM leaves WHERE root = ? ORDER BY position", [batch.root]);
      tree = buildBatch(leaves.map((l) => l.doc_hash));
      if (this.trees.size > 1_000) this.trees.clear();
      this.trees.set(batch.root, tree);
    }
    const d = this.chain.deployment;
    return {
      docHash,
      receipt: {
        type: "tradeproof-receipt/v1", docHash, docType: String(batch.doc_type), root: batch.root, proof: tree.proof(docHash),
        chainId: d.chainId, registry: d.registry, txHash: batch.tx_hash, blockNumber: batch.block,
        anchoredAt: isoSeconds(batch.at), issuer: batch.account,
      },
    };
  }

  /**
   * The documents `organisation` filed under the reference `commitment`, newest first, each verified by the contract:
   * the filings come from the index (DocumentReferenced events), and a document is kept only when its anchor was
   * made by that same organisation (so no member can file another's documents, or its own under another's number).
   */
  async byReference(organisation: number, commitment: Hex): Promise<ReferencedDocument[]> {
    const { store } = this;
    const filings = newestPerDocument(
      await store.all<Filing>(
        `SELECT doc_hash AS "docHash", tx_hash AS "txHash", block AS "blockNumber" FROM events
         WHERE related = ? AND name = 'DocumentReferenced' AND organisation = ? ORDER BY block DESC, log_index DESC`,
        [commitment, organisation],
      ),
    );
    if (filings.length === 0) return [];
    const results = await this.verify(filings.map((f) => f.docHash));
    const anchoredBy = new Map<Hex, number | undefined>();
    for (const anchor of new Set(results.map(anchorOf))) {
      const row = await store.one<{ organisation: number }>(
        "SELECT organisation FROM events WHERE anchor = ? AND name IN ('DocumentRegistered', 'BatchRegistered') LIMIT 1",
        [anchor],
      );
      anchoredBy.set(anchor, row?.organisation);
    }
    return issuedBy(filings, results, (anchor) => anchoredBy.get(anchor), organisation);
  }

  /**
   * The indexed history of a document (its own events, those of the batch it is a public leaf of, and
   * supersessions either way) and its chain of versions, oldest first.
   */
  async history(docHash: Hex): Promise<{ entries: HistoryEntry[]; versions: Hex[] }> {
    const { store } = this;
    const roots = (await store.all<{ root: string }>("SELECT DISTINCT root FROM leaves WHERE doc_hash = ?", [docHash])).map((r) => r.root);
    const anchors = [docHash, ...roots];
    const marks = anchors.map(() => "?").join(", ");
    const actions = HISTORY_ACTIONS.map((a) => `'${a}'`).join(", ");
    const rows = await store.all<EventRow>(
      `SELECT * FROM events WHERE action IN (${actions}) AND (anchor IN (${marks}) OR doc_hash = ? OR related = ?)
       ORDER BY block, log_index`,
      [...anchors, docHash, docHash],
    );
    const names = await organisationNames(store);
    const entries = rows
      // Revocation of another document of the same batch is not this document's history.
      .filter((r) => !(r.name === "BatchDocumentRevoked" && r.doc_hash !== docHash))
      .map((r) => toHistoryEntry(r, names));
    return { entries, versions: await this.versions(docHash) };
  }

  private async versions(docHash: Hex): Promise<Hex[]> {
    const older = async (h: Hex) => (await this.store.one<{ anchor: Hex }>("SELECT anchor FROM events WHERE name = 'DocumentSuperseded' AND related = ? LIMIT 1", [h]))?.anchor;
    const newer = async (h: Hex) => (await this.store.one<{ related: Hex }>("SELECT related FROM events WHERE name = 'DocumentSuperseded' AND anchor = ? LIMIT 1", [h]))?.related;
    const chain: Hex[] = [docHash];
    const seen = new Set<string>(chain);
    for (let h: Hex | undefined = docHash; h; ) {
      h = await older(h);
      if (!h || seen.has(h)) break;
      seen.add(h);
      chain.unshift(h);
    }
    for (let h: Hex | undefined = docHash; h; ) {
      h = await newer(h);
      if (!h || seen.has(h)) break;
      seen.add(h);
      chain.push(h);
    }
    return chain;
  }
}

/**
 * The header a NOT_FOUND verification result comes with (the result itself is normative and carries no advice): the
 * hash alone cannot find a document of a private batch.
 */
export const NOT_FOUND_HINT: [string, string] = [
  "Tradeproof-Hint",
  "Nothing is anchored under this hash. A document of a private batch is found only with its receipt: POST /v1/verify/receipt.",
];

/** An index row in the SDK's HistoryEntry shape. */
export function toHistoryEntry(r: EventRow, names?: Map<number, { name: string }>): HistoryEntry {
  const name = r.organisation !== null ? names?.get(r.organisation)?.name : undefined;
  return {
    action: r.action as HistoryEntry["action"],
    anchor: r.anchor as Hex,
    ...(r.doc_hash ? { docHash: r.doc_hash as Hex } : {}),
    account: r.account as Hex,
    organisation: r.organisation ?? 0,
    ...(name !== undefined ? { organisationName: name } : {}),
    blockNumber: r.block,
    txHash: r.tx_hash as Hex,
    logIndex: r.log_index,
    at: isoSeconds(r.at),
    details: withReasonName(JSON.parse(r.details) as Record<string, unknown>),
  };
}
