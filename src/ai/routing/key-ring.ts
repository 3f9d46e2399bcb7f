/**
 * A provider's keys, handed out round robin. A key that is cooling down (KeyStateStore) or was already
 * tried for this request is skipped. Key ids are `<provider>:<8 hex of sha256(key)>`: stable across
 * reloads and key reordering, shareable between processes, and they reveal nothing usable of the key.
 */
import { keyIdFor } from '../../core/provider-state.ts';
import type { KeyStateStore } from './key-state-store.ts';

export { keyIdFor };

export interface ProviderKey {
  readonly id: string;
  readonly secret: string;
}

export class KeyRing {
  readonly keys: readonly ProviderKey[];
  #cursor = 0;

  constructor(providerName: string, secrets: readonly string[]) {
    this.keys = secrets.map((secret) => ({ id: keyIdFor(providerName, secret), secret }));
  }

  /** The next usable key in round-robin order, or undefined when every key is cooling or in `tried`. */
  next(store: KeyStateStore, nowMs: number, tried: ReadonlySet<string>): ProviderKey | undefined {
    const count = this.keys.length;
    for (let i = 0; i < count; i++) {
      const index = (this.#cursor + i) % count;
      const key = this.keys[index];
      if (key === undefined || tried.has(key.id) || store.coolingUntil(key.id) > nowMs) continue;
      this.#cursor = (index + 1) % count;
      return key;
    }
    return undefined;
  }

  /** Whether some key is not cooling at `nowMs` (a provider without keys, like `mock`, always is). */
  hasUsableKey(store: KeyStateStore, nowMs: number): boolean {
    if (this.keys.length === 0) return true;
    for (const key of this.keys) if (store.coolingUntil(key.id) <= nowMs) return true;
    return false;
  }

  /** The earliest time a key is usable again (for a Retry-After when every key cools down). */
  earliestUsableMs(store: KeyStateStore): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const key of this.keys) earliest = Math.min(earliest, store.coolingUntil(key.id));
    return earliest === Number.POSITIVE_INFINITY ? 0 : earliest;
  }
}
