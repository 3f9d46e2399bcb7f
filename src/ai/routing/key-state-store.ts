/**
 * Cooldown state of provider keys, by key id. Behind an interface so the per-process store can be
 * replaced by a cluster-wide one (the master process owns it later) without touching routing code.
 * Reads must be synchronous and cheap: routing asks for every candidate key of every request.
 */

export interface KeyCooldown {
  readonly keyId: string;
  /** Epoch milliseconds when the key is usable again. */
  readonly untilMs: number;
  /** Why it cools down, e.g. "429", "401", "quota". */
  readonly reason: string;
}

export interface KeyStateStore {
  /** Epoch ms until which the key cools down; 0 (or a past time) when it is usable. */
  coolingUntil(keyId: string): number;
  /** Puts a key into cooldown; a longer cooldown already in place is kept. */
  coolDown(keyId: string, untilMs: number, reason: string): void;
  /** Keys still cooling at `nowMs` (for an admin endpoint). */
  snapshot(nowMs: number): KeyCooldown[];
}

/** The per-process store: a Map, expired entries dropped when read. */
export class LocalKeyStateStore implements KeyStateStore {
  readonly #cooldowns = new Map<string, KeyCooldown>();

  coolingUntil(keyId: string): number {
    return this.#cooldowns.get(keyId)?.untilMs ?? 0;
  }

  coolDown(keyId: string, untilMs: number, reason: string): void {
    const current = this.#cooldowns.get(keyId);
    if (current !== undefined && current.untilMs >= untilMs) return;
    this.#cooldowns.set(keyId, { keyId, untilMs, reason });
  }

  snapshot(nowMs: number): KeyCooldown[] {
    const out: KeyCooldown[] = [];
    for (const [keyId, cooldown] of this.#cooldowns) {
      if (cooldown.untilMs > nowMs) out.push(cooldown);
      else this.#cooldowns.delete(keyId);
    }
    return out;
  }
}
