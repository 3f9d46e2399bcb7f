import { channel } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { AI_CIRCUIT_CHANNEL } from '../core/provider-state.ts';
import { subscribeAiCircuitEvents } from './ai-circuit-subscriber.ts';
import { GatewayMetrics } from './gateway-metrics.ts';

const publish = (message: unknown): void => channel(AI_CIRCUIT_CHANNEL).publish(message);

describe('subscribeAiCircuitEvents', () => {
  it('sets the provider circuit gauge from the first event and counts transitions, not the initial state', () => {
    const metrics = new GatewayMetrics();
    const unsubscribe = subscribeAiCircuitEvents(metrics);
    try {
      publish({ provider: 'openai-main', from: null, to: 'closed' });
      expect(metrics.aiProviderCircuitState.cell('openai-main').value).toBe(0);
      publish({ provider: 'openai-main', from: 'closed', to: 'open' });
      publish({ provider: 'openai-main', from: 'open', to: 'half-open' });
      expect(metrics.aiProviderCircuitState.cell('openai-main').value).toBe(2);
      publish({ provider: 'openai-main', from: 'half-open', to: 'open' });
      expect(metrics.aiProviderCircuitState.cell('openai-main').value).toBe(1);
      expect(metrics.aiProviderCircuitTransitions.cell('openai-main', 'open').value).toBe(2);
      expect(metrics.aiProviderCircuitTransitions.cell('openai-main', 'closed').value).toBe(0);
      publish({ provider: 'x', from: null, to: 'sideways' });
      publish(null);
    } finally {
      unsubscribe();
    }
    publish({ provider: 'openai-main', from: 'open', to: 'closed' });
    expect(metrics.aiProviderCircuitState.cell('openai-main').value).toBe(1);
  });
});
