/**
 * Counts the access plugins' decisions, which they publish on node:diagnostics_channel (channel names
 * below, payloads defined in src/plugins/access-events.ts; observability may not import plugins, so the
 * payloads are read structurally): `auth_requests_total{result}`, `rate_limit_exceeded_total{key_name}`
 * and `quota_exceeded_total{key_name}`. `key_name` is the gateway key's name, else what the limit counted
 * (client address or location).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { GatewayMetrics } from './gateway-metrics.ts';
import type { ValueCell } from './metric-family.ts';

export const AUTH_CHANNEL = 'louailink:access:auth';
export const LIMIT_CHANNEL = 'louailink:access:limit';
export const QUOTA_CHANNEL = 'louailink:access:quota';

interface AccessEvent {
  readonly result?: unknown;
  readonly keyName?: unknown;
  readonly subject?: unknown;
}

function keyNameOf(event: AccessEvent): string {
  if (typeof event.keyName === 'string') return event.keyName;
  return typeof event.subject === 'string' ? event.subject : 'unknown';
}

/** Subscribes; returns the unsubscribe function. */
export function subscribeAccessEvents(metrics: GatewayMetrics): () => void {
  const authCells = new Map<string, ValueCell>();
  const onAuth = (message: unknown): void => {
    const result = (message as AccessEvent).result;
    if (typeof result !== 'string') return;
    let cell = authCells.get(result);
    if (cell === undefined) {
      cell = metrics.authRequests.cell(result);
      authCells.set(result, cell);
    }
    cell.value++;
  };
  const onLimit = (message: unknown): void => {
    metrics.rateLimitExceeded.cell(keyNameOf(message as AccessEvent)).value++;
  };
  const onQuota = (message: unknown): void => {
    metrics.quotaExceeded.cell(keyNameOf(message as AccessEvent)).value++;
  };
  subscribe(AUTH_CHANNEL, onAuth);
  subscribe(LIMIT_CHANNEL, onLimit);
  subscribe(QUOTA_CHANNEL, onQuota);
  return () => {
    unsubscribe(AUTH_CHANNEL, onAuth);
    unsubscribe(LIMIT_CHANNEL, onLimit);
    unsubscribe(QUOTA_CHANNEL, onQuota);
  };
}
