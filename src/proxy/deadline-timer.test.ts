import { describe, expect, it } from 'vitest';
import { DeadlineTimer } from './deadline-timer.ts';

describe('DeadlineTimer', () => {
  it('fires expired entries and keeps pending ones', async () => {
    const timer = new DeadlineTimer(10);
    const fired: string[] = [];
    timer.add({ deadlineAt: performance.now() + 20, onDeadline: () => fired.push('soon') });
    timer.add({ deadlineAt: performance.now() + 60_000, onDeadline: () => fired.push('later') });
    await new Promise((r) => setTimeout(r, 100));
    expect(fired).toEqual(['soon']);
    expect(timer.size).toBe(1);
  });

  it('never fires a deleted entry', async () => {
    const timer = new DeadlineTimer(10);
    let fired = false;
    const entry = { deadlineAt: performance.now() + 20, onDeadline: () => { fired = true; } };
    timer.add(entry);
    timer.delete(entry);
    await new Promise((r) => setTimeout(r, 80));
    expect(fired).toBe(false);
    expect(timer.size).toBe(0);
  });
});
