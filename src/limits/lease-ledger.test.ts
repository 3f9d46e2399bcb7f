import { describe, expect, it } from 'vitest';
import { LeaseLedger } from './lease-ledger.ts';

const ask = (want: number, id = 1) => ({ type: 'limit-lease', id, key: 'q', limit: 5, windowMs: 86_400_000, windowStart: 0, want }) as const;

describe('LeaseLedger', () => {
  it('never grants beyond the limit, and keeps the last admission per worker for requests that wait', () => {
    const ledger = new LeaseLedger();
    expect(ledger.grant(ask(1), 2).granted).toBe(1);
    expect(ledger.grant(ask(0), 2).granted).toBe(1);
    expect(ledger.grant(ask(0), 2).granted).toBe(1);
    expect(ledger.grant(ask(0), 2).granted).toBe(0);
    expect(ledger.grant(ask(3), 2).granted).toBe(2);
    expect(ledger.grant(ask(1), 2).granted).toBe(0);
    expect(ledger.grantedOf('q')).toBe(5);
  });

  it('takes back what a draining worker returns, for the window it was granted in only', () => {
    const ledger = new LeaseLedger();
    ledger.grant(ask(4), 1);
    ledger.giveBack({ type: 'limit-return', key: 'q', windowMs: 86_400_000, windowStart: 0, count: 3 });
    ledger.giveBack({ type: 'limit-return', key: 'q', windowMs: 86_400_000, windowStart: 86_400_000, count: 1 });
    expect(ledger.grantedOf('q')).toBe(1);
  });
});
