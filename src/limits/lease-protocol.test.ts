import { describe, expect, it } from 'vitest';
import { isLeaseGrantMessage, isLeaseRequestMessage, isLeaseReturnMessage, isTokenChargeMessage, isTokenCountMessage } from './lease-protocol.ts';

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

  it('tells token charges and counts apart from each other and from leases', () => {
    const charge = { type: 'limit-tokens', id: 0, key: 'k', limit: 100, windowMs: 0, windowStart: 120_000, charge: 42 };
    const count = { type: 'limit-token-count', id: 3, key: 'k', windowStart: 120_000, used: 42 };
    expect(isTokenChargeMessage(JSON.parse(JSON.stringify(charge)))).toBe(true);
    expect(isTokenCountMessage(JSON.parse(JSON.stringify(count)))).toBe(true);
    expect(isTokenChargeMessage(count)).toBe(false);
    expect(isTokenCountMessage(charge)).toBe(false);
    expect(isTokenChargeMessage({ ...charge, charge: -1 })).toBe(false);
    expect(isLeaseRequestMessage(charge)).toBe(false);
    const giveBack = { type: 'limit-return', key: 'k', windowMs: 86_400_000, windowStart: 0, count: 4 };
    expect(isLeaseReturnMessage(JSON.parse(JSON.stringify(giveBack)))).toBe(true);
    expect(isLeaseReturnMessage({ ...giveBack, count: 0.5 })).toBe(false);
  });
});
