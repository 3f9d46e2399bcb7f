import { describe, expect, it } from 'vitest';
import { CrashPolicy } from './crash-policy.ts';

const options = { stableAfterMs: 10_000, baseDelayMs: 100, maxDelayMs: 1_000, maxUnstableCrashes: 5, windowMs: 60_000 };

describe('CrashPolicy', () => {
  it('restarts the first crash at once', () => {
    expect(new CrashPolicy(options).onCrash(0, 500)).toEqual({ action: 'restart', delayMs: 0 });
  });

  it('backs off exponentially while workers keep crashing before they are stable, up to the maximum', () => {
    const policy = new CrashPolicy({ ...options, maxUnstableCrashes: 100 });
    const delays = Array.from({ length: 7 }, (_, i) => policy.onCrash(i * 10, 50));
    expect(delays.map((d) => (d.action === 'restart' ? d.delayMs : -1))).toEqual([0, 100, 200, 400, 800, 1000, 1000]);
  });

  it('starts again from an immediate restart after a stable worker crashes', () => {
    const policy = new CrashPolicy(options);
    policy.onCrash(0, 50);
    policy.onCrash(10, 50);
    expect(policy.onCrash(20, 60_000)).toEqual({ action: 'restart', delayMs: 0 });
    expect(policy.onCrash(30, 50)).toEqual({ action: 'restart', delayMs: 100 });
  });

  it('gives up after too many unstable crashes inside the window', () => {
    const policy = new CrashPolicy(options);
    const decisions = Array.from({ length: 5 }, (_, i) => policy.onCrash(i * 1_000, 50));
    expect(decisions.slice(0, 4).every((d) => d.action === 'restart')).toBe(true);
    expect(decisions[4]).toEqual({ action: 'give-up', crashes: 5, windowMs: 60_000 });
  });

  it('forgets unstable crashes older than the window', () => {
    const policy = new CrashPolicy(options);
    for (let i = 0; i < 4; i += 1) policy.onCrash(i * 1_000, 50);
    expect(policy.onCrash(120_000, 50).action).toBe('restart');
  });

  it('gives up on a worker that dies seconds after every start even when the backoff spreads the crashes past the window', () => {
    const policy = new CrashPolicy({ stableAfterMs: 10_000, baseDelayMs: 100, maxDelayMs: 10_000, maxUnstableCrashes: 10, windowMs: 60_000 });
    let now = 0;
    const decisions = [];
    for (let i = 0; i < 10; i += 1) {
      const decision = policy.onCrash(now, 5_000);
      decisions.push(decision);
      if (decision.action === 'restart') now += decision.delayMs + 5_000;
    }
    expect(now).toBeGreaterThan(60_000);
    expect(decisions.slice(0, 9).every((d) => d.action === 'restart')).toBe(true);
    expect(decisions[9]?.action).toBe('give-up');
  });

  it('does not count an unstable crash long after the last one as part of a run', () => {
    const policy = new CrashPolicy(options);
    for (let i = 0; i < 3; i += 1) policy.onCrash(i * 1_000, 50);
    expect(policy.onCrash(2_000 + 30_000, 50)).toEqual({ action: 'restart', delayMs: 0 });
  });
});
