/**
 * A worker killed with SIGKILL under load is replaced at once; only the requests on that worker's own
 * connections may fail, and the other worker keeps serving.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { httpGet } from './helpers/http.ts';
import { startLoad } from './helpers/load-generator.ts';
import { childPids } from './helpers/louailink-process.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';
import { cleanupMasters, startMaster } from './helpers/master-fixture.ts';

const KEEP_ALIVE_CONNECTIONS = 4;
const CLOSE_CONCURRENCY = 2;

let port: number;
let master: LouailinkProcess;

beforeAll(async () => {
  ({ port, master } = await startMaster((p) => gatewayConfig({ ports: p, body: 'ok' }), ['--workers', '2']));
}, 90_000);

afterAll(cleanupMasters);

const comm = async (pid: number): Promise<string> => (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();

describe('process names and signals', () => {
  it('names only the master "louailink"; workers ignore the signals operators send to the master', { timeout: 60_000 }, async () => {
    const workers = await childPids(master.pid);
    expect(await comm(master.pid)).toBe('louailink');
    expect(await Promise.all(workers.map(comm))).toEqual(['llk-worker', 'llk-worker']);
    for (const signal of ['SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGINT'] as const) {
      for (const pid of workers) process.kill(pid, signal);
    }
    for (const signal of ['SIGUSR1', 'SIGWINCH'] as const) process.kill(master.pid, signal);
    await new Promise((r) => setTimeout(r, 300));
    expect(await childPids(master.pid)).toEqual(workers);
    expect((await httpGet(port, '/v')).body).toBe('ok');
    expect(master.logs.some((line) => line.event === 'worker_crash')).toBe(false);
  });
});

describe('worker crash', () => {
  it('replaces a worker killed with SIGKILL at once; only requests on its connections may fail', async () => {
    const workers = await childPids(master.pid);
    expect(workers).toHaveLength(2);
    const victim = workers[0] ?? -1;
    const keepAlive = startLoad({ port, path: '/v', keepAlive: true, concurrency: KEEP_ALIVE_CONNECTIONS });
    const close = startLoad({ port, path: '/v', keepAlive: false, concurrency: CLOSE_CONCURRENCY });
    await new Promise((r) => setTimeout(r, 500));
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');
    const crash = await master.waitForLog((line) => line.event === 'worker_crash' && line['workerPid'] === victim);
    const replaced = await master.waitForLog((line) => line.event === 'restart' && line.msg === 'worker replaced');
    const replacedAt = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    const before = keepAlive.count() + close.count();
    await new Promise((r) => setTimeout(r, 500));
    const after = keepAlive.count() + close.count();
    const results = { keepAlive: await keepAlive.stop(), close: await close.stop() };

    expect(crash['restartInMs']).toBe(0);
    // Fork plus module loading: about 0.4 s on an idle 2-core machine; the bound leaves room for a loaded one.
    expect(replacedAt - killedAt).toBeLessThan(10_000);
    const now = await childPids(master.pid);
    expect(now).toHaveLength(2);
    expect(now).not.toContain(victim);
    expect(now).toContain(replaced['workerPid']);
    // Every failure is a request that was on the killed worker's connections when it died.
    expect(results.keepAlive.failed + results.close.failed).toBeLessThanOrEqual(KEEP_ALIVE_CONNECTIONS + CLOSE_CONCURRENCY);
    expect(after).toBeGreaterThan(before);
  }, 60_000);
});
