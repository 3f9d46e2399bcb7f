import { channel } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { CIRCUIT_CHANNEL as PROXY_CIRCUIT_CHANNEL } from '../proxy/target-breakers.ts';
import { CIRCUIT_CHANNEL, subscribeCircuitEvents } from './circuit-subscriber.ts';
import { GatewayMetrics } from './gateway-metrics.ts';

function valuesOf(metrics: GatewayMetrics, name: string) {
  return metrics.snapshot().find((m) => m.name === name)?.values;
}

describe('subscribeCircuitEvents', () => {
  it('listens on the channel the proxy publishes on', () => {
    expect(CIRCUIT_CHANNEL).toBe(PROXY_CIRCUIT_CHANNEL);
  });

  it('shows a new target as closed, sets the state gauge and counts transitions per upstream, target and state entered, until unsubscribed', () => {
    const metrics = new GatewayMetrics();
    const unsubscribe = subscribeCircuitEvents(metrics);
    const publish = (to: string, from: string | null = 'x') => channel(CIRCUIT_CHANNEL).publish({ upstream: 'api', target: 'http://a:1', from, to, cooldownMs: 0 });
    publish('closed', null);
    expect(valuesOf(metrics, 'louailink_circuit_breaker_state')).toEqual([{ value: 0, labels: { upstream: 'api', target: 'http://a:1' } }]);
    expect(valuesOf(metrics, 'louailink_circuit_breaker_transitions_total')).toEqual([]);
    publish('open');
    publish('half-open');
    publish('open');
    expect(valuesOf(metrics, 'louailink_circuit_breaker_state')).toEqual([{ value: 1, labels: { upstream: 'api', target: 'http://a:1' } }]);
    publish('half-open');
    publish('closed');
    unsubscribe();
    publish('open');
    expect(valuesOf(metrics, 'louailink_circuit_breaker_state')).toEqual([{ value: 0, labels: { upstream: 'api', target: 'http://a:1' } }]);
    expect(valuesOf(metrics, 'louailink_circuit_breaker_transitions_total')).toEqual([
      { value: 2, labels: { upstream: 'api', target: 'http://a:1', to: 'open' } },
      { value: 2, labels: { upstream: 'api', target: 'http://a:1', to: 'half-open' } },
      { value: 1, labels: { upstream: 'api', target: 'http://a:1', to: 'closed' } },
    ]);
  });
});
