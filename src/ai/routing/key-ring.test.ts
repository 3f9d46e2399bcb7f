import { describe, expect, it } from 'vitest';
import { KeyRing, keyIdFor } from './key-ring.ts';
import { LocalKeyStateStore } from './key-state-store.ts';

describe('KeyRing', () => {
  it('hands keys out round robin', () => {
    const ring = new KeyRing('p', ['k1', 'k2', 'k3']);
    const store = new LocalKeyStateStore();
    const picks = Array.from({ length: 4 }, () => ring.next(store, 0, new Set())?.secret);
    expect(picks).toEqual(['k1', 'k2', 'k3', 'k1']);
  });

  it('skips keys that cool down or were tried, and reports when none is left', () => {
    const ring = new KeyRing('p', ['k1', 'k2']);
    const store = new LocalKeyStateStore();
    store.coolDown(keyIdFor('p', 'k1'), 500, '401');
    expect(ring.next(store, 100, new Set())?.secret).toBe('k2');
    expect(ring.next(store, 100, new Set([keyIdFor('p', 'k2')]))).toBeUndefined();
    expect(ring.hasUsableKey(store, 100)).toBe(true);
    store.coolDown(keyIdFor('p', 'k2'), 300, '429');
    expect(ring.hasUsableKey(store, 100)).toBe(false);
    expect(ring.earliestUsableMs(store)).toBe(300);
    expect(ring.next(store, 500, new Set())?.secret).toBe('k1');
  });

  it('names keys by provider and a hash prefix that does not contain the key', () => {
    const id = keyIdFor('openai-main', 'sk-secret-value');
    expect(id).toMatch(/^openai-main:[0-9a-f]{8}$/);
    expect(id).not.toContain('secret');
  });
});

describe('LocalKeyStateStore', () => {
  it('keeps the longer of two cooldowns and forgets expired ones in snapshots', () => {
    const store = new LocalKeyStateStore();
    store.coolDown('a', 1000, '429');
    store.coolDown('a', 500, '401');
    store.coolDown('b', 200, '403');
    expect(store.coolingUntil('a')).toBe(1000);
    expect(store.snapshot(300)).toEqual([{ keyId: 'a', untilMs: 1000, reason: '429' }]);
  });
});
