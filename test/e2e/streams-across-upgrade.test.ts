/**
 * SSE streams outlive reloads and a master upgrade in the exact shell flow
 * (`louailink -t && kill -QUIT <pid> && louailink -d -u --log FILE`): 5 streams opened on the first
 * master span two reloads, the upgrade and a reload of the new master, and deliver every event. The
 * upstream sends one event after each step and ends the streams only after the last one, so the spans
 * hold however slow the machine is. The old master exits only once its streams ended. A load generator
 * runs throughout; no request may fail.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigDir } from './helpers/config-dir.ts';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { eventually, httpGet } from './helpers/http.ts';
import { startLoad } from './helpers/load-generator.ts';
import { isAlive, runBin } from './helpers/louailink-process.ts';
import { cleanupMasters, prepareConfig } from './helpers/master-fixture.ts';
import { readSse, startSseUpstream } from './helpers/sse-upstream.ts';
import type { SseUpstream } from './helpers/sse-upstream.ts';

const STREAMS = 5;

let upstream: SseUpstream;
let dir: ConfigDir;
let port: number;
/** Background masters are not children of the test: afterAll kills every pid seen. */
const masters = new Set<number>();

const config = (gatewayPort: number, n: number): string => gatewayConfig({ ports: gatewayPort, body: `v${n}`, ssePort: upstream.port });
const common = (): string[] => ['-c', dir.path, '--workers', '2', '--drain-timeout', '120s'];

async function masterPid(): Promise<number> {
  return Number((await readFile(join(dir.path, 'louailink.pid'), 'utf8')).trim());
}


beforeAll(async () => {
  upstream = await startSseUpstream();
  ({ dir, port } = await prepareConfig((p) => config(p, 0)));
  const started = await runBin([...common(), '-d', '--log', join(dir.path, 'louailink.log')]);
  expect(started.code, started.stderr).toBe(0);
  masters.add(await masterPid());
}, 90_000);

afterAll(async () => {
  masters.add(await masterPid().catch(() => -1));
  for (const pid of masters) {
    try {
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await cleanupMasters();
  await upstream.close();
});

/** `-s reload` with a changed config; resolves once the new generation serves (the command waits for it). */
async function reload(n: number): Promise<void> {
  await dir.write(config(port, n));
  const result = await runBin(['-c', dir.path, '-s', 'reload']);
  expect(result.code, result.stderr).toBe(0);
  expect(await eventually(async () => (await httpGet(port, '/v')).body === `v${n}`, 30_000)).toBe(true);
}

describe('SSE streams across reloads and an upgrade', () => {
  it('delivers every event of 5 streams that span 2 reloads, the -t/QUIT/-d -u upgrade and a reload of the new master', { timeout: 300_000 }, async () => {
    const load = startLoad({ port, path: '/v', keepAlive: true, concurrency: 4 });
    const streams = Array.from({ length: STREAMS }, () => readSse(port, '/sse'));
    expect(await eventually(async () => upstream.openStreams() === STREAMS, 30_000)).toBe(true);
    upstream.send('0');
    await reload(1);
    upstream.send('1');
    await reload(2);
    upstream.send('2');

    const oldMaster = await masterPid();
    expect((await runBin(['-c', dir.path, '-t'])).code).toBe(0);
    process.kill(oldMaster, 'SIGQUIT');
    const upgraded = await runBin([...common(), '-d', '-u', '--log', join(dir.path, 'louailink.log')]);
    expect(upgraded.code, upgraded.stderr).toBe(0);
    const newMaster = await masterPid();
    masters.add(newMaster);
    expect(newMaster).not.toBe(oldMaster);
    upstream.send('3');
    // The old master drains: it stays while its workers still run the streams.
    expect(await isAlive(oldMaster)).toBe(true);

    await reload(3);
    upstream.send('4');
    expect(upstream.openStreams()).toBe(STREAMS);
    upstream.endAll();

    const results = await Promise.all(streams);
    for (const events of results) expect(events).toEqual(['0', '1', '2', '3', '4']);
    expect(await eventually(async () => !(await isAlive(oldMaster)), 45_000)).toBe(true);
    expect(await isAlive(newMaster)).toBe(true);
    const loadResult = await load.stop();
    expect(loadResult.failures).toEqual({});
    expect(loadResult.ok).toBeGreaterThan(0);
    expect(loadResult.bodies).toEqual(['v0', 'v1', 'v2', 'v3']);
    expect((await runBin(['-c', dir.path, '-s', 'quit'])).code).toBe(0);
    expect(await eventually(async () => !(await isAlive(newMaster)), 30_000)).toBe(true);
  });
});
