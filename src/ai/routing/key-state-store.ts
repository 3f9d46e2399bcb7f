/**
 * Cooldown state of provider keys, by key id. Reads must be synchronous and cheap: routing asks for every
 * candidate key of every request, so each process keeps a Map. In a cluster the master holds the
 * authoritative map and every worker's Map mirrors it (key-state-link.ts): a cooldown decided here is
 * applied here at once and reported (`onCoolDown`); cooldowns decided elsewhere arrive through `merge`.
 */
import type { KeyCooldown } from '../../core/provider-state.ts';

export type { KeyCooldown };

export interface KeyStateStore {
  /** Epoch ms until which the key cools down; 0 (or a past time) when it is usable. */
  coolingUntil(keyId: string): number;
  /** Puts a key into cooldown; a longer cooldown already in place is kept. */
  coolDown(keyId: string, untilMs: number, reason: string): void;
  /** Keys still cooling at `nowMs`. */
  snapshot(nowMs: number): KeyCooldown[];
}

/** The per-process store: a Map, expired entries dropped when a snapshot is taken. */
export class LocalKeyStateStore implements KeyStateStore {
  readonly #cooldowns = new Map<string, KeyCooldown>();
  #listener: ((cooldown: KeyCooldown) => void) | null = null;

  coolingUntil(keyId: string): number {
    return this.#cooldowns.get(keyId)?.untilMs ?? 0;
  }

  coolDown(keyId: string, untilMs: number, reason: string): void {
    const cooldown = { keyId, untilMs, reason };
    if (this.#apply(cooldown)) this.#listener?.(cooldown);
  }

  /** Applies cooldowns decided elsewhere (the master's map); they are not reported to the listener again. */
  merge(cooldowns: Iterable<KeyCooldown>): void {
    for (const cooldown of cooldowns) this.#apply(cooldown);
  }

  /**
   * From now on every cooldown this process decides that changes the map (a new or a longer one) is also
   * passed to `listener` (the link to the master). One listener; null detaches it.
   */
  onCoolDown(listener: ((cooldown: KeyCooldown) => void) | null): void {
    this.#listener = listener;
  }

  snapshot(nowMs: number): KeyCooldown[] {
    const out: KeyCooldown[] = [];
    for (const [keyId, cooldown] of this.#cooldowns) {
      if (cooldown.untilMs > nowMs) out.push(cooldown);
      else this.#cooldowns.delete(keyId);
    }
    return out;
  }

  /** Whether the map changed (a shorter or equal cooldown than the one in place changes nothing). */
  #apply(cooldown: KeyCooldown): boolean {
    const current = this.#cooldowns.get(cooldown.keyId);
    if (current !== undefined && current.untilMs >= cooldown.untilMs) return false;
    this.#cooldowns.set(cooldown.keyId, { keyId: cooldown.keyId, untilMs: cooldown.untilMs, reason: cooldown.reason });
    return true;
  }
}

let processStore = new LocalKeyStateStore();

/**
 * The store of this process, read when a config is compiled (the AI handler and the metrics probe take
 * it then): every config generation of a process shares it, so cooldowns survive an in-process reload.
 */
export function processKeyStateStore(): LocalKeyStateStore {
  return processStore;
}

/** Replaces the process store for handlers compiled from now on (tests: several gateways in one process). */
export function setProcessKeyStateStore(store: LocalKeyStateStore): void {
  processStore = store;
}

