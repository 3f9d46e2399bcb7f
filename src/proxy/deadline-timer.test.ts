import { describe, expect, it } from 'vitest';
import { DeadlineTimer } from './deadline-timer.ts';
import type { DeadlineEntry } from './deadline-timer.ts';

function entry(onDeadline: () => void): DeadlineEntry {
  return { deadlineTick: 0, deadlinePrev: null, deadlineNext: null, onDeadline };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('DeadlineTimer', () => {
  it('fires expired entries and keeps pending ones', async () => {
    const timer = new DeadlineTimer(10);
    const fired: string[] = [];
    timer.add(entry(() => fired.push('soon')), 20);
    timer.add(entry(() => fired.push('later')), 60_000);
    await sleep(100);
    expect(fired).toEqual(['soon']);
    expect(timer.size).toBe(1);
  });

  it('never fires a deleted entry', async () => {
    const timer = new DeadlineTimer(10);
    let fired = false;
    const e = entry(() => { fired = true; });
    timer.add(e, 20);
    timer.delete(e);
    await sleep(80);
    expect(fired).toBe(false);
    expect(timer.size).toBe(0);
  });

  it('deletes from the head, the middle and the tail, and ignores a second delete', () => {
    const timer = new DeadlineTimer(10);
    const entries = [0, 1, 2, 3].map(() => entry(() => undefined));
    for (const e of entries) timer.add(e, 60_000);
    const [a, b, c, d] = entries as [DeadlineEntry, DeadlineEntry, DeadlineEntry, DeadlineEntry];
    timer.delete(b);
    timer.delete(d);
    timer.delete(a);
    timer.delete(a);
    expect(timer.size).toBe(1);
    timer.delete(c);
    timer.delete(b);
    expect(timer.size).toBe(0);
  });

  it('fires every expired entry in one tick, also when several expire together', async () => {
    const timer = new DeadlineTimer(10);
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) timer.add(entry(() => fired.push(i)), i % 2 === 0 ? 5 : 60_000);
    await sleep(60);
    expect(fired.sort()).toEqual([0, 2, 4]);
    expect(timer.size).toBe(2);
  });

  it('never fires before the delay has passed', async () => {
    const timer = new DeadlineTimer(20);
    const addedAt = performance.now();
    let firedAfterMs = -1;
    timer.add(entry(() => { firedAfterMs = performance.now() - addedAt; }), 50);
    await sleep(200);
    expect(firedAfterMs).toBeGreaterThanOrEqual(49);
  });

  it('keeps firing after it ran empty and an entry is added again', async () => {
    const timer = new DeadlineTimer(10);
    const first = entry(() => undefined);
    timer.add(first, 60_000);
    timer.delete(first);
    await sleep(40); // a tick finds the list empty and stops the interval
    let fired = false;
    timer.add(entry(() => { fired = true; }), 5);
    await sleep(60);
    expect(fired).toBe(true);
    expect(timer.size).toBe(0);
  });
});
