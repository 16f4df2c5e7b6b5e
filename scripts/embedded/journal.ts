// The embedded chain's write-ahead journal: one line per mined block (its number, time, hash and raw signed
// transactions), appended and fsynced before anything that depends on it is answered. Appending costs the same at block 10 and at block 100,000; the full state is written only by the
// background checkpoints (checkpoints.ts). On start the newest whole checkpoint is loaded and the journal after it
// replayed (recover.ts).
//
// Line format: `<record as JSON>\t<first 16 hex digits of the SHA-256 of that JSON>\n`. A last line without its
// newline or whose digest does not match is a torn append (a crash half-way) and is dropped; a bad line anywhere
// else is damage, reported with the file and line number, never skipped.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { open, truncate, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { syncDirectory } from "./files.js";

/** A mined block as the node built it: replayed by sending `txs` at `timestamp` and mining one block. */
export interface BlockRecord {
  kind: "block";
  number: number;
  timestamp: number;
  hash: string;
  /** The raw signed transactions, in the block's order. */
  txs: string[];
  /** Their hashes, to check the replay against. */
  txHashes: string[];
}

/** The chain the journal belongs to, first line of every journal. */
export interface GenesisRecord {
  kind: "genesis";
  chainId: number;
  /** Block 0's time: a node started without a checkpoint is given it, so that block 1 follows the same genesis. */
  timestamp: number;
}

export type JournalRecord = BlockRecord | GenesisRecord;

/** The journal is damaged (not merely torn at its end): the start stops rather than build a second history. */
export class JournalError extends Error {
  override name = "JournalError";
}

const digest = (json: string) => createHash("sha256").update(json).digest("hex").slice(0, 16);

export const encodeRecord = (record: JournalRecord): string => {
  const json = JSON.stringify(record);
  return `${json}\t${digest(json)}\n`;
};

export interface JournalContents {
  records: JournalRecord[];
  /** 1-based line number of each record, for messages. */
  lines: number[];
  /** Bytes of whole records: the file is cut back to this when its tail was torn. */
  goodBytes: number;
  /** A torn last record was found (and is left out of `records`). */
  tornTail: boolean;
}

/** Reads a journal file (absent: empty). Throws JournalError naming the file and line for damage before the end. */
export function readJournal(file: string): JournalContents {
  if (!existsSync(file)) return { records: [], lines: [], goodBytes: 0, tornTail: false };
  const bytes = readFileSync(file);
  const records: JournalRecord[] = [];
  const lines: number[] = [];
  let offset = 0;
  let line = 0;
  while (offset < bytes.length) {
    line++;
    const end = bytes.indexOf(0x0a, offset);
    const last = end === -1 || end === bytes.length - 1;
    const text = bytes.subarray(offset, end === -1 ? bytes.length : end).toString("utf8");
    const tab = text.lastIndexOf("\t");
    const json = tab === -1 ? "" : text.slice(0, tab);
    let record: JournalRecord | undefined;
    if (end !== -1 && tab !== -1 && digest(json) === text.slice(tab + 1)) {
      try {
        record = JSON.parse(json) as JournalRecord;
      } catch {
        record = undefined;
      }
    }
    if (!record) {
      if (last) return { records, lines, goodBytes: offset, tornTail: true };
      throw new JournalError(`${file}, line ${line}: the record is damaged (its digest does not match); the records after it cannot be trusted`);
    }
    records.push(record);
    lines.push(line);
    offset = end + 1;
  }
  return { records, lines, goodBytes: offset, tornTail: false };
}

/** An open journal that appends whole records, durably. */
export class Journal {
  private constructor(
    readonly file: string,
    private fh: FileHandle,
    private bytes: number,
  ) {}

  /** Opens `file` for appending, first cutting off a torn last record (`goodBytes` from {@link readJournal}). */
  static async open(file: string, goodBytes: number): Promise<Journal> {
    const existed = existsSync(file);
    if (existed) await truncate(file, goodBytes);
    const fh = await open(file, "a");
    if (!existed) await syncDirectory(dirname(file)); // the new file's name is durable too
    return new Journal(file, fh, goodBytes);
  }

  /** Size of the journal in bytes. */
  get size(): number {
    return this.bytes;
  }

  /** Appends the records and waits until they are on disk (one fsync for all of them). */
  async append(records: JournalRecord[]): Promise<void> {
    if (records.length === 0) return;
    const text = Buffer.from(records.map(encodeRecord).join(""), "utf8");
    await this.fh.write(text);
    await this.fh.datasync();
    this.bytes += text.length;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
