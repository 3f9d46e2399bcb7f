/**
 * A crash loop ends with the master giving up: the test plays the kernel's OOM killer and SIGKILLs every
 * worker as soon as it appears, so no worker ever becomes stable. The master replaces them with
 * exponential backoff (0, 100 ms, 200 ms … at most 10 s) and after 10 unstable crashes within 60 s stops
 * and exits 1 with a clear message, so systemd's `Restart=on-failure` takes over. No test hook is needed:
 * a config cannot make a worker crash after it started (config problems are refused before a generation
 * serves), so an external killer is the realistic cause. Timing is only checked from below (a restart
 * never comes before its backoff), which a loaded machine cannot break.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { childPids } from './helpers/louailink-process.ts';
import type { LogLine } from './helpers/louailink-process.ts';
import { cleanupMasters, startMaster } from './helpers/master-fixture.ts';

/** The master's default crash policy (src/master/crash-policy.ts). */
const EXPECTED_BACKOFF_MS = [0, 100, 200, 400, 800, 1600, 3200, 6400, 10_000];
const MAX_UNSTABLE_CRASHES = 10;

afterAll(cleanupMasters);

describe('crash loop', () => {
  it('backs off exponentially, then gives up after 10 unstable crashes and exits 1', { timeout: 180_000 }, async () => {
    const { master } = await startMaster((port) => gatewayConfig({ ports: port, body: 'ok' }), ['--workers', '1']);
    const killed = new Set<number>();
    let isKilling = true;
    const killer = (async () => {
      while (isKilling) {
        for (const pid of await childPids(master.pid)) {
          if (killed.has(pid)) continue;
          killed.add(pid);
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // it exited on its own
          }
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const exit = await master.exited;
    isKilling = false;
    await killer;

    expect(exit).toEqual({ code: 1, signal: null });
    const crashes = master.logs.filter((line) => line.event === 'worker_crash');
    const restarts = crashes.filter((line) => line.level === 40);
    const giveUp = crashes.find((line) => line.level === 60);
    expect(giveUp?.msg).toBe(`workers crashed ${MAX_UNSTABLE_CRASHES} times within 60000 ms; giving up`);
    expect(restarts.map((line) => line['restartInMs'])).toEqual(EXPECTED_BACKOFF_MS);
    expect(restarts.every((line) => line['signal'] === 'SIGKILL' && killed.has(Number(line['workerPid'])))).toBe(true);

    // Each crash comes after the previous one's backoff (plus the replacement's start): never earlier.
    const times = [...restarts, giveUp as LogLine].map((line) => Number(line['time']));
    for (let i = 1; i < times.length; i++) {
      expect((times[i] as number) - (times[i - 1] as number), `gap after crash ${i}`).toBeGreaterThanOrEqual(EXPECTED_BACKOFF_MS[i - 1] as number);
    }
    expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThanOrEqual(EXPECTED_BACKOFF_MS.reduce((a, b) => a + b, 0));
    expect(master.logs.at(-1)?.msg).toBe('stopped');
    expect(await childPids(master.pid)).toEqual([]);
  });
});
