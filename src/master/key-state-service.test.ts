import { describe, expect, it } from 'vitest';
import { providerSchema } from '../config/schema.ts';
import { keyIdFor } from '../core/provider-state.ts';
import type { KeyStateMasterMessage } from '../core/provider-state.ts';
import { KeyStateHub } from './key-state-service.ts';

const NOW = 1_700_000_000_000;

function peer(): { send(message: KeyStateMasterMessage): void; received: KeyStateMasterMessage[] } {
  const received: KeyStateMasterMessage[] = [];
  return { received, send: (message) => received.push(message) };
}

const providers = {
  up: providerSchema.parse({ type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys: ['sk-a', 'sk-b'] }),
  fake: providerSchema.parse({ type: 'mock' }),
};
const A = keyIdFor('up', 'sk-a');
const B = keyIdFor('up', 'sk-b');

describe('KeyStateHub', () => {
  it('sends a subscriber the whole live map, then every change another worker reports', () => {
    let now = NOW;
    const hub = new KeyStateHub(providers, () => now);
    const first = peer();
    const second = peer();
    hub.receive(first, { type: 'keys:subscribe' });
    hub.receive(first, { type: 'keys:cool-down', cooldowns: [{ keyId: A, untilMs: NOW + 60_000, reason: '429' }] });
    hub.receive(first, { type: 'keys:cool-down', cooldowns: [{ keyId: 'up:expired', untilMs: NOW - 1, reason: '429' }] });
    now += 1;
    hub.receive(second, { type: 'keys:subscribe' });
    expect(second.received).toEqual([{ type: 'keys:cooldowns', isFull: true, cooldowns: [{ keyId: A, untilMs: NOW + 60_000, reason: '429' }] }]);
    hub.receive(second, { type: 'keys:cool-down', cooldowns: [{ keyId: B, untilMs: NOW + 5_000, reason: '401' }] });
    expect(first.received.slice(1)).toEqual([{ type: 'keys:cooldowns', isFull: false, cooldowns: [{ keyId: B, untilMs: NOW + 5_000, reason: '401' }] }]);
    expect(second.received).toHaveLength(1);
  });

  it('sends nothing when a report changes nothing, and answers a shorter report with the longer entry', () => {
    const hub = new KeyStateHub(providers, () => NOW);
    const first = peer();
    const second = peer();
    hub.receive(first, { type: 'keys:subscribe' });
    hub.receive(second, { type: 'keys:subscribe' });
    hub.receive(first, { type: 'keys:cool-down', cooldowns: [{ keyId: A, untilMs: NOW + 60_000, reason: '429' }] });
    hub.receive(first, { type: 'keys:cool-down', cooldowns: [{ keyId: A, untilMs: NOW + 60_000, reason: '429' }] });
    expect(second.received).toHaveLength(2);
    hub.receive(second, { type: 'keys:cool-down', cooldowns: [{ keyId: A, untilMs: NOW + 1_000, reason: '401' }] });
    expect(second.received.at(-1)).toEqual({ type: 'keys:cooldowns', isFull: false, cooldowns: [{ keyId: A, untilMs: NOW + 60_000, reason: '429' }] });
    expect(first.received).toHaveLength(1);
  });

  it('forgets departed workers and ignores messages of other protocols', () => {
    const hub = new KeyStateHub(providers, () => NOW);
    const gone = peer();
    const reporter = peer();
    hub.receive(gone, { type: 'keys:subscribe' });
    hub.remove(gone);
    hub.receive(reporter, { type: 'obs:report' });
    hub.receive(reporter, { type: 'keys:cool-down', cooldowns: [{ keyId: A, untilMs: 'soon', reason: '429' }] });
    hub.receive(reporter, { type: 'keys:cool-down', cooldowns: [{ keyId: A, untilMs: NOW + 10, reason: '429' }] });
    expect(gone.received).toHaveLength(1);
    expect(hub.cooldowns()).toEqual([{ keyId: A, untilMs: NOW + 10, reason: '429' }]);
  });

  it('lists every configured key with its state, then keys still cooling that the config no longer names', () => {
    const hub = new KeyStateHub(providers, () => NOW);
    const worker = peer();
    hub.receive(worker, { type: 'keys:cool-down', cooldowns: [{ keyId: B, untilMs: NOW + 1_500, reason: '429' }, { keyId: 'old:12345678', untilMs: NOW + 9_000, reason: 'quota' }] });
    expect(hub.snapshot()).toEqual([
      { provider: 'up', key_id: A, state: 'healthy' },
      { provider: 'up', key_id: B, state: 'cooling_down', reason: '429', cooling_down_until: new Date(NOW + 1_500).toISOString(), retry_after_seconds: 2 },
      { provider: 'old', key_id: 'old:12345678', state: 'cooling_down', reason: 'quota', cooling_down_until: new Date(NOW + 9_000).toISOString(), retry_after_seconds: 9 },
    ]);
    expect(JSON.stringify(hub.snapshot())).not.toContain('sk-');
  });
});
