import { describe, expect, it } from 'vitest';
import { MONTH_WINDOW, msUntilWindowEnd, retryAfterSeconds, windowEndOf, windowStartOf } from './fixed-window.ts';

const DAY_MS = 86_400_000;

describe('fixed windows', () => {
  it('aligns windows to the epoch, so days start at UTC midnight', () => {
    const at = Date.UTC(2026, 10, 22, 5, 30);
    expect(windowStartOf(at, DAY_MS)).toBe(Date.UTC(2026, 10, 22));
    expect(windowEndOf(at, DAY_MS)).toBe(Date.UTC(2026, 10, 23));
    expect(msUntilWindowEnd(Date.UTC(2026, 10, 22, 23, 59, 59), DAY_MS)).toBe(1_000);
  });

  it('makes calendar months of MONTH_WINDOW, December to January and February included', () => {
    expect(windowStartOf(Date.UTC(2026, 1, 28, 12), MONTH_WINDOW)).toBe(Date.UTC(2026, 1, 1));
    expect(windowEndOf(Date.UTC(2026, 1, 28, 12), MONTH_WINDOW)).toBe(Date.UTC(2026, 2, 1));
    expect(windowEndOf(Date.UTC(2026, 11, 31), MONTH_WINDOW)).toBe(Date.UTC(2027, 0, 1));
    expect(msUntilWindowEnd(Date.UTC(2026, 11, 31, 23, 0), MONTH_WINDOW)).toBe(3_600_000);
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    expect(retryAfterSeconds(1)).toBe('1');
    expect(retryAfterSeconds(1_001)).toBe('2');
    expect(retryAfterSeconds(0)).toBe('1');
  });
});
