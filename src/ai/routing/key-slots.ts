/**
 * Concurrency caps per provider key (issue 6 §2, "a cap per route + upstream key"). A provider's
 * `max_concurrency_per_key` caps the requests in flight on each of its keys, a location's
 * `ai.max_concurrency_per_key` caps that location's share of each key; an attempt needs a slot of every cap
 * that applies. A key at a cap is skipped by the exchange like a cooling key (failover reason `key_busy`).
 *
 * Slots are counted by a `SlotStore`: in a cluster worker the limits' counter store
 * (src/limits/counter-store.ts `processCounterStore()`), whose slots are leased from the master so a cap
 * holds over all workers and a held idle slot admits without IPC. This layer may not import src/limits:
 * the worker injects the store (`AiHandlerOptions.slotStore`). Counter keys start with "@", which no
 * plugin name does, so they never meet a `limit` plugin's counters in the same store.
 *
 * Every attempt also counts in the per-process in-flight map behind `louailink_ai_key_in_flight`
 * (diagnostics channel AI_KEY_IN_FLIGHT_CHANNEL), capped or not.
 */
import { channel } from 'node:diagnostics_channel';
import type { Config } from '../../config/schema.ts';
import { AI_KEY_IN_FLIGHT_CHANNEL, type KeyInFlightEvent } from '../../core/provider-state.ts';
import type { KeyRing, ProviderKey } from './key-ring.ts';
import { InFlightCounts } from '../../lib/in-flight-counts.ts';

/** What the caps need of a counter store (src/limits `CounterStore` has this shape). */
export interface SlotStore {
  /** One more in flight on `key` unless `max` are: true, false, or a promise of either (a cluster store asking). */
  acquire(key: string, max: number): boolean | Promise<boolean>;
  /** Ends one admitted by `acquire`. */
  release(key: string): void;
}

/** Counts in this process only (a handler compiled without an injected store: unit tests, tools). */
export class LocalSlotStore extends InFlightCounts implements SlotStore {}

const processSlotStore = new LocalSlotStore();

interface Cap {
  readonly counterKey: string;
  readonly max: number;
}

/** One key (or a keyless provider) as seen from one location. */
interface KeySlot {
  readonly provider: string;
  /** The key id; `<provider>:-` for a provider without keys. */
  readonly id: string;
  readonly caps: readonly Cap[];
}

/** Per-process requests in flight by key id, over every config generation (the gauge's values). */
const inFlightByKey = new Map<string, number>();
const inFlightChannel = channel(AI_KEY_IN_FLIGHT_CHANNEL);

function countInFlight(slot: KeySlot, delta: 1 | -1): void {
  const inFlight = Math.max((inFlightByKey.get(slot.id) ?? 0) + delta, 0);
  if (inFlight === 0) inFlightByKey.delete(slot.id);
  else inFlightByKey.set(slot.id, inFlight);
  if (inFlightChannel.hasSubscribers) inFlightChannel.publish({ provider: slot.provider, keyId: slot.id, inFlight } satisfies KeyInFlightEvent);
}

/** Upstream attempts running now on `keyId` in this process (tests, status). */
export function keyInFlight(keyId: string): number {
  return inFlightByKey.get(keyId) ?? 0;
}

/** The slots of one location's requests: built once per config, read per attempt. */
export class LocationKeySlots {
  /** Key id, or the provider name for a provider without keys (names never contain ":") → its slot. */
  readonly #slots: ReadonlyMap<string, KeySlot>;
  readonly #store: SlotStore;

  constructor(slots: ReadonlyMap<string, KeySlot>, store: SlotStore) {
    this.#slots = slots;
    this.#store = store;
  }

  /**
   * Takes a slot of every cap on `key` of `provider` (undefined: a provider without keys): true (held:
   * call `release` exactly once), false (a cap is full; nothing held), or a promise of either while a
   * cluster store asks the master. Never rejects.
   */
  acquire(provider: string, key: ProviderKey | undefined): boolean | Promise<boolean> {
    const slot = this.#slots.get(key === undefined ? provider : key.id);
    if (slot === undefined) return true;
    const taken = slot.caps.length === 0 ? true : this.#acquireFrom(slot.caps, 0);
    if (taken === true) countInFlight(slot, 1);
    if (typeof taken === 'boolean') return taken;
    return taken.then((isTaken) => {
      if (isTaken) countInFlight(slot, 1);
      return isTaken;
    });
  }

  release(provider: string, key: ProviderKey | undefined): void {
    const slot = this.#slots.get(key === undefined ? provider : key.id);
    if (slot === undefined) return;
    for (const cap of slot.caps) this.#store.release(cap.counterKey);
    countInFlight(slot, -1);
  }

  /** Takes caps[from…] in order; a refusal gives back those taken before it. */
  #acquireFrom(caps: readonly Cap[], from: number): boolean | Promise<boolean> {
    for (let i = from; i < caps.length; i++) {
      const cap = caps[i] as Cap;
      const taken = this.#store.acquire(cap.counterKey, cap.max);
      if (taken === true) continue;
      if (taken === false) {
        this.#releaseBefore(caps, i);
        return false;
      }
      const at = i;
      return taken.then(
        (isTaken) => {
          if (isTaken) return this.#acquireFrom(caps, at + 1);
          this.#releaseBefore(caps, at);
          return false;
        },
        () => {
          this.#releaseBefore(caps, at);
          return false;
        },
      );
    }
    return true;
  }

  #releaseBefore(caps: readonly Cap[], end: number): void {
    for (let i = 0; i < end; i++) this.#store.release((caps[i] as Cap).counterKey);
  }
}

export interface KeySlots {
  /** The slots of requests of location `name` (a location without `ai` settings: the providers' caps only). */
  forLocation(name: string): LocationKeySlots;
}

const COUNTER_PREFIX = '@ai-key|';

/**
 * Compiles the caps of one config: per location, per provider key, the counter keys and limits that apply.
 * `providers` are the compiled providers (their key rings name the keys); `store` defaults to one store
 * shared by every handler of this process.
 */
export function compileKeySlots(
  config: Pick<Config, 'providers' | 'locations'>,
  providers: ReadonlyMap<string, { readonly keys: KeyRing }>,
  store: SlotStore = processSlotStore,
): KeySlots {
  const providerCaps = new Map<string, Cap | null>();
  const slotIds = new Map<string, { readonly provider: string; readonly id: string }>();
  for (const [name, provider] of providers) {
    const providerConfig = config.providers[name];
    const max = providerConfig === undefined || providerConfig.type === 'mock' ? undefined : providerConfig.max_concurrency_per_key;
    const ids = provider.keys.keys.length === 0 ? [{ lookup: name, id: `${name}:-` }] : provider.keys.keys.map((key) => ({ lookup: key.id, id: key.id }));
    for (const { lookup, id } of ids) {
      slotIds.set(lookup, { provider: name, id });
      providerCaps.set(lookup, max === undefined ? null : { counterKey: `${COUNTER_PREFIX}${id}`, max });
    }
  }
  const build = (locationName: string | undefined, locationMax: number | undefined): LocationKeySlots => {
    const slots = new Map<string, KeySlot>();
    for (const [lookup, { provider, id }] of slotIds) {
      const caps: Cap[] = [];
      if (locationName !== undefined && locationMax !== undefined) caps.push({ counterKey: `${COUNTER_PREFIX}${locationName}|${id}`, max: locationMax });
      const providerCap = providerCaps.get(lookup);
      if (providerCap !== undefined && providerCap !== null) caps.push(providerCap);
      slots.set(lookup, { provider, id, caps });
    }
    return new LocationKeySlots(slots, store);
  };
  const byLocation = new Map<string, LocationKeySlots>();
  for (const [name, location] of Object.entries(config.locations)) {
    if (location.ai !== undefined) byLocation.set(name, build(name, location.ai.max_concurrency_per_key));
  }
  const fallback = build(undefined, undefined);
  return { forLocation: (name) => byLocation.get(name) ?? fallback };
}
