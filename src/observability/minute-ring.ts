/**
 * Per-minute buckets over the last 24 hours: a sum and a maximum per minute, so "requests in the last
 * hour" and "peak concurrency in the last day" are a walk over at most 1440 slots. A slot remembers the
 * minute it belongs to; a slot from an older lap of the ring reads as empty.
 */
const MINUTE_MS = 60_000;
export const RING_MINUTES = 24 * 60;

export class MinuteRing {
  readonly #minute = new Float64Array(RING_MINUTES).fill(-1);
  readonly #sum = new Float64Array(RING_MINUTES);
  readonly #max = new Float64Array(RING_MINUTES);

  #slot(nowMs: number): number {
    const minute = Math.floor(nowMs / MINUTE_MS);
    const slot = minute % RING_MINUTES;
    if (this.#minute[slot] !== minute) {
      this.#minute[slot] = minute;
      this.#sum[slot] = 0;
      this.#max[slot] = 0;
    }
    return slot;
  }

  add(nowMs: number, amount: number): void {
    const slot = this.#slot(nowMs);
    this.#sum[slot] = (this.#sum[slot] ?? 0) + amount;
  }

  /** Raises the minute's maximum to `value`. */
  raise(nowMs: number, value: number): void {
    const slot = this.#slot(nowMs);
    if (value > (this.#max[slot] ?? 0)) this.#max[slot] = value;
  }

  /** Sum over the last `minutes` minutes, the current one included. */
  sumOver(nowMs: number, minutes: number): number {
    let total = 0;
    this.#walk(nowMs, minutes, (slot) => {
      total += this.#sum[slot] ?? 0;
    });
    return total;
  }

  /** Highest maximum over the last `minutes` minutes, the current one included. */
  maxOver(nowMs: number, minutes: number): number {
    let peak = 0;
    this.#walk(nowMs, minutes, (slot) => {
      peak = Math.max(peak, this.#max[slot] ?? 0);
    });
    return peak;
  }

  #walk(nowMs: number, minutes: number, visit: (slot: number) => void): void {
    const current = Math.floor(nowMs / MINUTE_MS);
    const count = Math.min(minutes, RING_MINUTES);
    for (let m = current - count + 1; m <= current; m++) {
      const slot = ((m % RING_MINUTES) + RING_MINUTES) % RING_MINUTES;
      if (this.#minute[slot] === m) visit(slot);
    }
  }
}
