/**
 * Metrics fed from diagnostics-channel events (circuit breakers of the proxy and of AI providers): a
 * worker's observability with those subscriptions attached to its metrics, ended when it closes.
 */
import type { GatewayMetrics } from './gateway-metrics.ts';
import type { WorkerObservability } from './worker-observability.ts';

/** Subscribes to events that feed `metrics`; returns the unsubscribe function. */
export type MetricSubscriber = (metrics: GatewayMetrics) => () => void;

/** `obs` with `subscribers` feeding its metrics for as long as it is open (unchanged when it records none). */
export function withMetricSubscriptions(obs: WorkerObservability, ...subscribers: readonly MetricSubscriber[]): WorkerObservability {
  if (obs.observer === null) return obs;
  const metrics = obs.observer.metrics;
  const unsubscribers = subscribers.map((subscribe) => subscribe(metrics));
  return {
    ...obs,
    close: () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
      obs.close();
    },
  };
}
