/**
 * `GET /admin/provider-keys`: every key of every AI provider with its cooldown state — id (never the key),
 * healthy or cooling down until when, and why (the last error: "429", "401", "quota", …). The key list is
 * computed once per config; the states are read per request from the cooldown map this worker mirrors
 * from the master (src/core/provider-state.ts), so every worker answers the same.
 */
import type { Config } from '../config/schema.ts';
import { keyIdFor, keyStateView } from '../core/provider-state.ts';
import type { KeyCooldown, KeyStateView } from '../core/provider-state.ts';

export interface ProviderKeysAnswer {
  readonly generated_at: string;
  readonly keys: readonly KeyStateView[];
}

export function providerKeyStates(config: Config, cooldowns: () => Iterable<KeyCooldown>): (nowMs?: number) => ProviderKeysAnswer {
  const keyIds: string[] = [];
  for (const [provider, settings] of Object.entries(config.providers)) {
    if (!('keys' in settings)) continue;
    for (const secret of settings.keys) keyIds.push(keyIdFor(provider, secret));
  }
  const unique = [...new Set(keyIds)];
  return (nowMs = Date.now()) => {
    const byId = new Map<string, KeyCooldown>();
    for (const cooldown of cooldowns()) byId.set(cooldown.keyId, cooldown);
    return { generated_at: new Date(nowMs).toISOString(), keys: unique.map((id) => keyStateView(id, byId.get(id), nowMs)) };
  };
}
