import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import { keyIdFor } from '../core/provider-state.ts';
import type { KeyCooldown } from '../core/provider-state.ts';
import { providerKeyStates } from './provider-keys.ts';

const config = configSchema.parse({
  servers: { main: { listen: '127.0.0.1:1', locations: ['x'] } },
  providers: {
    a: { type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys: ['sk-1', 'sk-2'] },
    local: { type: 'openai', base_url: 'http://127.0.0.1:2/v1' },
    fake: { type: 'mock' },
  },
});

describe('providerKeyStates', () => {
  it('lists every configured key by id, cooling ones with their reason and end, expired cooldowns as healthy', () => {
    const now = Date.parse('2026-01-05T10:00:00Z');
    let cooldowns: KeyCooldown[] = [{ keyId: keyIdFor('a', 'sk-2'), untilMs: now + 90_500, reason: '429' }];
    const read = providerKeyStates(config, () => cooldowns);
    expect(read(now)).toEqual({
      generated_at: '2026-01-05T10:00:00.000Z',
      keys: [
        { provider: 'a', key_id: keyIdFor('a', 'sk-1'), state: 'healthy' },
        { provider: 'a', key_id: keyIdFor('a', 'sk-2'), state: 'cooling_down', reason: '429', cooling_down_until: '2026-01-05T10:01:30.500Z', retry_after_seconds: 91 },
      ],
    });
    cooldowns = [{ keyId: keyIdFor('a', 'sk-2'), untilMs: now - 1, reason: '429' }];
    expect(read(now).keys.map((k) => k.state)).toEqual(['healthy', 'healthy']);
    expect(JSON.stringify(read(now))).not.toContain('sk-');
  });
});
