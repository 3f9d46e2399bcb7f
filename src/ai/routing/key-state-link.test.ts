import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LocalKeyStateStore } from './key-state-store.ts';
import { linkKeyStates } from './key-state-link.ts';

function channel(): EventEmitter & { sent: unknown[]; send(message: unknown): void } {
  const sent: unknown[] = [];
  return Object.assign(new EventEmitter(), { sent, send: (message: unknown) => void sent.push(message) });
}

describe('linkKeyStates', () => {
  it('subscribes, settles on the whole map from the master and merges later changes', async () => {
    const store = new LocalKeyStateStore();
    const ch = channel();
    const link = linkKeyStates(store, ch, 60_000);
    expect(ch.sent).toEqual([{ type: 'keys:subscribe' }]);
    ch.emit('message', { type: 'keys:cooldowns', isFull: true, cooldowns: [{ keyId: 'p:a', untilMs: 5000, reason: '429' }] });
    await link.synced;
    ch.emit('message', { type: 'keys:cooldowns', isFull: false, cooldowns: [{ keyId: 'p:b', untilMs: 7000, reason: '401' }] });
    expect([store.coolingUntil('p:a'), store.coolingUntil('p:b')]).toEqual([5000, 7000]);
    expect(ch.sent).toHaveLength(1);
    link.close();
  });

  it('reports a cooldown decided here once, and nothing for reads or merges', () => {
    const store = new LocalKeyStateStore();
    const ch = channel();
    const link = linkKeyStates(store, ch, 60_000);
    store.coolingUntil('p:a');
    store.coolDown('p:a', 5000, '429');
    store.coolDown('p:a', 4000, '429');
    ch.emit('message', { type: 'keys:cooldowns', isFull: false, cooldowns: [{ keyId: 'p:b', untilMs: 7000, reason: '401' }] });
    expect(ch.sent).toEqual([{ type: 'keys:subscribe' }, { type: 'keys:cool-down', cooldowns: [{ keyId: 'p:a', untilMs: 5000, reason: '429' }] }]);
    link.close();
    store.coolDown('p:c', 5000, '429');
    expect(ch.sent).toHaveLength(2);
    expect(ch.listenerCount('message')).toBe(0);
  });

  it('settles after the timeout when no master answers, and sends nothing on a closed channel', async () => {
    const ch = Object.assign(channel(), { connected: false });
    const link = linkKeyStates(new LocalKeyStateStore(), ch, 10);
    await link.synced;
    expect(ch.sent).toEqual([]);
    link.close();
  });
});
