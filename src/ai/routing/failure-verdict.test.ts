import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs, verdictForStatus } from './failure-verdict.ts';

const NOW = Date.parse('2026-11-22T04:00:00Z');

describe('verdictForStatus', () => {
  it('cools the key on 401, 402, 403 and 429, keeping the retry-after', () => {
    for (const status of [401, 402, 403]) expect(verdictForStatus(status, '{}', {}, NOW).scope).toBe('key');
    expect(verdictForStatus(429, '{}', { 'retry-after': '7' }, NOW)).toEqual({ scope: 'key', reason: '429', retryAfterMs: 7000 });
  });

  it('cools the key on a 400 worded as an exhausted quota, but answers other 400s at once', () => {
    expect(verdictForStatus(400, '{"error":{"message":"You exceeded your current quota"}}', {}, NOW).scope).toBe('key');
    expect(verdictForStatus(400, '{"error":{"message":"messages: field required"}}', {}, NOW).scope).toBe('final');
  });

  it('fails over to another provider on 408, 5xx and 529, and answers 404 and 413 at once', () => {
    for (const status of [408, 500, 502, 503, 529]) expect(verdictForStatus(status, '', {}, NOW).scope).toBe('provider');
    for (const status of [404, 413, 422]) expect(verdictForStatus(status, '', {}, NOW).scope).toBe('final');
  });
});

describe('parseRetryAfterMs', () => {
  it('reads retry-after-ms first, then seconds, then an HTTP date', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, NOW)).toBe(1500);
    expect(parseRetryAfterMs({ 'retry-after': '0.5' }, NOW)).toBe(500);
    expect(parseRetryAfterMs({ 'retry-after': new Date(NOW + 3000).toUTCString() }, NOW)).toBe(3000);
    expect(parseRetryAfterMs({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(parseRetryAfterMs({}, NOW)).toBeUndefined();
  });
});
