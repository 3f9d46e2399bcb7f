import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { circuitBreakerSchema } from '../config/circuit-breaker-schema.ts';
import { CircuitBreaker } from '../limits/circuit-breaker.ts';
import { CIRCUIT_CHANNEL, TargetBreakers } from './target-breakers.ts';
import type { CircuitEvent } from './target-breakers.ts';

function breakers(config: Record<string, unknown> = {}) {
  const clock = { nowMs: 0 };
  const set = new TargetBreakers(
    'api',
    ['http://a:1', 'http://b:1'],
    circuitBreakerSchema.parse({ failures: 2, cooldown: '10s', ...config }),
    (options) => new CircuitBreaker(options, () => clock.nowMs),
  );
  return { set, clock };
}

function fail(set: TargetBreakers, index: number, times: number): void {
  const breaker = set.breakers[index];
  if (breaker === undefined) throw new Error('no breaker');
  for (let i = 0; i < times; i++) {
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onFailure();
  }
}

describe('TargetBreakers', () => {
  it('counts open circuits, and stops counting one once its cooldown has passed', () => {
    const { set, clock } = breakers();
    expect(set.openCount).toBe(0);
    fail(set, 0, 2);
    expect(set.openCount).toBe(1);
    expect(set.isOpen(0)).toBe(true);
    expect(set.isOpen(1)).toBe(false);
    clock.nowMs = 10_000;
    expect(set.isOpen(0)).toBe(false);
    expect(set.openCount).toBe(0);
    fail(set, 0, 1);
    expect(set.openCount).toBe(1);
  });

  it('answers the time to the earliest probe, and 1 s when no circuit is open but none admits', () => {
    const { set, clock } = breakers({ half_open_probes: 1 });
    fail(set, 0, 2);
    clock.nowMs = 4_000;
    fail(set, 1, 2);
    clock.nowMs = 5_000;
    expect(set.retryAfterMs()).toBe(5_000);
    clock.nowMs = 14_000;
    expect(set.breakers[0]?.tryAcquire()).toBe(true);
    expect(set.breakers[1]?.tryAcquire()).toBe(true);
    expect(set.retryAfterMs()).toBe(1_000);
  });

  it('counts the configured statuses as failures (500, 502, 503, 504 by default)', () => {
    const { set } = breakers();
    expect([500, 501, 502, 503, 504, 505, 429].filter((s) => set.isFailureStatus(s))).toEqual([500, 502, 503, 504]);
    const custom = breakers({ failure_statuses: [429, 503] }).set;
    expect([429, 500, 503].filter((s) => custom.isFailureStatus(s))).toEqual([429, 503]);
  });

  it('publishes each target as closed when built, then every state change with the upstream, target and cooldown', () => {
    const seen: CircuitEvent[] = [];
    const onEvent = (message: unknown): void => {
      seen.push(message as CircuitEvent);
    };
    subscribe(CIRCUIT_CHANNEL, onEvent);
    try {
      const { set, clock } = breakers();
      fail(set, 1, 2);
      clock.nowMs = 10_000;
      expect(set.breakers[1]?.tryAcquire()).toBe(true);
      set.breakers[1]?.onSuccess();
    } finally {
      unsubscribe(CIRCUIT_CHANNEL, onEvent);
    }
    expect(seen).toEqual([
      { upstream: 'api', target: 'http://a:1', from: null, to: 'closed', cooldownMs: 0 },
      { upstream: 'api', target: 'http://b:1', from: null, to: 'closed', cooldownMs: 0 },
      { upstream: 'api', target: 'http://b:1', from: 'closed', to: 'open', cooldownMs: 10_000 },
      { upstream: 'api', target: 'http://b:1', from: 'open', to: 'half-open', cooldownMs: 0 },
      { upstream: 'api', target: 'http://b:1', from: 'half-open', to: 'closed', cooldownMs: 0 },
    ]);
  });
});
