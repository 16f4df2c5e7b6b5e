/** The shape of one benchmark figure, as written to results.json and RESULTS.md. */

export type Better = "lower" | "higher";

export interface Row {
  /** Table section, e.g. "Gas", "Throughput". */
  section: string;
  /** What was measured, in words. */
  figure: string;
  unit: string;
  /** Whether a lower or a higher value is the better one (gas: lower; documents a second: higher). */
  better: Better;
  /** Our figure; null when it was not measured (then `note` says why). */
  tradeproof: number | null;
  /** The peer's figure on the same input; null when there is no peer figure. */
  peer?: number | null;
  /** Which peer, e.g. "@trustvc/document-store 1.0.3". */
  peerName?: string;
  /** A target from the issues, e.g. "≤ 10 s". */
  target?: { op: "<=" | ">="; value: number };
  note?: string;
}

/** Tradeproof ÷ peer, or null when either side is missing. */
export const ratio = (r: Row) => (r.tradeproof != null && r.peer != null && r.peer !== 0 ? r.tradeproof / r.peer : null);

/** Whether the target is met (undefined without a target or a figure). */
export const meets = (r: Row) =>
  r.target && r.tradeproof != null ? (r.target.op === "<=" ? r.tradeproof <= r.target.value : r.tradeproof >= r.target.value) : undefined;

/** Whole seconds of wall-clock time between two `performance.now()` readings. */
export const seconds = (t0: number, t1 = performance.now()) => (t1 - t0) / 1000;

/** The middle of a few measurements (the upper middle of an even count). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
