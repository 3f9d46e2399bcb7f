import { describe, expect, it } from 'vitest';
import { TokenLedger } from './token-ledger.ts';

const charge = (key: string, charge: number, windowStart = 60_000, id = 0) =>
  ({ type: 'limit-tokens', id, key, limit: 100, windowMs: 60_000, windowStart, charge }) as const;

describe('TokenLedger', () => {
  it('answers a check with the count and announces to every worker the charge that reaches the limit, once', () => {
    const ledger = new TokenLedger();
    expect(ledger.charge(charge('k', 0, 60_000, 7))).toEqual({
      reply: { type: 'limit-token-count', id: 7, key: 'k', windowStart: 60_000, used: 0 },
      broadcast: undefined,
    });
    expect(ledger.charge(charge('k', 60))).toEqual({ reply: undefined, broadcast: undefined });
    expect(ledger.charge(charge('k', 50)).broadcast).toEqual({ type: 'limit-token-count', id: 0, key: 'k', windowStart: 60_000, used: 110 });
    expect(ledger.charge(charge('k', 5)).broadcast).toBeUndefined();
    expect(ledger.charge(charge('k', 0, 60_000, 8)).reply?.used).toBe(115);
  });

  it('starts each window at zero and drops charges for a window already replaced', () => {
    const ledger = new TokenLedger();
    ledger.charge(charge('k', 90, 60_000));
    ledger.charge(charge('k', 10, 120_000));
    ledger.charge(charge('k', 500, 60_000));
    expect(ledger.usedOf('k')).toBe(10);
    ledger.sweep(180_000);
    expect(ledger.usedOf('k')).toBe(0);
  });
});
