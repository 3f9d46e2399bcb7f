/**
 * Feeds `louailink_ai_key_in_flight{provider,key_id}` from the AI layer's key-slot events
 * (node:diagnostics_channel AI_KEY_IN_FLIGHT_CHANNEL, payload `KeyInFlightEvent` of
 * src/core/provider-state.ts). Each event carries the process's absolute count for the key, so a new
 * config generation's metrics are right from the next change on; the master sums the workers.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { AI_KEY_IN_FLIGHT_CHANNEL, type KeyInFlightEvent } from '../core/provider-state.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import type { ValueCell } from './metric-family.ts';
import type { WorkerObservability } from './worker-observability.ts';

/** Subscribes; returns the unsubscribe function. */
export function subscribeAiKeyInFlight(metrics: GatewayMetrics): () => void {
  // Two events per AI request (taken, given back): the cell of a key id (unique across providers) is kept.
  const cells = new Map<string, ValueCell>();
  const onChange = (message: unknown): void => {
    if (typeof message !== 'object' || message === null) return;
    const { provider, keyId, inFlight } = message as KeyInFlightEvent;
    if (typeof provider !== 'string' || typeof keyId !== 'string' || typeof inFlight !== 'number') return;
    let cell = cells.get(keyId);
    if (cell === undefined) {
      cell = metrics.aiKeyInFlight.cell(provider, keyId);
      cells.set(keyId, cell);
    }
    cell.value = inFlight;
  };
  subscribe(AI_KEY_IN_FLIGHT_CHANNEL, onChange);
  return () => unsubscribe(AI_KEY_IN_FLIGHT_CHANNEL, onChange);
}

/** `obs` with the key in-flight gauge subscribed to its metrics for as long as it is open (metrics on). */
export function withAiKeyInFlightMetrics(obs: WorkerObservability): WorkerObservability {
  if (obs.observer === null) return obs;
  const unsubscribeKeys = subscribeAiKeyInFlight(obs.observer.metrics);
  return {
    ...obs,
    close: () => {
      unsubscribeKeys();
      obs.close();
    },
  };
}
