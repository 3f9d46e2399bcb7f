import { describe, expect, it } from 'vitest';
import { LocalCounterStore } from './counter-store.ts';

describe('LocalCounterStore', () => {
  it('counts each key in epoch-aligned fixed windows and starts over in the next window', () => {
    const store = new LocalCounterStore();
    expect(store.takeWindow('a', 2, 1_000, 5_100)).toBe(0);
    expect(store.takeWindow('a', 2, 1_000, 5_200)).toBe(0);
    expect(store.takeWindow('a', 2, 1_000, 5_300)).toBe(700);
    expect(store.takeWindow('b', 2, 1_000, 5_300)).toBe(0);
    expect(store.takeWindow('a', 2, 1_000, 6_000)).toBe(0);
  });

  it('limits in-flight requests per key and frees a slot on release', () => {
    const store = new LocalCounterStore();
    expect(store.acquire('a', 2)).toBe(true);
    expect(store.acquire('a', 2)).toBe(true);
    expect(store.acquire('a', 2)).toBe(false);
    store.release('a');
    expect(store.acquire('a', 2)).toBe(true);
  });

  it('forgets windows that ended once many keys were seen, so per-address keys do not grow memory without bound', () => {
    const store = new LocalCounterStore();
    for (let i = 0; i < 10_000; i++) store.takeWindow(`ip-${i}`, 1, 1_000, 0);
    expect(store.size).toBe(10_000);
    store.takeWindow('late', 1, 1_000, 2_000);
    expect(store.size).toBe(1);
  });

  it('forgets a token bucket only once it is full again', () => {
    const spec = { capacity: 1, refillPerSecond: 1 };
    const fill = (store: LocalCounterStore) => {
      for (let i = 0; i < 10_000; i++) store.takeToken(`ip-${i}`, spec, 0);
    };
    const halfRefilled = new LocalCounterStore();
    fill(halfRefilled);
    halfRefilled.takeToken('late', spec, 500);
    expect(halfRefilled.size).toBe(10_001);
    const refilled = new LocalCounterStore();
    fill(refilled);
    refilled.takeToken('late', spec, 1_000);
    expect(refilled.size).toBe(1);
  });
});
