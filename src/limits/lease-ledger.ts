/**
 * Master side of cluster-wide fixed windows: per key, the admissions granted to workers in the current
 * window. A grant never exceeds what is left of the limit (so the sum over workers is exact from above).
 * Batches are small (1/200 of the limit, at most half of the remainder spread over the workers), which
 * bounds both the IPC traffic (~200 round trips per key and window, whatever the number of workers) and
 * the admissions an idle worker can strand in its lease (what it holds when its traffic stops); the last
 * admission per worker is only granted to a request that waits, never asked ahead.
 * Token buckets are held here too: a bucket lease takes whole tokens from the master's bucket, so the
 * cluster never admits more than one bucket would.
 */
import { windowEndOf } from './fixed-window.ts';
import { isBucketFull, newBucket, takeUpTo } from './token-bucket.ts';
import type { TokenBucketSpec, TokenBucketState } from './token-bucket.ts';
import type { LeaseGrantMessage, LeaseRequestMessage, LeaseReturnMessage } from './lease-protocol.ts';

interface WindowGrant {
  windowStart: number;
  windowMs: number;
  granted: number;
}

const BATCH_DIVISOR = 200;

export class LeaseLedger {
  readonly #windows = new Map<string, WindowGrant>();
  readonly #buckets = new Map<string, { state: TokenBucketState; spec: TokenBucketSpec }>();
  readonly #now: () => number;

  /** `now` is the clock of the token buckets (fixed windows are named by the workers). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Answers one worker request; `workerCount` is the number of live workers (≥ 1). */
  grant(request: LeaseRequestMessage, workerCount: number): LeaseGrantMessage {
    if (request.bucket !== undefined) return this.#grantTokens(request, request.bucket);
    let entry = this.#windows.get(request.key);
    if (entry === undefined || entry.windowStart < request.windowStart || entry.windowMs !== request.windowMs) {
      entry = { windowStart: request.windowStart, windowMs: request.windowMs, granted: 0 };
      this.#windows.set(request.key, entry);
    }
    let granted = 0;
    // A request for a window that has already been replaced gets nothing (its window is over).
    if (entry.windowStart === request.windowStart) {
      const workers = Math.max(1, workerCount);
      const remaining = Math.max(0, request.limit - entry.granted);
      const batch = Math.max(1, Math.min(Math.ceil(request.limit / BATCH_DIVISOR), Math.ceil(remaining / (2 * workers))));
      // Asking ahead (`want` 0) never takes the last admission per worker: those go to requests that
      // wait, so an idle worker cannot sit on what another one needs (small limits, quotas).
      const grantable = request.want === 0 ? Math.max(0, remaining - workers) : remaining;
      granted = Math.min(grantable, Math.max(batch, request.want));
      entry.granted += granted;
    }
    return { type: 'limit-grant', id: request.id, key: request.key, windowStart: request.windowStart, granted };
  }

  /** Takes back admissions a worker will not spend (only for the window they were granted in). */
  giveBack(message: LeaseReturnMessage): void {
    const entry = this.#windows.get(message.key);
    if (entry === undefined || entry.windowStart !== message.windowStart || entry.windowMs !== message.windowMs) return;
    entry.granted = Math.max(0, entry.granted - message.count);
  }

  /** Whole tokens from the key's bucket: at least what is waiting, at most what the bucket holds. */
  #grantTokens(request: LeaseRequestMessage, spec: TokenBucketSpec): LeaseGrantMessage {
    const nowMs = this.#now();
    let entry = this.#buckets.get(request.key);
    if (entry === undefined) {
      entry = { state: newBucket(spec, nowMs), spec };
      this.#buckets.set(request.key, entry);
    }
    entry.spec = spec;
    const batch = Math.max(1, Math.ceil(spec.capacity / BATCH_DIVISOR));
    const granted = takeUpTo(entry.state, spec, nowMs, Math.max(batch, request.want));
    const base = { type: 'limit-grant', id: request.id, key: request.key, windowStart: request.windowStart, granted } as const;
    if (granted > 0) return base;
    return { ...base, retryAfterMs: Math.max(1, Math.ceil(((1 - entry.state.tokens) * 1000) / spec.refillPerSecond)) };
  }

  /** Forgets windows that ended before `nowMs` and buckets that are full again. */
  sweep(nowMs: number): void {
    for (const [key, entry] of this.#windows) if (windowEndOf(entry.windowStart, entry.windowMs) <= nowMs) this.#windows.delete(key);
    for (const [key, entry] of this.#buckets) if (isBucketFull(entry.state, entry.spec, nowMs)) this.#buckets.delete(key);
  }

  /** Admissions granted so far in the current window of `key` (status page, tests). */
  grantedOf(key: string): number {
    return this.#windows.get(key)?.granted ?? 0;
  }
}
