// Starts the embedded chain from what is on disk: the newest checkpoint that loads, then the journal after it
// replayed block by block (same transactions, same block times), then mining as configured. A journal that does
// not reproduce what it recorded stops the start, naming the file and the line.
import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { startAnvil, type Anvil } from "./anvil.js";
import { ChainArchive, KEPT_BLOCKS, readBlocks } from "./archive.js";
import { headOfState, listCheckpoints, stateTimestamp, type Checkpoint } from "./checkpoints.js";
import { Journal, JournalError, readJournal, type BlockRecord } from "./journal.js";

export interface EmbeddedChainFiles {
  /** The append-only journal of blocks. */
  journal: string;
  /** The folder of checkpoints. */
  checkpoints: string;
  /** The single state file of the design before the journal: a checkpoint to start from, never written again. */
  legacyState: string;
  /** The history of every journaled block (archive.ts). */
  archive: string;
  /** The running node's process id (it runs in a process group of its own; see startAnvil). */
  nodePid: string;
}

export const chainFiles = (dataDir: string): EmbeddedChainFiles => ({
  journal: join(dataDir, "journal.ndjson"),
  checkpoints: join(dataDir, "checkpoints"),
  legacyState: join(dataDir, "chain.json"),
  archive: join(dataDir, "archive.sqlite"),
  nodePid: join(dataDir, "anvil.pid"),
});

export interface RecoveredChain {
  anvil: Anvil;
  journal: Journal;
  archive: ChainArchive;
  /** The last block the journal or the loaded checkpoint holds. */
  journaledBlock: number;
  /** The checkpoint started from (undefined: from genesis). */
  checkpoint?: Checkpoint;
  /** Blocks replayed from the journal. */
  replayed: number;
  /** Whether anything was on disk (a checkpoint or a journal). */
  existing: boolean;
}

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const reply = (await res.json()) as { result?: T; error?: { message: string } };
  if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result as T;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** Sends a recorded block's transactions at its time and mines it; throws JournalError when it comes out otherwise. */
async function replayBlock(url: string, b: BlockRecord, where: string): Promise<void> {
  await rpc(url, "evm_setNextBlockTimestamp", [b.timestamp]);
  if (b.txs.length > 0) {
    const body = JSON.stringify(b.txs.map((tx, id) => ({ jsonrpc: "2.0", id, method: "eth_sendRawTransaction", params: [tx] })));
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const replies = (await res.json()) as { error?: { message: string } }[];
    const refused = replies.find((r) => r.error);
    if (refused) throw new JournalError(`${where}: block ${b.number} cannot be replayed: the node refused one of its transactions (${refused.error!.message})`);
  }
  await rpc(url, "evm_mine");
  const mined = await rpc<{ number: string; timestamp: string; transactions: string[] } | null>(url, "eth_getBlockByNumber", [hex(b.number), false]);
  const same = mined !== null && Number(mined.timestamp) === b.timestamp && mined.transactions.join() === b.txHashes.join();
  if (!same) {
    throw new JournalError(
      `${where}: block ${b.number} replays as ${mined ? `${mined.transactions.length} transaction(s) at ${Number(mined.timestamp)}` : "nothing"}, ` +
        `not the ${b.txHashes.length} recorded at ${b.timestamp}; the start stops rather than build a second history`,
    );
  }
}

/**
 * Starts anvil from the files in `dataDir` (none: a new chain). Checkpoints are tried newest first; one that does
 * not load, or loads at another block than its name says, is skipped for the one before it and a longer replay.
 */
export async function recoverChain(opts: { dataDir: string; chainId?: number; blockTime?: number; log?: (line: string) => void }): Promise<RecoveredChain> {
  const archive = ChainArchive.open(chainFiles(opts.dataDir).archive);
  return recoverWith(archive, opts).catch((e: unknown) => {
    archive.close();
    throw e;
  });
}

async function recoverWith(archive: ChainArchive, opts: Parameters<typeof recoverChain>[0]): Promise<RecoveredChain> {
  const files = chainFiles(opts.dataDir);
  const log = opts.log ?? (() => undefined);
  await mkdir(files.checkpoints, { recursive: true });
  const contents = readJournal(files.journal);
  if (contents.tornTail) log(`${files.journal}: the last record was cut short by a crash (never acknowledged); dropped`);
  const genesis = contents.records.find((r) => r.kind === "genesis");
  const blocks = contents.records.map((r, i) => ({ r, line: contents.lines[i]! })).filter((x): x is { r: BlockRecord; line: number } => x.r.kind === "block");

  const candidates: Checkpoint[] = listCheckpoints(files.checkpoints);
  if (existsSync(files.legacyState)) {
    const block = headOfState(readFileSync(files.legacyState));
    if (block !== undefined) candidates.push({ file: files.legacyState, block });
  }
  const lastJournaled = blocks.length > 0 ? blocks[blocks.length - 1]!.r.number : 0;
  const byNumber = new Map(blocks.map(({ r }) => [r.number, r]));
  let anvil: Anvil | undefined;
  let checkpoint: Checkpoint | undefined;
  for (const c of candidates) {
    try {
      anvil = await startAnvil({ stateFile: c.file, chainId: opts.chainId, noMining: true, startTimestamp: stateTimestamp(c.file), genesisTimestamp: genesis?.timestamp, pidFile: files.nodePid });
      const head = Number(await rpc<string>(anvil.url, "eth_blockNumber"));
      if (head !== c.block) throw new Error(`it holds block ${head}, not ${c.block}`);
      // The same history as the journal: a checkpoint taken while a block nobody had seen was being mined holds that
      // block, and a start that passed over the checkpoint may since have journaled another block of that number.
      const common = byNumber.get(Math.min(c.block, lastJournaled));
      if (common) {
        const mined = await rpc<{ hash: string } | null>(anvil.url, "eth_getBlockByNumber", [hex(common.number), false]);
        if (mined?.hash !== common.hash) throw new Error(`its block ${common.number} is not the journal's (${mined?.hash ?? "none"}, not ${common.hash}): another history`);
      }
      // Blocks archived that neither the journal nor this checkpoint holds were mined just before a crash and are
      // gone; those the archive lacks up to the checkpoint's head must still be in it in full (a checkpoint holds its
      // last blocks' transactions only), or an older checkpoint and a longer replay bring them back.
      archive.truncateAfter(Math.max(lastJournaled, c.block));
      if (archive.head() < c.block) archive.add(await readBlocks(anvil.url, archive.head() + 1, c.block));
      checkpoint = c;
      break;
    } catch (e) {
      log(`checkpoint ${c.file} cannot be used (${(e as Error).message.split("\n")[0]}); trying an older one`);
      await anvil?.stop();
      anvil = undefined;
    }
  }
  if (!anvil) {
    anvil = await startAnvil({ chainId: opts.chainId, noMining: true, startTimestamp: genesis?.timestamp, genesisTimestamp: genesis?.timestamp, pidFile: files.nodePid });
    archive.truncateAfter(lastJournaled);
    if (archive.head() < 0) archive.add(await readBlocks(anvil.url, 0, 0));
  }
  const base = checkpoint?.block ?? 0;

  try {
    const tail = blocks.filter((b) => b.r.number > base);
    if (tail.length > 0 && tail[0]!.r.number !== base + 1) {
      throw new JournalError(
        `${files.journal}, line ${tail[0]!.line}: the journal resumes at block ${tail[0]!.r.number}, but the chain ` +
          `${checkpoint ? `of ${checkpoint.file}` : "without a checkpoint"} ends at block ${base}; blocks in between are missing`,
      );
    }
    // Replayed blocks the archive lacks are archived as the replay goes, before the node forgets them.
    const archiveReplayed = async (through: number) => {
      if (archive.head() < through) archive.add(await readBlocks(anvil!.url, archive.head() + 1, through));
    };
    for (const { r, line } of tail) {
      await replayBlock(anvil.url, r, `${files.journal}, line ${line}`);
      if (r.number % (KEPT_BLOCKS / 2) === 0) await archiveReplayed(r.number);
    }
    if (tail.length > 0) await archiveReplayed(tail[tail.length - 1]!.r.number);
    // The clock was set back for the replay: new blocks take the wall clock's time again (never before the head's).
    const head = await rpc<{ timestamp: string }>(anvil.url, "eth_getBlockByNumber", ["latest", false]);
    await rpc(anvil.url, "evm_setTime", [Math.max(Math.floor(Date.now() / 1000), Number(head.timestamp))]);
    if (opts.blockTime !== undefined) await rpc(anvil.url, "evm_setIntervalMining", [opts.blockTime]);
    else await rpc(anvil.url, "evm_setAutomine", [true]);

    const journal = await Journal.open(files.journal, contents.goodBytes);
    if (!genesis) {
      const zero = await rpc<{ timestamp: string }>(anvil.url, "eth_getBlockByNumber", ["0x0", false]);
      const chainId = Number(await rpc<string>(anvil.url, "eth_chainId"));
      await journal.append([{ kind: "genesis", chainId, timestamp: Number(zero.timestamp) }]);
    }
    return {
      anvil,
      journal,
      archive,
      // Blocks a checkpoint holds beyond the journal (mined just before a crash) are journaled by the gateway's first read.
      journaledBlock: blocks.length > 0 ? lastJournaled : base,
      checkpoint,
      replayed: tail.length,
      existing: checkpoint !== undefined || blocks.length > 0,
    };
  } catch (e) {
    await anvil.stop();
    throw e;
  }
}
