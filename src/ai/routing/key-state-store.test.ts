import { describe, expect, it } from 'vitest';
import type { KeyCooldown } from './key-state-store.ts';
import { LocalKeyStateStore } from './key-state-store.ts';

describe('LocalKeyStateStore', () => {
  it('reports the cooldowns it decides that change the map, and only those', () => {
    const store = new LocalKeyStateStore();
    const reported: KeyCooldown[] = [];
    store.onCoolDown((cooldown) => reported.push(cooldown));
    store.coolDown('p:a', 1000, '429');
    store.coolDown('p:a', 900, '401');
    store.coolDown('p:a', 1000, '429');
    store.coolDown('p:a', 1500, 'quota');
    expect(reported).toEqual([
      { keyId: 'p:a', untilMs: 1000, reason: '429' },
      { keyId: 'p:a', untilMs: 1500, reason: 'quota' },
    ]);
  });

  it('merges cooldowns decided elsewhere without reporting them, keeping the longer one', () => {
    const store = new LocalKeyStateStore();
    const reported: KeyCooldown[] = [];
    store.onCoolDown((cooldown) => reported.push(cooldown));
    store.coolDown('p:a', 1000, '429');
    store.merge([{ keyId: 'p:a', untilMs: 500, reason: '401' }, { keyId: 'p:b', untilMs: 800, reason: '403' }]);
    expect(store.coolingUntil('p:a')).toBe(1000);
    expect(store.coolingUntil('p:b')).toBe(800);
    expect(reported).toHaveLength(1);
  });

  it('stops reporting once the listener is detached', () => {
    const store = new LocalKeyStateStore();
    let count = 0;
    store.onCoolDown(() => count++);
    store.onCoolDown(null);
    store.coolDown('p:a', 1000, '429');
    expect(count).toBe(0);
    expect(store.snapshot(0)).toEqual([{ keyId: 'p:a', untilMs: 1000, reason: '429' }]);
  });
});
