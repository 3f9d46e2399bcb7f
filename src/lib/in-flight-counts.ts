/**
 * Requests in flight per key with a cap, in this process: the local concurrency count behind the limit
 * plugin's `concurrency` and the AI layer's per-key caps. A key at 0 takes no memory.
 */
export class InFlightCounts {
  readonly #counts = new Map<string, number>();

  /** Admits one more for `key` unless `max` are in flight already. */
  acquire(key: string, max: number): boolean {
    const current = this.#counts.get(key) ?? 0;
    if (current >= max) return false;
    this.#counts.set(key, current + 1);
    return true;
  }

  /** Ends one admitted by `acquire`. */
  release(key: string): void {
    const current = this.#counts.get(key) ?? 0;
    if (current <= 1) this.#counts.delete(key);
    else this.#counts.set(key, current - 1);
  }

  /** Keys with requests in flight. */
  get size(): number {
    return this.#counts.size;
  }
}
