/**
 * Feeds the AI provider circuit metrics from the AI layer's breaker events (node:diagnostics_channel
 * AI_CIRCUIT_CHANNEL, payload `ProviderCircuitEvent` of src/core/provider-state.ts):
 * `louailink_ai_provider_circuit_state{provider}` (0 closed, 1 open, 2 half-open, as the proxy's
 * `louailink_circuit_breaker_state`) and `louailink_ai_provider_circuit_transitions_total{provider,to}`.
 * Every provider with `circuit_breaker` shows 0 from the moment its config is compiled. An open circuit
 * reads as half-open only once a request looks at it after the cooldown.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { AI_CIRCUIT_CHANNEL } from '../core/provider-state.ts';
import type { ProviderCircuitEvent, ProviderCircuitState } from '../core/provider-state.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import type { WorkerObservability } from './worker-observability.ts';

const STATE_VALUES: Readonly<Record<ProviderCircuitState, number>> = { closed: 0, open: 1, 'half-open': 2 };

/** Subscribes; returns the unsubscribe function. */
export function subscribeAiCircuitEvents(metrics: GatewayMetrics): () => void {
  const onCircuit = (message: unknown): void => {
    if (typeof message !== 'object' || message === null) return;
    const { provider, from, to } = message as ProviderCircuitEvent;
    const value = STATE_VALUES[to];
    if (typeof provider !== 'string' || value === undefined) return;
    metrics.aiProviderCircuitState.cell(provider).value = value;
    if (from !== null) metrics.aiProviderCircuitTransitions.cell(provider, to).value++;
  };
  subscribe(AI_CIRCUIT_CHANNEL, onCircuit);
  return () => unsubscribe(AI_CIRCUIT_CHANNEL, onCircuit);
}

/** `obs` with the AI circuit metrics subscribed to its metrics for as long as it is open. */
export function withAiCircuitMetrics(obs: WorkerObservability): WorkerObservability {
  if (obs.observer === null) return obs;
  const unsubscribeCircuits = subscribeAiCircuitEvents(obs.observer.metrics);
  return {
    ...obs,
    close: () => {
      unsubscribeCircuits();
      obs.close();
    },
  };
}
