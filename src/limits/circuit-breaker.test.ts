import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.ts';
import type { CircuitState } from './circuit-breaker.ts';

function breaker(options: { halfOpenProbes?: number } = {}) {
  const clock = { nowMs: 0 };
  const changes: string[] = [];
  const cb = new CircuitBreaker(
    { failureThreshold: 3, cooldownMs: 10_000, ...options, onStateChange: (from: CircuitState, to: CircuitState) => changes.push(`${from}→${to}`) },
    () => clock.nowMs,
  );
  return { cb, clock, changes };
}

function fail(cb: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i++) {
    expect(cb.tryAcquire()).toBe(true);
    cb.onFailure();
  }
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures and refuses requests for the cooldown, with the time left', () => {
    const { cb, clock, changes } = breaker();
    fail(cb, 2);
    expect(cb.state).toBe('closed');
    fail(cb, 1);
    expect(cb.state).toBe('open');
    expect(cb.tryAcquire()).toBe(false);
    clock.nowMs = 4_000;
    expect(cb.retryAfterMs()).toBe(6_000);
    expect(changes).toEqual(['closed→open']);
  });

  it('counts only consecutive failures: a success in between starts over', () => {
    const { cb } = breaker();
    fail(cb, 2);
    expect(cb.tryAcquire()).toBe(true);
    cb.onSuccess();
    fail(cb, 2);
    expect(cb.state).toBe('closed');
  });

  it('lets one probe through when the cooldown has passed and closes on its success', () => {
    const { cb, clock, changes } = breaker();
    fail(cb, 3);
    clock.nowMs = 10_000;
    expect(cb.state).toBe('half-open');
    expect(cb.tryAcquire()).toBe(true);
    expect(cb.tryAcquire()).toBe(false);
    cb.onSuccess();
    expect(cb.state).toBe('closed');
    expect(cb.tryAcquire()).toBe(true);
    expect(changes).toEqual(['closed→open', 'open→half-open', 'half-open→closed']);
  });

  it('reopens for a full cooldown when the probe fails', () => {
    const { cb, clock } = breaker();
    fail(cb, 3);
    clock.nowMs = 10_000;
    fail(cb, 1);
    expect(cb.state).toBe('open');
    clock.nowMs = 19_999;
    expect(cb.tryAcquire()).toBe(false);
    clock.nowMs = 20_000;
    expect(cb.tryAcquire()).toBe(true);
  });

  it('gives a cancelled probe slot back, and admits several probes when configured', () => {
    const { cb, clock } = breaker({ halfOpenProbes: 2 });
    fail(cb, 3);
    clock.nowMs = 10_000;
    expect(cb.tryAcquire()).toBe(true);
    expect(cb.tryAcquire()).toBe(true);
    expect(cb.tryAcquire()).toBe(false);
    cb.onCancel();
    expect(cb.tryAcquire()).toBe(true);
  });
});
