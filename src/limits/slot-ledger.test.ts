import { describe, expect, it } from 'vitest';
import { SlotLedger } from './slot-ledger.ts';
import type { SlotPeer } from './slot-ledger.ts';
import type { SlotGrantMessage, SlotReclaimMessage } from './slot-protocol.ts';

function peer(id: string): SlotPeer & { readonly received: (SlotGrantMessage | SlotReclaimMessage)[] } {
  const received: (SlotGrantMessage | SlotReclaimMessage)[] = [];
  return { id, received, send: (message) => void received.push(message) };
}

const ask = (id: number, want: number, max = 3) => ({ type: 'limit-slots', id, key: 'k', max, want }) as const;
const back = (count: number, round: number) => ({ type: 'limit-slots-return', key: 'k', count, round }) as const;

describe('SlotLedger', () => {
  it('grants slots while the sum held stays within max, then reclaims idle ones from other workers before refusing', () => {
    const ledger = new SlotLedger();
    const [a, b] = [peer('a'), peer('b')];
    ledger.request(a, ask(1, 2));
    ledger.request(b, ask(1, 1));
    expect(ledger.heldOf('k')).toBe(3);
    ledger.request(b, ask(2, 1));
    expect(a.received.at(-1)).toEqual({ type: 'limit-slots-reclaim', key: 'k', round: 1 });
    ledger.giveBack(a, back(1, 1));
    expect(b.received.at(-1)).toEqual({ type: 'limit-slots-grant', id: 2, key: 'k', granted: 1 });
    expect(ledger.heldOf('k')).toBe(3);
    ledger.request(b, ask(3, 1));
    ledger.giveBack(a, back(0, 2));
    expect(b.received.at(-1)).toEqual({ type: 'limit-slots-grant', id: 3, key: 'k', granted: 0 });
  });

  it('refuses at once when no other worker holds a slot, and frees the slots of a worker that is gone', () => {
    const ledger = new SlotLedger();
    const [a, b] = [peer('a'), peer('b')];
    ledger.request(a, ask(1, 3));
    ledger.request(a, ask(2, 1));
    expect(a.received.at(-1)).toEqual({ type: 'limit-slots-grant', id: 2, key: 'k', granted: 0 });
    ledger.forget('a');
    expect(ledger.heldOf('k')).toBe(0);
    ledger.request(b, ask(1, 3));
    expect(b.received).toEqual([{ type: 'limit-slots-grant', id: 1, key: 'k', granted: 3 }]);
  });

  it('ends a reclaim round after its timeout when a worker does not answer', async () => {
    const ledger = new SlotLedger(5);
    const [a, b] = [peer('a'), peer('b')];
    ledger.request(a, ask(1, 3));
    ledger.request(b, ask(1, 1));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(b.received.at(-1)).toEqual({ type: 'limit-slots-grant', id: 1, key: 'k', granted: 0 });
  });
});
