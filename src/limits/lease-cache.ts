/**
 * Worker side of cluster-wide fixed windows: admissions leased from the master, spent locally without
 * IPC. When the lease of a key runs low a refill is asked ahead of need; a request that finds it empty
 * waits for the master's grant (a promise) instead of being refused while budget is left. A grant of 0
 * means the window is used up: waiting and later requests get the ms until the window ends. Requests
 * still waiting when their window ends move to the next window's lease. A draining worker gives back what
 * it holds and no longer asks ahead, so a reload strands no admissions (quotas last a day or a month).
 */
import { msUntilWindowEnd, windowEndOf, windowStartOf } from './fixed-window.ts';
import type { LeaseGrantMessage, LeaseRequestMessage, LeaseReturnMessage } from './lease-protocol.ts';
import type { TokenBucketSpec } from './token-bucket.ts';

/** 0 = admitted, else ms until a retry can succeed. */
export type Admission = number;

interface Waiter {
  readonly resolve: (admission: Admission) => void;
}

interface KeyLease {
  windowStart: number;
  windowMs: number;
  limit: number;
  available: number;
  lastGranted: number;
  /** Set for a token-bucket lease (no asking ahead: leased tokens expire with the lease window). */
  bucket: TokenBucketSpec | undefined;
  /** Id of the request in flight, or 0. */
  pendingId: number;
  /** The request in flight asks ahead (`want` 0: nothing waits), so a 0 does not mean the window is used up. */
  isPrefetching: boolean;
  /** The master has nothing left until this instant (the window end, or a bucket's next token). */
  exhaustedUntilMs: number;
  waiters: Waiter[];
}

const FIRST_SWEEP_AT = 10_000;

export class LeaseCache {
  readonly #send: (message: LeaseRequestMessage | LeaseReturnMessage) => void;
  readonly #now: () => number;
  readonly #leases = new Map<string, KeyLease>();
  #nextId = 1;
  #sweepAt = FIRST_SWEEP_AT;

  #isDraining = false;

  constructor(send: (message: LeaseRequestMessage | LeaseReturnMessage) => void, now: () => number = Date.now) {
    this.#send = send;
    this.#now = now;
  }

  /**
   * Counts one request of `key`; synchronous while the lease has admissions, a promise while it waits.
   * With `bucket`, the admissions are tokens of the master's bucket and `windowMs` is the lease's lifetime.
   */
  take(key: string, limit: number, windowMs: number, bucket?: TokenBucketSpec): Admission | Promise<Admission> {
    const nowMs = this.#now();
    const lease = this.#current(key, limit, windowMs, nowMs);
    lease.bucket = bucket;
    const isExhausted = lease.exhaustedUntilMs > nowMs;
    if (lease.available > 0) {
      lease.available--;
      // Ask ahead when half of the last grant is spent, so steady traffic rarely waits.
      if (bucket === undefined && lease.pendingId === 0 && !isExhausted && !this.#isDraining && lease.available * 2 < lease.lastGranted) this.#ask(key, lease, 0);
      return 0;
    }
    if (isExhausted) return lease.exhaustedUntilMs - nowMs;
    return new Promise<Admission>((resolve) => {
      lease.waiters.push({ resolve });
      if (lease.pendingId === 0) this.#ask(key, lease, lease.waiters.length);
    });
  }

  /** Applies a grant from the master; grants for a past window or an outdated request are ignored. */
  onGrant(grant: LeaseGrantMessage): void {
    const lease = this.#leases.get(grant.key);
    if (lease === undefined || lease.windowStart !== grant.windowStart || lease.pendingId !== grant.id) return;
    lease.pendingId = 0;
    lease.lastGranted = grant.granted;
    if (grant.granted === 0 && lease.isPrefetching) {
      // The master keeps its last admissions for requests that wait: ask for those now waiting, if any.
      if (lease.waiters.length > 0) this.#ask(grant.key, lease, lease.waiters.length);
      return;
    }
    if (grant.granted === 0) {
      const nowMs = this.#now();
      const waitMs = grant.retryAfterMs ?? msUntilWindowEnd(nowMs, lease.windowMs);
      lease.exhaustedUntilMs = nowMs + waitMs;
      for (const waiter of lease.waiters.splice(0)) waiter.resolve(waitMs);
      return;
    }
    lease.available += grant.granted;
    const served = lease.waiters.splice(0, Math.min(lease.available, lease.waiters.length));
    lease.available -= served.length;
    for (const waiter of served) waiter.resolve(0);
    if (lease.waiters.length > 0) this.#ask(grant.key, lease, lease.waiters.length);
    else if (this.#isDraining) this.#giveBack(grant.key, lease);
  }

  /**
   * This worker drains (a new generation serves): gives the master back every admission it holds for the
   * current windows, and from now on keeps none beyond what waits.
   */
  drain(): void {
    this.#isDraining = true;
    for (const [key, lease] of this.#leases) if (lease.waiters.length === 0) this.#giveBack(key, lease);
  }

  #giveBack(key: string, lease: KeyLease): void {
    if (lease.available === 0 || lease.bucket !== undefined) return;
    this.#send({ type: 'limit-return', key, windowMs: lease.windowMs, windowStart: lease.windowStart, count: lease.available });
    lease.available = 0;
  }

  /**
   * The master is gone (restarting): settle every waiting request with `admission` (0 = admit, fail open)
   * and forget the leases.
   */
  failPending(admission: Admission): void {
    for (const lease of this.#leases.values()) for (const waiter of lease.waiters.splice(0)) waiter.resolve(admission);
    this.#leases.clear();
  }

  /** The lease of `key` for the window containing `nowMs`; waiters of an ended window carry over. */
  #current(key: string, limit: number, windowMs: number, nowMs: number): KeyLease {
    const windowStart = windowStartOf(nowMs, windowMs);
    const lease = this.#leases.get(key);
    if (lease !== undefined && lease.windowStart === windowStart && lease.windowMs === windowMs) {
      lease.limit = limit;
      return lease;
    }
    const fresh: KeyLease = {
      windowStart,
      windowMs,
      limit,
      available: 0,
      lastGranted: 0,
      bucket: lease?.bucket,
      pendingId: 0,
      isPrefetching: false,
      exhaustedUntilMs: 0,
      waiters: lease?.waiters ?? [],
    };
    this.#leases.set(key, fresh);
    if (this.#leases.size > this.#sweepAt) this.#sweep(nowMs);
    if (fresh.waiters.length > 0) this.#ask(key, fresh, fresh.waiters.length);
    return fresh;
  }

  /** Forgets leases of ended windows with nothing waiting or asked; next sweep when the map has doubled. */
  #sweep(nowMs: number): void {
    for (const [key, lease] of this.#leases) {
      if (windowEndOf(lease.windowStart, lease.windowMs) <= nowMs && lease.waiters.length === 0 && lease.pendingId === 0) this.#leases.delete(key);
    }
    this.#sweepAt = Math.max(FIRST_SWEEP_AT, 2 * this.#leases.size);
  }

  #ask(key: string, lease: KeyLease, want: number): void {
    const id = this.#nextId++;
    lease.pendingId = id;
    lease.isPrefetching = want === 0;
    const request = { type: 'limit-lease', id, key, limit: lease.limit, windowMs: lease.windowMs, windowStart: lease.windowStart, want } as const;
    this.#send(lease.bucket === undefined ? request : { ...request, bucket: lease.bucket });
  }
}
