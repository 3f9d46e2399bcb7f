import { describe, expect, it } from 'vitest';
import { DeadlineTimer } from './deadline-timer.ts';
import type { DeadlineEntry } from './deadline-timer.ts';

function entry(inMs: number, onDeadline: () => void): DeadlineEntry {
  return { deadlineAt: performance.now() + inMs, deadlinePrev: null, deadlineNext: null, onDeadline };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('DeadlineTimer', () => {
  it('fires expired entries and keeps pending ones', async () => {
    const timer = new DeadlineTimer(10);
    const fired: string[] = [];
    timer.add(entry(20, () => fired.push('soon')));
    timer.add(entry(60_000, () => fired.push('later')));
    await sleep(100);
    expect(fired).toEqual(['soon']);
    expect(timer.size).toBe(1);
  });

  it('never fires a deleted entry', async () => {
    const timer = new DeadlineTimer(10);
    let fired = false;
    const e = entry(20, () => { fired = true; });
    timer.add(e);
    timer.delete(e);
    await sleep(80);
    expect(fired).toBe(false);
    expect(timer.size).toBe(0);
  });

  it('deletes from the head, the middle and the tail, and ignores a second delete', () => {
    const timer = new DeadlineTimer(10);
    const entries = [0, 1, 2, 3].map(() => entry(60_000, () => undefined));
    for (const e of entries) timer.add(e);
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
    for (let i = 0; i < 5; i++) timer.add(entry(i % 2 === 0 ? 5 : 60_000, () => fired.push(i)));
    await sleep(60);
    expect(fired.sort()).toEqual([0, 2, 4]);
    expect(timer.size).toBe(2);
  });

  it('keeps firing after it ran empty and an entry is added again', async () => {
    const timer = new DeadlineTimer(10);
    const first = entry(60_000, () => undefined);
    timer.add(first);
    timer.delete(first);
    await sleep(40); // a tick finds the list empty and stops the interval
    let fired = false;
    timer.add(entry(5, () => { fired = true; }));
    await sleep(60);
    expect(fired).toBe(true);
    expect(timer.size).toBe(0);
  });
});
