import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { providerSchema } from '../../config/schema.ts';
import { AI_CIRCUIT_CHANNEL } from '../../core/provider-state.ts';
import { CircuitBreaker } from '../../limits/circuit-breaker.ts';
import { ProviderCircuits, type CircuitFactory } from './provider-circuits.ts';

const providers = {
  guarded: providerSchema.parse({ type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys: ['k'], circuit_breaker: { failures: 2, cooldown: '10s' } }),
  open: providerSchema.parse({ type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys: ['k'] }),
  fake: providerSchema.parse({ type: 'mock' }),
};

function withClock(): { circuits: ProviderCircuits; advance(ms: number): void; now(): number } {
  let now = 1_000_000;
  const factory: CircuitFactory = (options) => new CircuitBreaker(options, () => now);
  return { circuits: new ProviderCircuits(providers, factory), advance: (ms) => void (now += ms), now: () => now };
}

describe('ProviderCircuits', () => {
  it('opens after the configured consecutive failures, lets one probe through after the cooldown, and closes on its success', () => {
    const { circuits, advance, now } = withClock();
    for (let i = 0; i < 2; i++) {
      expect(circuits.acquire('guarded')).toBe(true);
      circuits.release('guarded', 'failure');
    }
    expect(circuits.isOpen('guarded')).toBe(true);
    expect(circuits.acquire('guarded')).toBe(false);
    expect(circuits.openUntilMs('guarded', now())).toBe(now() + 10_000);
    advance(10_000);
    expect(circuits.isOpen('guarded')).toBe(false);
    expect(circuits.acquire('guarded')).toBe(true);
    expect(circuits.acquire('guarded')).toBe(false);
    circuits.release('guarded', 'success');
    expect(circuits.states().get('guarded')).toBe('closed');
  });

  it('counts only consecutive failures, gives a cancelled probe slot back, and reopens on a failed probe', () => {
    const { circuits, advance } = withClock();
    circuits.release('guarded', 'failure');
    circuits.release('guarded', 'success');
    circuits.release('guarded', 'failure');
    expect(circuits.isOpen('guarded')).toBe(false);
    circuits.release('guarded', 'failure');
    advance(10_000);
    expect(circuits.acquire('guarded')).toBe(true);
    circuits.release('guarded', 'cancel');
    expect(circuits.acquire('guarded')).toBe(true);
    circuits.release('guarded', 'failure');
    expect(circuits.isOpen('guarded')).toBe(true);
  });

  it('admits everything for providers without circuit_breaker, and for all without a factory', () => {
    const { circuits } = withClock();
    for (let i = 0; i < 10; i++) circuits.release('open', 'failure');
    expect([circuits.isOpen('open'), circuits.acquire('open'), circuits.acquire('fake')]).toEqual([false, true, true]);
    const none = new ProviderCircuits(providers, undefined);
    for (let i = 0; i < 3; i++) none.release('guarded', 'failure');
    expect([none.isOpen('guarded'), none.acquire('guarded')]).toEqual([false, true]);
  });

  it('publishes the initial closed state and every transition on the diagnostics channel', () => {
    const events: unknown[] = [];
    const listener = (message: unknown): void => void events.push(message);
    subscribe(AI_CIRCUIT_CHANNEL, listener);
    try {
      const { circuits, advance } = withClock();
      circuits.release('guarded', 'failure');
      circuits.release('guarded', 'failure');
      advance(10_000);
      circuits.isOpen('guarded');
      expect(events).toEqual([
        { provider: 'guarded', from: null, to: 'closed' },
        { provider: 'guarded', from: 'closed', to: 'open' },
        { provider: 'guarded', from: 'open', to: 'half-open' },
      ]);
    } finally {
      unsubscribe(AI_CIRCUIT_CHANNEL, listener);
    }
  });
});
