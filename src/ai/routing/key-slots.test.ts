import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { locationSchema, providerSchema, type Config } from '../../config/schema.ts';
import { AI_KEY_IN_FLIGHT_CHANNEL, type KeyInFlightEvent } from '../../core/provider-state.ts';
import { KeyRing } from './key-ring.ts';
import { compileKeySlots, keyInFlight, LocalSlotStore, type SlotStore } from './key-slots.ts';

type ProviderInput = Record<string, unknown>;

/** Providers `a` (keys per `keys`) and locations `ai` / `batch` with optional caps, compiled on `store`. */
function compile(options: { provider?: ProviderInput; keys?: string[]; ai?: number; batch?: number }, store: SlotStore = new LocalSlotStore()) {
  const keys = options.keys ?? ['sk-slots-1', 'sk-slots-2'];
  const providers = { a: providerSchema.parse({ type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys, ...options.provider }) };
  const locations = {
    ai: locationSchema.parse({ path: '/v1', ai: options.ai === undefined ? {} : { max_concurrency_per_key: options.ai } }),
    batch: locationSchema.parse({ path: '/batch', ai: options.batch === undefined ? {} : { max_concurrency_per_key: options.batch } }),
    plain: locationSchema.parse({ path: '/', upstream: 'u' }),
  } satisfies Config['locations'];
  const ring = new KeyRing('a', keys);
  const slots = compileKeySlots({ providers, locations }, new Map([['a', { keys: ring }]]), store);
  return { slots, ring };
}

/** A store whose every acquire answers later (a cluster worker asking the master), recording what it holds. */
class DeferredStore implements SlotStore {
  readonly inner = new LocalSlotStore();
  readonly held = new Map<string, number>();

  acquire(key: string, max: number): Promise<boolean> {
    return Promise.resolve().then(() => {
      const isTaken = this.inner.acquire(key, max);
      if (isTaken) this.held.set(key, (this.held.get(key) ?? 0) + 1);
      return isTaken;
    });
  }

  release(key: string): void {
    this.inner.release(key);
    const count = (this.held.get(key) ?? 0) - 1;
    if (count <= 0) this.held.delete(key);
    else this.held.set(key, count);
  }
}

describe('key slots', () => {
  it('refuses a key at the provider cap until a slot is released, each key counted on its own', () => {
    const { slots, ring } = compile({ provider: { max_concurrency_per_key: 1 } });
    const [k1, k2] = ring.keys;
    const ai = slots.forLocation('ai');
    expect(ai.acquire('a', k1)).toBe(true);
    expect(ai.acquire('a', k1)).toBe(false);
    expect(ai.acquire('a', k2)).toBe(true);
    ai.release('a', k1);
    expect(ai.acquire('a', k1)).toBe(true);
  });

  it('counts the provider cap over every location together', () => {
    const { slots, ring } = compile({ provider: { max_concurrency_per_key: 2 } });
    const key = ring.keys[0];
    expect(slots.forLocation('ai').acquire('a', key)).toBe(true);
    expect(slots.forLocation('batch').acquire('a', key)).toBe(true);
    expect(slots.forLocation('ai').acquire('a', key)).toBe(false);
    expect(slots.forLocation('other-or-unknown').acquire('a', key)).toBe(false);
  });

  it('caps a location\'s share of a key without touching other locations', () => {
    const { slots, ring } = compile({ batch: 1 });
    const key = ring.keys[0];
    const batch = slots.forLocation('batch');
    expect(batch.acquire('a', key)).toBe(true);
    expect(batch.acquire('a', key)).toBe(false);
    for (let i = 0; i < 5; i++) expect(slots.forLocation('ai').acquire('a', key)).toBe(true);
  });

  it('needs both the location and the provider cap, and a refusal by either holds nothing', () => {
    const { slots, ring } = compile({ provider: { max_concurrency_per_key: 2 }, batch: 1 });
    const key = ring.keys[0];
    const batch = slots.forLocation('batch');
    const ai = slots.forLocation('ai');
    expect(batch.acquire('a', key)).toBe(true);
    // Refused by the location cap: the provider slot it would need stays free for ai.
    expect(batch.acquire('a', key)).toBe(false);
    expect(ai.acquire('a', key)).toBe(true);
    // Provider cap (2) full: batch released its one, ai takes the last; batch's location slot is not kept.
    batch.release('a', key);
    expect(ai.acquire('a', key)).toBe(true);
    expect(batch.acquire('a', key)).toBe(false);
    ai.release('a', key);
    expect(batch.acquire('a', key)).toBe(true);
  });

  it('treats a provider without keys as one key', () => {
    const { slots } = compile({ keys: [], provider: { max_concurrency_per_key: 1 } });
    const ai = slots.forLocation('ai');
    expect(ai.acquire('a', undefined)).toBe(true);
    expect(ai.acquire('a', undefined)).toBe(false);
    ai.release('a', undefined);
    expect(ai.acquire('a', undefined)).toBe(true);
  });

  it('admits every attempt when nothing is capped', () => {
    const { slots, ring } = compile({});
    for (let i = 0; i < 100; i++) expect(slots.forLocation('ai').acquire('a', ring.keys[0])).toBe(true);
  });

  it('waits for a store that asks elsewhere, and gives back earlier slots when a later cap refuses', async () => {
    const store = new DeferredStore();
    const { slots, ring } = compile({ provider: { max_concurrency_per_key: 1 }, ai: 5 }, store);
    const key = ring.keys[0];
    const ai = slots.forLocation('ai');
    expect(await ai.acquire('a', key)).toBe(true);
    expect([...store.held.values()]).toEqual([1, 1]);
    expect(await ai.acquire('a', key)).toBe(false);
    expect([...store.held.values()]).toEqual([1, 1]);
    ai.release('a', key);
    expect(store.held.size).toBe(0);
  });

  it('keeps the counters of one cap under one key per key id, never a plugin-like name', () => {
    const seen: string[] = [];
    const store: SlotStore = { acquire: (key) => (seen.push(key), true), release: () => undefined };
    const { slots, ring } = compile({ provider: { max_concurrency_per_key: 3 }, batch: 1 }, store);
    slots.forLocation('batch').acquire('a', ring.keys[0]);
    expect(seen).toEqual([`@ai-key|batch|${ring.keys[0]?.id}`, `@ai-key|${ring.keys[0]?.id}`]);
  });

  it('publishes the requests in flight per key on the diagnostics channel, capped or not', () => {
    const events: KeyInFlightEvent[] = [];
    const onEvent = (message: unknown): void => void events.push(message as KeyInFlightEvent);
    subscribe(AI_KEY_IN_FLIGHT_CHANNEL, onEvent);
    try {
      const { slots, ring } = compile({ keys: ['sk-slots-gauge'] });
      const key = ring.keys[0];
      const ai = slots.forLocation('ai');
      ai.acquire('a', key);
      ai.acquire('a', key);
      expect(keyInFlight(key?.id ?? '')).toBe(2);
      ai.release('a', key);
      ai.release('a', key);
      expect(events.map((e) => e.inFlight)).toEqual([1, 2, 1, 0]);
      expect(events[0]).toEqual({ provider: 'a', keyId: key?.id, inFlight: 1 });
      expect(keyInFlight(key?.id ?? '')).toBe(0);
    } finally {
      unsubscribe(AI_KEY_IN_FLIGHT_CHANNEL, onEvent);
    }
  });
});
