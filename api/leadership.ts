import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { nowMs, type Queryable, type Store } from "./store.js";

/** This instance no longer holds the lease: what it was about to write belongs to the instance that leads now. */
export class NotLeaderError extends Error {
  constructor(name: string) {
    super(`This instance does not hold the ${name} lease.`);
    this.name = "NotLeaderError";
  }
}

export interface LeadershipOptions {
  store: Store;
  /** The lease's name: one leader per name. */
  name?: string;
  /** How long a lease lasts unless renewed: a dead leader is replaced within about this (plus a renewal period). */
  ttlMs?: number;
  logger?: Logger;
}

/**
 * Which one of the API instances sharing a database relays and writes the index: the holder of a lease row that it
 * renews every third of its time to live. When the holder dies its lease runs out and the next instance to try takes
 * it; one that stops cleanly gives it up at once. Expiry is judged by the database's clock, so the instances' clocks
 * need not agree. On SQLite (one instance per file) the one instance always leads.
 *
 * The lease only decides who works; it does not make two leaders impossible (a leader stalled past its lease still
 * believes it leads until its next renewal), so the writes that must come from one instance check the lease inside
 * their own transaction ({@link fence}), and the forwarder's per-signer nonces refuse a request executed twice anyway.
 */
export class Leadership {
  /** This instance's id in the lease row. */
  readonly holder = randomUUID();
  readonly name: string;
  readonly ttlMs: number;
  /** Until when (local clock) this instance may act as leader: its last successful renewal plus less than the TTL. */
  private leadsUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<boolean> | undefined;
  private stopped = false;
  private readonly listeners = new Set<(leads: boolean) => void>();

  constructor(private readonly opts: LeadershipOptions) {
    this.name = opts.name ?? "leader";
    this.ttlMs = opts.ttlMs ?? 3_000;
  }

  /** Whether this instance leads now (as of its last renewal). */
  get leads(): boolean {
    return Date.now() < this.leadsUntil;
  }

  /** Called when this instance starts or stops leading. */
  onChange(listener: (leads: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes the lease if it is free or expired, renews it if held; says whether this instance leads. */
  async renew(): Promise<boolean> {
    if (this.stopped) return false;
    const { store } = this.opts;
    const now = nowMs(store.dialect);
    const started = Date.now();
    const was = this.leads;
    try {
      // One statement: of instances trying at once, the row goes to exactly one.
      const r = await store.run(
        `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ${now} + ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at < ${now}`,
        [this.name, this.holder, this.ttlMs],
      );
      // Counted from before the statement, and a third short, so that this instance stops before another may start.
      this.leadsUntil = r.changes === 1 ? started + (this.ttlMs * 2) / 3 : 0;
    } catch (e) {
      this.leadsUntil = 0; // the database out of reach: nobody can prove a lease, so nobody here acts on one
      this.opts.logger?.warn({ err: e }, `${this.name} lease renewal failed`);
    }
    const leads = this.leads;
    if (leads !== was) {
      this.opts.logger?.info({ lease: this.name, holder: this.holder }, leads ? "this instance leads: it relays and indexes" : "this instance no longer leads");
      for (const l of this.listeners) l(leads);
    }
    return leads;
  }

  /** Throws {@link NotLeaderError} unless this instance holds the lease, read inside the caller's transaction `q`. */
  async fence(q: Queryable): Promise<void> {
    // FOR UPDATE: the lease cannot change hands until the caller's transaction ends (SQLite writes one at a time anyway).
    const held = await q.one(
      `SELECT 1 FROM leases WHERE name = ? AND holder = ? AND expires_at > ${nowMs(q.dialect)}${q.dialect === "postgres" ? " FOR UPDATE" : ""}`,
      [this.name, this.holder],
    );
    if (!held) {
      this.leadsUntil = 0;
      throw new NotLeaderError(this.name);
    }
  }

  /** Renews now and then every third of the TTL. */
  start(): void {
    this.stopped = false;
    const tick = async () => {
      await (this.renewing = this.renew());
      if (this.timer) this.timer = setTimeout(tick, this.ttlMs / 3);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops renewing and gives the lease up, so that another instance takes over at its next try. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopped = true;
    await this.renewing?.catch(() => undefined);
    const was = this.leads;
    this.leadsUntil = 0;
    await this.opts.store.run("DELETE FROM leases WHERE name = ? AND holder = ?", [this.name, this.holder]).catch(() => undefined);
    if (was) for (const l of this.listeners) l(false);
  }
}
