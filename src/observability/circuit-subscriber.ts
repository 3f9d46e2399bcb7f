/**
 * Feeds the circuit-breaker metrics from the proxy's state changes, published on node:diagnostics_channel
 * (payload defined in src/proxy/target-breakers.ts; observability may not import the proxy, so it is
 * read structurally): `louailink_circuit_breaker_state{upstream,target}` (0 closed, 1 open, 2 half-open)
 * and `louailink_circuit_breaker_transitions_total{upstream,target,to}`. Every target of an upstream with
 * `circuit_breaker` shows 0 from the moment its config is compiled (an event with `from: null`). An open
 * circuit reads as half-open only once a request looks at it after the cooldown.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { GatewayMetrics } from './gateway-metrics.ts';
import { withMetricSubscriptions } from './metric-subscriptions.ts';
import type { WorkerObservability } from './worker-observability.ts';

export const CIRCUIT_CHANNEL = 'louailink:proxy:circuit';

const STATE_VALUES: Readonly<Record<string, number>> = { closed: 0, open: 1, 'half-open': 2 };

interface CircuitMessage {
  readonly upstream?: unknown;
  readonly target?: unknown;
  readonly from?: unknown;
  readonly to?: unknown;
}

/** Subscribes; returns the unsubscribe function. */
export function subscribeCircuitEvents(metrics: GatewayMetrics): () => void {
  const onCircuit = (message: unknown): void => {
    const { upstream, target, from, to } = message as CircuitMessage;
    if (typeof upstream !== 'string' || typeof target !== 'string' || typeof to !== 'string') return;
    const value = STATE_VALUES[to];
    if (value === undefined) return;
    metrics.circuitBreakerState.cell(upstream, target).value = value;
    if (from !== null) metrics.circuitBreakerTransitions.cell(upstream, target, to).value++;
  };
  subscribe(CIRCUIT_CHANNEL, onCircuit);
  return () => unsubscribe(CIRCUIT_CHANNEL, onCircuit);
}

/** `obs` with the proxy's circuit metrics subscribed to its metrics for as long as it is open. */
export function withProxyCircuitMetrics(obs: WorkerObservability): WorkerObservability {
  return withMetricSubscriptions(obs, subscribeCircuitEvents);
}
