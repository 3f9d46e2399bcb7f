import { describe, expect, it } from 'vitest';
import type { TokenChargeMessage } from './lease-protocol.ts';
import { TokenCountCache } from './token-count-cache.ts';

function cacheAt(nowMs: () => number) {
  const sent: TokenChargeMessage[] = [];
  return { sent, cache: new TokenCountCache((m) => sent.push(m), nowMs) };
}

describe('TokenCountCache', () => {
  it('asks the master once per key and window, then answers locally from the known count', async () => {
    const { sent, cache } = cacheAt(() => 65_000);
    const first = cache.check('k', 100, 60_000);
    const second = cache.check('k', 100, 60_000);
    expect(first).toBeInstanceOf(Promise);
    expect(sent).toHaveLength(1);
    cache.onCount({ type: 'limit-token-count', id: sent[0]?.id ?? 0, key: 'k', windowStart: 60_000, used: 40 });
    expect([await first, await second]).toEqual([0, 0]);
    expect(cache.check('k', 100, 60_000)).toBe(0);
    cache.charge('k', 100, 60_000, 70);
    expect(cache.check('k', 100, 60_000)).toBe(55_000);
    expect(sent.map((m) => m.charge)).toEqual([0, 70]);
  });

  it('refuses once the master announces that other workers reached the limit', async () => {
    const { sent, cache } = cacheAt(() => 65_000);
    const first = cache.check('k', 100, 60_000);
    cache.onCount({ type: 'limit-token-count', id: sent[0]?.id ?? 0, key: 'k', windowStart: 60_000, used: 10 });
    expect(await first).toBe(0);
    cache.onCount({ type: 'limit-token-count', id: 0, key: 'k', windowStart: 60_000, used: 120 });
    expect(cache.check('k', 100, 60_000)).toBe(55_000);
  });

  it("adds its own charges sent while a check was in flight to the master's answer", async () => {
    const { sent, cache } = cacheAt(() => 65_000);
    const first = cache.check('k', 100, 60_000);
    cache.charge('k', 100, 60_000, 30);
    cache.onCount({ type: 'limit-token-count', id: sent[0]?.id ?? 0, key: 'k', windowStart: 60_000, used: 80 });
    expect(await first).toBe(55_000);
  });

  it('settles waiting checks when the master is gone', async () => {
    const { cache } = cacheAt(() => 65_000);
    const waiting = cache.check('k', 100, 60_000);
    cache.failPending(0);
    expect(await waiting).toBe(0);
  });
});
