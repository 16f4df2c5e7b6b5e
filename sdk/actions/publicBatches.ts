import { buildBatch, type Batch } from "../batch.js";
import { freshBlockNumber, read, type ClientContext } from "../context.js";
import { TradeproofError } from "../errors.js";
import type { Hex } from "../types.js";

/**
 * What the client has learnt of public batches from their BatchLeaves events: the leaves of each root and the
 * root of each document (the first public batch that holds it). Scanned incrementally, once per new block range.
 */
export interface PublicLeaves {
  /** Whether the lookup is on at all. */
  enabled: boolean;
  scannedTo: number;
  rootOf: Map<Hex, Hex>;
  leaves: Map<Hex, Hex[]>;
  batches: Map<Hex, Batch>;
  scanning: Promise<void> | undefined;
}

export function emptyPublicLeaves(startBlock: number, enabled = true): PublicLeaves {
  return { enabled, scannedTo: startBlock - 1, rootOf: new Map(), leaves: new Map(), batches: new Map(), scanning: undefined };
}

/** The docHashes of a BatchLeaves event: `abi.encode(bytes32[])`, decoded directly (ethers' decoder is slow on
 * batches of thousands). */
function decodeLeaves(data: string): Hex[] {
  const length = parseInt(data.slice(2 + 64, 2 + 128), 16);
  if (!Number.isSafeInteger(length) || data.length < 2 + 128 + length * 64) {
    throw new TradeproofError("The node returned a malformed BatchLeaves event.", { code: "BAD_DATA" });
  }
  const hashes = new Array<Hex>(length);
  for (let i = 0; i < length; i++) hashes[i] = `0x${data.slice(2 + 128 + i * 64, 2 + 192 + i * 64).toLowerCase()}`;
  return hashes;
}

async function scan(ctx: ClientContext): Promise<void> {
  const known = ctx.publicLeaves;
  const latest = { number: await read(ctx, () => freshBlockNumber(ctx.provider)) };
  if (latest.number <= known.scannedTo) return;
  const topic = ctx.registry.interface.getEvent("BatchLeaves").topicHash;
  const logs = await read(ctx, () =>
    ctx.provider.getLogs({ address: ctx.deployment.registry, topics: [topic], fromBlock: known.scannedTo + 1, toBlock: latest.number }),
  );
  for (const log of logs) {
    const root = log.topics[1]!.toLowerCase() as Hex;
    const hashes = decodeLeaves(log.data);
    known.leaves.set(root, hashes);
    // A document anchored again in a later public batch is read from its latest anchor (the API's index does the
    // same), so that every client gives one verdict for one hash.
    for (const h of hashes) known.rootOf.set(h, root);
  }
  known.scannedTo = latest.number;
}

/**
 * Finds documents of public batches by their hash alone, as the design promises: the roots and proofs of those
 * of `docHashes` that a public batch holds, rebuilt from the emitted leaves.
 */
export async function locateInPublicBatches(ctx: ClientContext, docHashes: Hex[]): Promise<Map<Hex, { root: Hex; proof: Hex[] }>> {
  const known = ctx.publicLeaves;
  const found = new Map<Hex, { root: Hex; proof: Hex[] }>();
  if (!known.enabled) return found;
  // One scan at a time: concurrent verifications wait for the same one.
  while (known.scanning) await known.scanning;
  known.scanning = scan(ctx).finally(() => (known.scanning = undefined));
  await known.scanning;
  for (const docHash of docHashes) {
    const root = known.rootOf.get(docHash);
    if (!root) continue;
    let batch = known.batches.get(root);
    if (!batch) {
      batch = buildBatch(known.leaves.get(root)!);
      known.batches.set(root, batch);
    }
    found.set(docHash, { root, proof: batch.proof(docHash) });
  }
  return found;
}

