import { describe, expect, it } from 'vitest';
import { ReloadQueue } from './reload-queue.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('ReloadQueue', () => {
  it('runs a request at once when idle', async () => {
    let runs = 0;
    const queue = new ReloadQueue(async () => ++runs);
    expect(await queue.request()).toBe(1);
  });

  it('coalesces every request made during a run into exactly one follow-up run', async () => {
    const gates = [deferred(), deferred()];
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const queue = new ReloadQueue(async () => {
      const run = runs++;
      concurrent += 1;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await gates[run]?.promise;
      concurrent -= 1;
      return run;
    });
    const first = queue.request();
    const followUps = [queue.request(), queue.request(), queue.request()];
    gates[0]?.resolve();
    expect(await first).toBe(0);
    gates[1]?.resolve();
    expect(await Promise.all(followUps)).toEqual([1, 1, 1]);
    expect(runs).toBe(2);
    expect(maxConcurrent).toBe(1);
  });

  it('runs the follow-up even when the running reload failed', async () => {
    const gate = deferred();
    let runs = 0;
    const queue = new ReloadQueue(async () => {
      runs += 1;
      if (runs === 1) {
        await gate.promise;
        throw new Error('boom');
      }
      return runs;
    });
    const first = queue.request();
    const second = queue.request();
    gate.resolve();
    await expect(first).rejects.toThrow('boom');
    expect(await second).toBe(2);
  });
});
