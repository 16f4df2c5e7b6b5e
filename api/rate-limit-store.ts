import type { ClientRateLimitInfo, Options, Store as RateLimitStore } from "express-rate-limit";
import type { Store } from "./store.js";

/** Windows whose end is this long past are deleted, every so many flushes. */
const SWEEP_EVERY = 600;

/** A client's count in this instance: what the store said at the last flush (and when), and what came since. */
interface Counter {
  window: number;
  shared: number;
  seenAt: number;
  pending: number;
}

/**
 * express-rate-limit's counters in the API's store, so that instances behind one load balancer count a client's
 * requests together (each would otherwise allow the whole budget). Fixed windows aligned on the clock, a client's
 * counter one row.
 *
 * A write per request made the store the hot read's bottleneck (one client: 3,100 req/s on PostgreSQL against 14,000
 * without limits, fewer on two instances as both updated one row). So each instance counts in memory and adds its
 * counts to the rows every `flushMs` in one statement, taking back the totals. A request whose client's total this
 * instance has not read back for longer than `flushMs` (its first of a window, or after a pause) waits for a flush
 * first, so that no answer rests on a total older than that: a client can pass its limit by what the instances let
 * through in one flush interval, no more.
 */
export class SharedRateLimitStore implements RateLimitStore {
  /** Counters are not this process's alone. */
  readonly localKeys = false;
  private windowMs = 60_000;
  private readonly counters = new Map<string, Counter>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private closed = false;
  private failedAt = 0;
  private flushes = 0;

  constructor(private readonly store: Store, readonly prefix: string, private readonly flushMs = 100) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private windowOf(now: number): number {
    return Math.floor(now / this.windowMs) * this.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = Date.now();
    const window = this.windowOf(now);
    let c = this.counters.get(key);
    if (!c || c.window !== window) this.counters.set(key, (c = { window, shared: 0, seenAt: 0, pending: 0 }));
    c.pending++;
    // While the store is away (a flush failed in the last second) nobody waits for it: requests pass on what is known.
    const reachable = () => now - this.failedAt > 1_000;
    if (now - c.seenAt > this.flushMs && reachable() && !this.closed) {
      const seenAt = c.seenAt;
      await this.flushNow();
      // The flush joined was under way before this client's count (its first of a window here): it read back the
      // totals of other clients only, so one more, which takes this count and this client's total.
      if (c.seenAt === seenAt && reachable()) await this.flushNow();
    }
    if (c.pending > 0) this.scheduleFlush();
    // At least 1: while the store is away the request passes, counted here alone.
    return { totalHits: Math.max(1, c.shared + c.pending), resetTime: new Date(window + this.windowMs) };
  }

  /** A flush `flushMs` from now, unless one is due already. */
  private scheduleFlush(): void {
    if (this.closed) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flushNow();
    }, this.flushMs).unref();
  }

  /**
   * Adds what this instance counted and has not flushed yet, and flushes no more: called before the store closes
   * (the API's close), or up to `flushMs` of counts would be lost with the scheduled flush failing on a closed store.
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    await this.flushNow();
  }

  /** A flush now, or the one under way (which reads back every total it sends). */
  private flushNow(): Promise<void> {
    this.inFlight ??= this.flush()
      .catch(() => void (this.failedAt = Date.now())) // its counts are lost; the store being away is no reason to refuse
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Adds every pending count to its row now; an instance's counts reach the others this way. */
  async flush(): Promise<void> {
    const window = this.windowOf(Date.now());
    const batch: [string, Counter, number][] = [];
    for (const [key, c] of this.counters) {
      if (c.window < window) this.counters.delete(key); // a past window counts no more
      else if (c.pending > 0) {
        batch.push([key, c, c.pending]);
        c.pending = 0;
      }
    }
    for (let i = 0; i < batch.length; i += 500) {
      const part = batch.slice(i, i + 500);
      // A row of an older window starts again; one of a newer window (another instance's clock is ahead) is kept.
      const rows = await this.store.all<{ key: string; hits: number }>(
        `INSERT INTO rate_limits (key, window_start, hits) VALUES ${part.map(() => "(?, ?, ?)").join(", ")}
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.hits + excluded.hits
                       WHEN rate_limits.window_start > excluded.window_start THEN rate_limits.hits ELSE excluded.hits END,
           window_start = CASE WHEN rate_limits.window_start > excluded.window_start THEN rate_limits.window_start ELSE excluded.window_start END
         RETURNING key, hits`,
        part.flatMap(([key, c, n]) => [this.prefix + key, c.window, n]),
      );
      const totals = new Map(rows.map((r) => [r.key, r.hits]));
      const at = Date.now();
      for (const [key, c] of part) {
        c.shared = totals.get(this.prefix + key) ?? c.shared;
        c.seenAt = at;
      }
    }
    if (++this.flushes % SWEEP_EVERY === 0) await this.store.run("DELETE FROM rate_limits WHERE window_start < ?", [window - this.windowMs]);
  }

  async decrement(key: string): Promise<void> {
    const c = this.counters.get(key);
    if (c && c.pending > 0) return void c.pending--;
    if (c) c.shared = Math.max(0, c.shared - 1);
    await this.store.run("UPDATE rate_limits SET hits = hits - 1 WHERE key = ? AND hits > 0", [this.prefix + key]);
  }

  async resetKey(key: string): Promise<void> {
    this.counters.delete(key);
    await this.store.run("DELETE FROM rate_limits WHERE key = ?", [this.prefix + key]);
  }
}
