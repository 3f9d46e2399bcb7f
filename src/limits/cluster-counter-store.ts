/**
 * The CounterStore of a cluster worker: fixed windows and token buckets are counted cluster-wide through
 * leases from the master (./lease-cache.ts), never above the limit whatever the number of workers; token
 * limits through counts kept by the master (./token-count-cache.ts), requests in flight through slots
 * leased from the master (./slot-cache.ts).
 * Once the master is gone (`detach`), waiting requests are admitted and everything is counted locally
 * (the worker is about to exit: node:cluster ends a worker whose channel closes).
 */
import { JoinedKeys } from '../lib/joined-keys.ts';
import type { CounterStore } from './counter-store.ts';
import { LocalCounterStore } from './counter-store.ts';
import type { LeaseCache } from './lease-cache.ts';
import type { TokenBucketSpec } from './token-bucket.ts';
import type { SlotCache } from './slot-cache.ts';
import type { TokenCountCache } from './token-count-cache.ts';

/** Lifetime of leased tokens: what a worker leased and did not use is gone after it. */
const BUCKET_LEASE_MS = 1_000;
const BUCKET_SUFFIX = '|bucket';

export class ClusterCounterStore implements CounterStore {
  readonly #leases: LeaseCache;
  readonly #tokens: TokenCountCache | undefined;
  readonly #slots: SlotCache | undefined;
  readonly #local: LocalCounterStore;
  /** key → its bucket's lease key, joined once. */
  readonly #bucketKeys = new JoinedKeys('', BUCKET_SUFFIX);
  #isDetached = false;

  /** Without `tokens` (`slots`), token limits (requests in flight) are counted by this worker alone. */
  constructor(leases: LeaseCache, tokens?: TokenCountCache, slots?: SlotCache, local: LocalCounterStore = new LocalCounterStore()) {
    this.#leases = leases;
    this.#tokens = tokens;
    this.#slots = slots;
    this.#local = local;
  }

  /** `nowMs` is not used: the lease cache reads its own clock, the one its windows are aligned to. */
  takeWindow(key: string, limit: number, windowMs: number, nowMs: number): number | Promise<number> {
    if (this.#isDetached) return this.#local.takeWindow(key, limit, windowMs, nowMs);
    return this.#leases.take(key, limit, windowMs);
  }

  takeToken(key: string, spec: TokenBucketSpec, nowMs: number): number | Promise<number> {
    if (this.#isDetached) return this.#local.takeToken(key, spec, nowMs);
    return this.#leases.take(this.#bucketKeys.of(key), spec.capacity, BUCKET_LEASE_MS, spec);
  }

  checkTokens(key: string, limit: number, windowMs: number, nowMs: number): number | Promise<number> {
    if (this.#isDetached || this.#tokens === undefined) return this.#local.checkTokens(key, limit, windowMs, nowMs);
    return this.#tokens.check(key, limit, windowMs);
  }

  chargeTokens(key: string, limit: number, windowMs: number, tokens: number, nowMs: number): void {
    if (this.#isDetached || this.#tokens === undefined) this.#local.chargeTokens(key, limit, windowMs, tokens, nowMs);
    else this.#tokens.charge(key, limit, windowMs, tokens);
  }

  acquire(key: string, max: number): boolean | Promise<boolean> {
    if (this.#isDetached || this.#slots === undefined) return this.#local.acquire(key, max);
    return this.#slots.acquire(key, max);
  }

  release(key: string): void {
    if (this.#isDetached || this.#slots === undefined) this.#local.release(key);
    else this.#slots.release(key);
  }

  /** The master is gone: admit what waits for it, count locally from now on. */
  detach(): void {
    this.#isDetached = true;
    this.#leases.failPending(0);
    this.#tokens?.failPending(0);
    this.#slots?.failPending(true);
  }
}
