/** Small statistics helpers for the benchmark (nearest-rank percentiles, medians). */

/** Nearest-rank percentile of `values` (0 when empty); does not modify the input. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * A bootstrap interval for the median of `values`: the central `level` share of the medians of 2,000 resamples
 * (with replacement). Seeded, so the same values always give the same interval.
 */
export function bootstrapMedianInterval(values: readonly number[], level: number, resamples = 2000): [number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  let seed = 0x9e3779b9;
  // mulberry32: a small, well-distributed PRNG; Math.random cannot be seeded.
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const medians: number[] = [];
  const sample = new Array<number>(values.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) sample[i] = values[Math.floor(random() * values.length)] ?? 0;
    medians.push(median(sample));
  }
  const tail = (1 - level) / 2;
  return [percentile(medians, 100 * tail), percentile(medians, 100 * (1 - tail))];
}
