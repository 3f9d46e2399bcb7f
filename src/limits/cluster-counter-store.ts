/**
 * The CounterStore of a cluster worker: fixed windows and token buckets are counted cluster-wide through
 * leases from the master (./lease-cache.ts), never above the limit whatever the number of workers;
 * requests in flight stay per worker for now (a master-held count is the next step).
 */
import type { CounterStore } from './counter-store.ts';
import { LocalCounterStore } from './counter-store.ts';
import type { LeaseCache } from './lease-cache.ts';
import type { TokenBucketSpec } from './token-bucket.ts';

/** Lifetime of leased tokens: what a worker leased and did not use is gone after it. */
const BUCKET_LEASE_MS = 1_000;
const BUCKET_SUFFIX = '|bucket';

export class ClusterCounterStore implements CounterStore {
  readonly #leases: LeaseCache;
  readonly #local: LocalCounterStore;

  constructor(leases: LeaseCache, local: LocalCounterStore = new LocalCounterStore()) {
    this.#leases = leases;
    this.#local = local;
  }

  /** `nowMs` is not used: the lease cache reads its own clock, the one its windows are aligned to. */
  takeWindow(key: string, limit: number, windowMs: number): number | Promise<number> {
    return this.#leases.take(key, limit, windowMs);
  }

  takeToken(key: string, spec: TokenBucketSpec): number | Promise<number> {
    return this.#leases.take(key + BUCKET_SUFFIX, spec.capacity, BUCKET_LEASE_MS, spec);
  }

  acquire(key: string, max: number): boolean {
    return this.#local.acquire(key, max);
  }

  release(key: string): void {
    this.#local.release(key);
  }
}
