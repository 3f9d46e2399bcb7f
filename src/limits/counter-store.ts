/**
 * Where limit counters live. Plugins talk to a `CounterStore`; `LocalCounterStore` keeps the counters
 * of this process (exact for one worker). The cluster-wide store answers the same synchronous calls from
 * budget leased from the master (./lease-cache.ts, ./lease-ledger.ts). Keys are opaque strings chosen by
 * the caller (`<plugin>|<by value>`); entries that can no longer matter (past windows, full buckets,
 * zero in flight) are swept, so per-IP keys do not grow memory without bound.
 */
import { msUntilWindowEnd, windowEndOf, windowStartOf } from './fixed-window.ts';
import { isBucketFull, newBucket, takeTokens } from './token-bucket.ts';
import type { TokenBucketSpec, TokenBucketState } from './token-bucket.ts';
import { InFlightCounts } from '../lib/in-flight-counts.ts';

export interface CounterStore {
  /**
   * Counts one request in the fixed window of `windowMs` containing `nowMs`. Returns 0 when admitted
   * (the window's count stays ≤ `limit`), else the ms until the window ends (nothing counted). A
   * cluster-wide store returns a promise while it waits for budget from the master.
   */
  takeWindow(key: string, limit: number, windowMs: number, nowMs: number): number | Promise<number>;
  /**
   * Token limits: 0 while the tokens counted in the window of `windowMs` containing `nowMs` are below
   * `limit` (nothing is counted), else the ms until the window ends. A cluster store may wait.
   */
  checkTokens(key: string, limit: number, windowMs: number, nowMs: number): number | Promise<number>;
  /** Counts `tokens` in the window containing `nowMs` (the instant the response ended). */
  chargeTokens(key: string, limit: number, windowMs: number, tokens: number, nowMs: number): void;
  /** Takes one token; 0 when admitted, else the ms until a token is available (a cluster store may wait). */
  takeToken(key: string, spec: TokenBucketSpec, nowMs: number): number | Promise<number>;
  /**
   * One more request in flight unless `max` are; false when refused. Every true needs one `release`. A
   * cluster-wide store returns a promise while it waits for a slot from the master.
   */
  acquire(key: string, max: number): boolean | Promise<boolean>;
  release(key: string): void;
}

interface WindowCount {
  windowStart: number;
  windowMs: number;
  count: number;
}

const FIRST_SWEEP_AT = 10_000;

export class LocalCounterStore implements CounterStore {
  readonly #windows = new Map<string, WindowCount>();
  readonly #buckets = new Map<string, { state: TokenBucketState; spec: TokenBucketSpec }>();
  readonly #inFlight = new InFlightCounts();
  #sweepAt = FIRST_SWEEP_AT;

  takeWindow(key: string, limit: number, windowMs: number, nowMs: number): number {
    const entry = this.#windowOf(key, windowMs, nowMs);
    if (entry.count >= limit) return msUntilWindowEnd(nowMs, windowMs);
    entry.count++;
    return 0;
  }

  checkTokens(key: string, limit: number, windowMs: number, nowMs: number): number {
    return this.#windowOf(key, windowMs, nowMs).count >= limit ? msUntilWindowEnd(nowMs, windowMs) : 0;
  }

  chargeTokens(key: string, _limit: number, windowMs: number, tokens: number, nowMs: number): void {
    this.#windowOf(key, windowMs, nowMs).count += tokens;
  }

  takeToken(key: string, spec: TokenBucketSpec, nowMs: number): number {
    let entry = this.#buckets.get(key);
    if (entry === undefined) {
      if (this.#windows.size + this.#buckets.size >= this.#sweepAt) this.#sweep(nowMs);
      entry = { state: newBucket(spec, nowMs), spec };
      this.#buckets.set(key, entry);
    }
    entry.spec = spec;
    return takeTokens(entry.state, spec, nowMs);
  }

  acquire(key: string, max: number): boolean {
    return this.#inFlight.acquire(key, max);
  }

  release(key: string): void {
    this.#inFlight.release(key);
  }

  /** Entries kept (for tests of the sweep). */
  get size(): number {
    return this.#windows.size + this.#buckets.size + this.#inFlight.size;
  }

  /** The count of `key` in the window containing `nowMs` (a new window starts at 0). */
  #windowOf(key: string, windowMs: number, nowMs: number): WindowCount {
    const windowStart = windowStartOf(nowMs, windowMs);
    let entry = this.#windows.get(key);
    if (entry === undefined) {
      if (this.#windows.size + this.#buckets.size >= this.#sweepAt) this.#sweep(nowMs);
      entry = { windowStart, windowMs, count: 0 };
      this.#windows.set(key, entry);
    } else if (entry.windowStart !== windowStart || entry.windowMs !== windowMs) {
      entry.windowStart = windowStart;
      entry.windowMs = windowMs;
      entry.count = 0;
    }
    return entry;
  }

  /** Drops windows that ended and buckets that are full; next sweep when the maps have doubled. */
  #sweep(nowMs: number): void {
    for (const [key, entry] of this.#windows) {
      if (windowEndOf(entry.windowStart, entry.windowMs) <= nowMs) this.#windows.delete(key);
    }
    for (const [key, entry] of this.#buckets) {
      if (isBucketFull(entry.state, entry.spec, nowMs)) this.#buckets.delete(key);
    }
    this.#sweepAt = Math.max(FIRST_SWEEP_AT, 2 * (this.#windows.size + this.#buckets.size));
  }
}

let processStore: CounterStore = new LocalCounterStore();

/** The store limit plugins compiled from now on use: local by default, outliving config swaps in this process. */
export function processCounterStore(): CounterStore {
  return processStore;
}

/** Installs the process's store (a cluster worker installs a ClusterCounterStore before compiling its runtime). */
export function setProcessCounterStore(store: CounterStore): void {
  processStore = store;
}
