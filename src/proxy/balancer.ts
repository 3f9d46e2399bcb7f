/**
 * Smooth weighted round-robin (nginx's `ngx_http_upstream_get_peer`): every pick adds each target's
 * weight to its running score, takes the highest score and subtracts the total weight from it. Over
 * any window of `sum(weights)` picks each target is chosen exactly `weight` times, and heavy targets
 * are interleaved with light ones instead of being picked in bursts. `pickAmong` leaves some targets
 * out of a pick the way nginx skips failed peers: only the others gain score and share the total.
 */
export class SmoothWeightedBalancer {
  readonly #weights: Int32Array;
  readonly #current: Int32Array;
  readonly #total: number;

  constructor(weights: readonly number[]) {
    if (weights.length === 0) throw new RangeError('a balancer needs at least one target');
    this.#weights = Int32Array.from(weights, (w) => Math.max(1, Math.trunc(w)));
    this.#current = new Int32Array(weights.length);
    this.#total = this.#weights.reduce((sum, w) => sum + w, 0);
  }

  get size(): number {
    return this.#weights.length;
  }

  /** Index of the next target. */
  pick(): number {
    const n = this.#weights.length;
    if (n === 1) return 0;
    const current = this.#current;
    const weights = this.#weights;
    let best = 0;
    for (let i = 0; i < n; i++) {
      current[i] = (current[i] ?? 0) + (weights[i] ?? 0);
      if ((current[i] ?? 0) > (current[best] ?? 0)) best = i;
    }
    current[best] = (current[best] ?? 0) - this.#total;
    return best;
  }

  /** Index of the next target among those `isSkipped` lets through, or -1 when it skips every target. */
  pickAmong(isSkipped: (index: number) => boolean): number {
    const n = this.#weights.length;
    const current = this.#current;
    const weights = this.#weights;
    let best = -1;
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (isSkipped(i)) continue;
      const weight = weights[i] ?? 0;
      current[i] = (current[i] ?? 0) + weight;
      total += weight;
      if (best < 0 || (current[i] ?? 0) > (current[best] ?? 0)) best = i;
    }
    if (best >= 0) current[best] = (current[best] ?? 0) - total;
    return best;
  }
}
