import { describe, expect, it } from 'vitest';
import { SlotCache } from './slot-cache.ts';
import type { SlotRequestMessage, SlotReturnMessage } from './slot-protocol.ts';

function cache() {
  const sent: (SlotRequestMessage | SlotReturnMessage)[] = [];
  return { sent, slots: new SlotCache((m) => sent.push(m)) };
}

describe('SlotCache', () => {
  it('waits for the master once, then admits on held slots without asking', async () => {
    const { sent, slots } = cache();
    const first = slots.acquire('k', 10);
    expect(first).toBeInstanceOf(Promise);
    expect(sent).toEqual([{ type: 'limit-slots', id: 1, key: 'k', max: 10, want: 1 }]);
    slots.onGrant({ type: 'limit-slots-grant', id: 1, key: 'k', granted: 1 });
    expect(await first).toBe(true);
    slots.release('k');
    expect(slots.acquire('k', 10)).toBe(true);
    expect(sent).toHaveLength(1);
  });

  it('hands a released slot to a request waiting here, and refuses waiting requests when the master has none', async () => {
    const { slots } = cache();
    const first = slots.acquire('k', 1);
    slots.onGrant({ type: 'limit-slots-grant', id: 1, key: 'k', granted: 1 });
    await first;
    const second = slots.acquire('k', 1);
    slots.release('k');
    expect(await second).toBe(true);
    const third = slots.acquire('k', 1);
    slots.onGrant({ type: 'limit-slots-grant', id: 2, key: 'k', granted: 0 });
    expect(await third).toBe(false);
  });

  it('keeps a few idle slots, gives the rest back, and gives every idle one back when reclaimed', async () => {
    const { sent, slots } = cache();
    const waiting = [slots.acquire('k', 10), slots.acquire('k', 10), slots.acquire('k', 10)];
    slots.onGrant({ type: 'limit-slots-grant', id: 1, key: 'k', granted: 3 });
    expect(await Promise.all(waiting)).toEqual([true, true, true]);
    slots.release('k');
    expect(sent).toHaveLength(1);
    slots.release('k');
    expect(sent.at(-1)).toEqual({ type: 'limit-slots-return', key: 'k', count: 1, round: 0 });
    slots.onReclaim({ type: 'limit-slots-reclaim', key: 'k', round: 7 });
    expect(sent.at(-1)).toEqual({ type: 'limit-slots-return', key: 'k', count: 1, round: 7 });
  });
});
