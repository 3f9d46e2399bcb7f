import { describe, expect, it } from 'vitest';
import { isLeaseGrantMessage, isLeaseRequestMessage } from './lease-protocol.ts';

describe('lease protocol messages', () => {
  const request = { type: 'limit-lease', id: 1, key: 'k', limit: 600, windowMs: 60_000, windowStart: 120_000, want: 2 };
  const grant = { type: 'limit-grant', id: 1, key: 'k', windowStart: 120_000, granted: 3 };

  it('accepts well-formed requests and grants (they survive JSON, as cluster IPC sends them)', () => {
    expect(isLeaseRequestMessage(JSON.parse(JSON.stringify(request)))).toBe(true);
    expect(isLeaseGrantMessage(JSON.parse(JSON.stringify(grant)))).toBe(true);
  });

  it('rejects other types, missing fields, negative or fractional counts', () => {
    expect(isLeaseRequestMessage(grant)).toBe(false);
    expect(isLeaseGrantMessage(request)).toBe(false);
    expect(isLeaseRequestMessage({ ...request, want: -1 })).toBe(false);
    expect(isLeaseRequestMessage({ ...request, limit: 1.5 })).toBe(false);
    expect(isLeaseRequestMessage({ ...request, windowMs: -1 })).toBe(false);
    expect(isLeaseGrantMessage({ ...grant, key: undefined })).toBe(false);
    expect(isLeaseGrantMessage(null)).toBe(false);
  });
});
