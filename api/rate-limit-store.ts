import type { ClientRateLimitInfo, Options, Store as RateLimitStore } from "express-rate-limit";
import { StoreUnavailableError, type Store } from "./store.js";

/** Windows whose end is this long past are deleted, every so many increments. */
const SWEEP_EVERY = 1_000;

/**
 * express-rate-limit's counters in the API's store, so that instances behind one load balancer count a client's
 * requests together (each would otherwise allow the whole budget). Fixed windows aligned on the clock: a client's
 * counter is one row, reset by the first request of a new window, in one upsert that returns the new count.
 */
export class SharedRateLimitStore implements RateLimitStore {
  /** Counters are not this process's alone. */
  readonly localKeys = false;
  private windowMs = 60_000;
  private increments = 0;

  constructor(private readonly store: Store, readonly prefix: string) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private windowOf(now: number): number {
    return Math.floor(now / this.windowMs) * this.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const window = this.windowOf(Date.now());
    const row = await this.store
      .one<{ hits: number }>(
        `INSERT INTO rate_limits (key, window_start, hits) VALUES (?, ?, 1)
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.hits + 1 ELSE 1 END,
           window_start = excluded.window_start
         RETURNING hits`,
        [this.prefix + key, window],
      )
      .catch((e: unknown) => {
        // The database out of reach: the request passes uncounted (the chain may still answer it), without a log line each.
        if (e instanceof StoreUnavailableError) return { hits: 1 };
        throw e;
      });
    if (++this.increments % SWEEP_EVERY === 0) {
      await this.store.run("DELETE FROM rate_limits WHERE window_start < ?", [window - this.windowMs]).catch(() => undefined);
    }
    return { totalHits: row!.hits, resetTime: new Date(window + this.windowMs) };
  }

  async decrement(key: string): Promise<void> {
    await this.store.run("UPDATE rate_limits SET hits = hits - 1 WHERE key = ? AND hits > 0", [this.prefix + key]);
  }

  async resetKey(key: string): Promise<void> {
    await this.store.run("DELETE FROM rate_limits WHERE key = ?", [this.prefix + key]);
  }
}
