/**
 * AI provider state that crosses layers and processes:
 * - key ids (`<provider>:<8 hex of sha256(key)>`): the AI layer, observability and the master name keys
 *   the same way, and none of them ever needs the key itself;
 * - key cooldowns and the IPC messages that keep every worker's cooldown map equal to the master's
 *   (src/master/key-state-service.ts ⇄ src/ai/routing/key-state-link.ts). Only changes travel: a worker
 *   reports a cooldown it decided, the master broadcasts it; a worker that starts subscribes and gets the
 *   whole map once. Nothing is sent while no key fails;
 * - the diagnostics channels on which the AI layer publishes provider circuit-breaker transitions and the
 *   requests in flight per key.
 */
import { createHash } from 'node:crypto';

export function keyIdFor(providerName: string, secret: string): string {
  return `${providerName}:${createHash('sha256').update(secret).digest('hex').slice(0, 8)}`;
}

/** The provider part of a key id (provider names may contain ":", the hash part never does). */
export function providerOfKeyId(keyId: string): string {
  const at = keyId.lastIndexOf(':');
  return at === -1 ? keyId : keyId.slice(0, at);
}

export interface KeyCooldown {
  readonly keyId: string;
  /** Epoch milliseconds when the key is usable again. */
  readonly untilMs: number;
  /** Why it cools down, e.g. "429", "401", "quota". */
  readonly reason: string;
}

/** One provider key as the admin API shows it (the field names of `/metrics/summary`'s `keys`). */
export interface KeyStateView {
  readonly provider: string;
  readonly key_id: string;
  readonly state: 'healthy' | 'cooling_down';
  /** Cooling keys only: why ("429", "401", "402", "403", "quota"). */
  readonly reason?: string;
  /** Cooling keys only: ISO time the cooldown ends. */
  readonly cooling_down_until?: string;
  /** Cooling keys only: whole seconds left (at least 1). */
  readonly retry_after_seconds?: number;
}

/** The view of one key; `cooldown` is its entry in a cooldown map (undefined or expired: healthy). */
export function keyStateView(keyId: string, cooldown: KeyCooldown | undefined, nowMs: number): KeyStateView {
  const provider = providerOfKeyId(keyId);
  if (cooldown === undefined || cooldown.untilMs <= nowMs) return { provider, key_id: keyId, state: 'healthy' };
  return {
    provider,
    key_id: keyId,
    state: 'cooling_down',
    reason: cooldown.reason,
    cooling_down_until: new Date(cooldown.untilMs).toISOString(),
    retry_after_seconds: Math.max(1, Math.ceil((cooldown.untilMs - nowMs) / 1000)),
  };
}

/** Worker → master. */
export type KeyStateWorkerMessage =
  /** The worker's link is installed: send it the current map. */
  | { readonly type: 'keys:subscribe' }
  /** Cooldowns this worker decided (a key failed here). */
  | { readonly type: 'keys:cool-down'; readonly cooldowns: readonly KeyCooldown[] };

/** Master → worker: cooldowns to merge (the whole map after `keys:subscribe`, else the changes). */
export interface KeyStateMasterMessage {
  readonly type: 'keys:cooldowns';
  /** True on the answer to `keys:subscribe` (the worker may start serving). */
  readonly isFull: boolean;
  readonly cooldowns: readonly KeyCooldown[];
}

function isCooldownList(value: unknown): value is readonly KeyCooldown[] {
  return (
    Array.isArray(value) &&
    value.every((entry: unknown) => {
      if (typeof entry !== 'object' || entry === null) return false;
      const { keyId, untilMs, reason } = entry as Record<string, unknown>;
      return typeof keyId === 'string' && typeof untilMs === 'number' && Number.isFinite(untilMs) && typeof reason === 'string';
    })
  );
}

function typeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
}

export function isKeyStateWorkerMessage(value: unknown): value is KeyStateWorkerMessage {
  const type = typeOf(value);
  if (type === 'keys:subscribe') return true;
  return type === 'keys:cool-down' && isCooldownList((value as { cooldowns?: unknown }).cooldowns);
}

export function isKeyStateMasterMessage(value: unknown): value is KeyStateMasterMessage {
  return typeOf(value) === 'keys:cooldowns' && isCooldownList((value as { cooldowns?: unknown }).cooldowns);
}

export type ProviderCircuitState = 'closed' | 'open' | 'half-open';

/** node:diagnostics_channel name of provider circuit transitions; messages are `ProviderCircuitEvent`. */
export const AI_CIRCUIT_CHANNEL = 'louailink:ai:circuit';

export interface ProviderCircuitEvent {
  readonly provider: string;
  /** null: the breaker was just built (a new config), `to` is its initial state. */
  readonly from: ProviderCircuitState | null;
  readonly to: ProviderCircuitState;
}

/** node:diagnostics_channel name of changes of a provider key's requests in flight; messages are `KeyInFlightEvent`. */
export const AI_KEY_IN_FLIGHT_CHANNEL = 'louailink:ai:key-in-flight';

export interface KeyInFlightEvent {
  readonly provider: string;
  /** The key id (`<provider>:-` for a provider without keys). */
  readonly keyId: string;
  /** Upstream attempts on this key running now in this process (every config generation together). */
  readonly inFlight: number;
}
