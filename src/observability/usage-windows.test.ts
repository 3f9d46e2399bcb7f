import { describe, expect, it } from 'vitest';
import { MinuteRing } from './minute-ring.ts';
import type { UsageDelta } from './usage-report.ts';
import { UsageWindows } from './usage-windows.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

function delta(name: string, requests: number, inFlight: number, peak: number, tokens: [string, number][] = []): UsageDelta {
  return { locations: [{ name, requests, inFlight, peak }], tokens: tokens.map(([token, n]) => ({ token, requests: n })), keys: [] };
}

describe('MinuteRing', () => {
  it('sums and maxes over the last N minutes and forgets a slot from an older lap', () => {
    const ring = new MinuteRing();
    ring.add(T0, 2);
    ring.add(T0 + 30 * MIN, 3);
    ring.raise(T0 + 30 * MIN, 7);
    expect(ring.sumOver(T0 + 30 * MIN, 60)).toBe(5);
    expect(ring.sumOver(T0 + 89 * MIN, 60)).toBe(3);
    expect(ring.maxOver(T0 + 89 * MIN, 60)).toBe(7);
    expect(ring.sumOver(T0 + 24 * 60 * MIN, 24 * 60)).toBe(3);
    ring.add(T0 + 24 * 60 * MIN, 1);
    expect(ring.sumOver(T0 + 24 * 60 * MIN, 24 * 60)).toBe(4);
    expect(ring.sumOver(T0 + 25 * 60 * MIN, 24 * 60)).toBe(1);
  });
});

describe('UsageWindows', () => {
  it('counts requests per location in the 1 h and 24 h windows', () => {
    const windows = new UsageWindows();
    windows.apply('w1', delta('api', 5, 0, 1), T0);
    windows.apply('w2', delta('api', 2, 0, 1), T0 + 2 * 60 * MIN);
    expect(windows.locations(T0 + 2 * 60 * MIN + MIN)).toEqual([
      { name: 'api', requests_1h: 2, requests_24h: 7, concurrency: 0, peak_concurrency_1h: 1, peak_concurrency_24h: 1 },
    ]);
    expect(windows.locations(T0 + 25 * 60 * MIN)[0]).toMatchObject({ requests_1h: 0, requests_24h: 2 });
  });

  it('adds the workers in-flight counts for the current concurrency and its peaks', () => {
    const windows = new UsageWindows();
    windows.apply('w1', delta('api', 0, 2, 2), T0);
    windows.apply('w2', delta('api', 0, 3, 3), T0 + 1000);
    expect(windows.locations(T0 + 2000)[0]).toMatchObject({ concurrency: 5, peak_concurrency_1h: 5 });
    windows.apply('w1', delta('api', 2, 0, 2), T0 + 3000);
    windows.forgetWorker('w2');
    expect(windows.locations(T0 + 90 * MIN)[0]).toMatchObject({ concurrency: 0, peak_concurrency_1h: 0, peak_concurrency_24h: 5 });
  });

  it('counts masked tokens, busiest first, and drops tokens idle for a day', () => {
    const windows = new UsageWindows();
    windows.apply('w1', delta('api', 3, 0, 1, [['sk-…aaaa', 1], ['sk-…bbbb', 2]]), T0);
    windows.apply('w2', delta('api', 1, 0, 1, [['sk-…aaaa', 2]]), T0 + 61 * MIN);
    expect(windows.tokens(T0 + 61 * MIN)).toEqual([
      { token: 'sk-…aaaa', requests_1h: 2, requests_24h: 3 },
      { token: 'sk-…bbbb', requests_1h: 0, requests_24h: 2 },
    ]);
    expect(windows.tokens(T0 + 24 * 60 * MIN + 30 * MIN)).toEqual([{ token: 'sk-…aaaa', requests_1h: 0, requests_24h: 2 }]);
  });

  it('keeps the newest key state and reports an expired cooldown as healthy', () => {
    const windows = new UsageWindows();
    const key = { provider: 'openai', keyId: 'k1' };
    windows.apply('w1', { locations: [], tokens: [], keys: [{ ...key, state: 'cooling_down', untilMs: T0 + 10 * MIN, observedAtMs: T0 }] }, T0);
    windows.apply('w2', { locations: [], tokens: [], keys: [{ ...key, state: 'healthy', observedAtMs: T0 - 1 }] }, T0);
    expect(windows.keys(T0 + MIN)).toEqual([
      { provider: 'openai', key_id: 'k1', state: 'cooling_down', cooling_down_until: new Date(T0 + 10 * MIN).toISOString() },
    ]);
    expect(windows.keys(T0 + 11 * MIN)).toEqual([{ provider: 'openai', key_id: 'k1', state: 'healthy' }]);
  });
});
