import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import { keyStateProbe } from './key-state-probe.ts';

describe('keyStateProbe', () => {
  it('lists every provider key with its cooldown, keys computed once', () => {
    const config = configSchema.parse({
      servers: { s: { listen: '127.0.0.1:1', locations: ['ai'] } },
      locations: { ai: { ai: {} } },
      providers: { up: { type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys: ['a', 'b'] }, m: { type: 'mock' } },
    });
    let calls = 0;
    const probe = keyStateProbe(config, (p, s) => `${p}:${s}-${++calls}`, { coolingUntil: (id) => (id === 'up:b-2' ? 99 : 0) });
    expect(probe()).toEqual([
      { provider: 'up', keyId: 'up:a-1', untilMs: 0 },
      { provider: 'up', keyId: 'up:b-2', untilMs: 99 },
    ]);
    probe();
    expect(calls).toBe(2);
  });
});
