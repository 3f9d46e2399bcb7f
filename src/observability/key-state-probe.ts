/**
 * Reads the AI layer's key cooldowns for the metrics and the usage summary without importing the AI
 * layer (the worker passes its key-id function and cooldown store in). Key ids are computed once per
 * config; a report reads one number per key.
 */
import type { Config } from '../config/schema.ts';
import type { KeyStateProbe } from './worker-observability.ts';

export interface CooldownReader {
  /** Epoch ms until which the key cools down; 0 or a past time when usable. */
  coolingUntil(keyId: string): number;
}

export function keyStateProbe(
  config: Config,
  keyIdFor: (providerName: string, secret: string) => string,
  store: CooldownReader,
): () => KeyStateProbe[] {
  const keys: { provider: string; keyId: string }[] = [];
  for (const [provider, settings] of Object.entries(config.providers)) {
    if (!('keys' in settings)) continue;
    for (const secret of settings.keys) keys.push({ provider, keyId: keyIdFor(provider, secret) });
  }
  return () => keys.map((key) => ({ ...key, untilMs: store.coolingUntil(key.keyId) }));
}
