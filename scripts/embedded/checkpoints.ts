// Checkpoints of the embedded chain: the node's whole state (anvil_dumpState), written in the background every
// so many blocks and at a clean stop, so that a start replays only the journal after the newest one. Each is
// written to a temporary file, fsynced and renamed (a crash leaves the old set whole); the newest two are kept,
// so a damaged newest one falls back to the one before it and a longer replay.
import { closeSync, existsSync, openSync, readdirSync, readSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { writeFileAtomic } from "./files.js";

const NAME = /^state-(\d{12})\.json$/;
/** How many checkpoints are kept. */
export const KEPT_CHECKPOINTS = 2;

export interface Checkpoint {
  file: string;
  /** The chain's head block in it. */
  block: number;
}

/** The checkpoints in `dir`, newest first. */
export function listCheckpoints(dir: string): Checkpoint[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: join(dir, m[0]), block: Number(m[1]) }))
    .sort((a, b) => b.block - a.block);
}

/** The head block recorded in a state dump (anvil's `best_block_number`), read without parsing the whole file. */
export function headOfState(json: Buffer): number | undefined {
  const at = json.lastIndexOf('"best_block_number"');
  if (at === -1) return undefined;
  const m = /^"best_block_number"\s*:\s*"?(0x[0-9a-fA-F]+|\d+)"?/.exec(json.subarray(at, at + 64).toString("latin1"));
  return m ? Number(m[1]) : undefined;
}

/**
 * The time of the head block of a state file (its block environment, the dump's first key), read from the file's
 * first bytes. anvil started from a state sets its clock to the wall clock and refuses older block times, so a
 * replay after it must start the node at this time (`--timestamp`).
 */
export function stateTimestamp(file: string): number | undefined {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    const m = /^\s*\{\s*"block"\s*:\s*\{[^}]*?"timestamp"\s*:\s*"?(0x[0-9a-fA-F]+|\d+)"?/.exec(head.subarray(0, n).toString("latin1"));
    return m ? Number(m[1]) : undefined;
  } finally {
    closeSync(fd);
  }
}

/** anvil_dumpState's answer (hex of gzip or of JSON) as the plain JSON `--load-state` reads. */
export function stateJson(hex: string): Buffer {
  const raw = Buffer.from(hex.replace(/^0x/, ""), "hex");
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

/** Writes a checkpoint of the state `json` (its head read from it) and removes all but the newest {@link KEPT_CHECKPOINTS}. */
export async function writeCheckpoint(dir: string, json: Buffer): Promise<Checkpoint> {
  const block = headOfState(json);
  if (block === undefined) throw new Error("the node's state dump names no head block (best_block_number)");
  const file = join(dir, `state-${String(block).padStart(12, "0")}.json`);
  await writeFileAtomic(file, json);
  for (const old of listCheckpoints(dir).slice(KEPT_CHECKPOINTS)) await rm(old.file, { force: true });
  return { file, block };
}
