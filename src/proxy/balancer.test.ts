import { describe, expect, it } from 'vitest';
import { SmoothWeightedBalancer } from './balancer.ts';

function picks(weights: number[], count: number): number[] {
  const balancer = new SmoothWeightedBalancer(weights);
  return Array.from({ length: count }, () => balancer.pick());
}

describe('SmoothWeightedBalancer', () => {
  it('always picks the only target', () => {
    expect(picks([5], 3)).toEqual([0, 0, 0]);
  });

  it('spreads picks exactly by weight over a full cycle', () => {
    const counts = [0, 0];
    for (const i of picks([1, 3], 40)) counts[i] = (counts[i] ?? 0) + 1;
    expect(counts).toEqual([10, 30]);
  });

  it('interleaves heavy and light targets like nginx (5,1,1 → a a b a c a a)', () => {
    expect(picks([5, 1, 1], 7)).toEqual([0, 0, 1, 0, 2, 0, 0]);
  });

  it('alternates equal weights', () => {
    expect(picks([1, 1], 4)).toEqual([0, 1, 0, 1]);
  });

  it('rejects an empty target list', () => {
    expect(() => new SmoothWeightedBalancer([])).toThrow(RangeError);
  });
});

describe('SmoothWeightedBalancer.pickAmong', () => {
  it('spreads picks over the targets it does not skip, by their weights', () => {
    const balancer = new SmoothWeightedBalancer([1, 1, 1]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30; i++) {
      const picked = balancer.pickAmong((index) => index === 0);
      counts[picked] = (counts[picked] ?? 0) + 1;
    }
    expect(counts).toEqual([0, 15, 15]);
  });

  it('returns -1 when every target is skipped', () => {
    expect(new SmoothWeightedBalancer([2, 3]).pickAmong(() => true)).toBe(-1);
  });

  it('goes back to the plain weighted order once nothing is skipped', () => {
    const balancer = new SmoothWeightedBalancer([1, 1]);
    balancer.pickAmong((index) => index === 1);
    balancer.pickAmong((index) => index === 1);
    const counts = [0, 0];
    for (let i = 0; i < 10; i++) {
      const picked = balancer.pick();
      counts[picked] = (counts[picked] ?? 0) + 1;
    }
    expect(counts).toEqual([5, 5]);
  });
});
