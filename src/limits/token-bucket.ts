/** A token bucket as plain state (continuous refill, computed lazily from the elapsed time). */

export interface TokenBucketState {
  tokens: number;
  updatedAtMs: number;
}

export interface TokenBucketSpec {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

export function newBucket(spec: TokenBucketSpec, nowMs: number): TokenBucketState {
  return { tokens: spec.capacity, updatedAtMs: nowMs };
}

function refill(state: TokenBucketState, spec: TokenBucketSpec, nowMs: number): void {
  const elapsedMs = nowMs - state.updatedAtMs;
  if (elapsedMs > 0) {
    state.tokens = Math.min(spec.capacity, state.tokens + (elapsedMs * spec.refillPerSecond) / 1000);
    state.updatedAtMs = nowMs;
  }
}

/** Takes `cost` tokens; returns 0 when taken, else the ms until enough tokens will be there (nothing taken). */
export function takeTokens(state: TokenBucketState, spec: TokenBucketSpec, nowMs: number, cost = 1): number {
  refill(state, spec, nowMs);
  if (state.tokens >= cost) {
    state.tokens -= cost;
    return 0;
  }
  return Math.max(1, Math.ceil(((cost - state.tokens) * 1000) / spec.refillPerSecond));
}

/** Takes up to `want` whole tokens and returns how many were taken (for leases handed to workers). */
export function takeUpTo(state: TokenBucketState, spec: TokenBucketSpec, nowMs: number, want: number): number {
  refill(state, spec, nowMs);
  const taken = Math.min(want, Math.floor(state.tokens));
  state.tokens -= taken;
  return taken;
}

/** True when the bucket is full again at `nowMs` (its state may be forgotten). */
export function isBucketFull(state: TokenBucketState, spec: TokenBucketSpec, nowMs: number): boolean {
  refill(state, spec, nowMs);
  return state.tokens >= spec.capacity;
}
