/**
 * Stopping the master (SIGTERM graceful, SIGINT fast) and driving it through its control socket
 * (`louailink -s status|reload|quit`), with the pid file it writes. Each test starts its own master.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { eventually, httpGet } from './helpers/http.ts';
import { runBin } from './helpers/louailink-process.ts';
import { cleanupMasters, prepareConfig, startMaster } from './helpers/master-fixture.ts';
import type { MasterFixture } from './helpers/master-fixture.ts';
import { readSse, startSseUpstream } from './helpers/sse-upstream.ts';
import type { SseUpstream } from './helpers/sse-upstream.ts';

let upstream: SseUpstream;

const config = (port: number, body = 'ok'): string => gatewayConfig({ ports: port, body, ssePort: upstream.port });

const start = (body?: string): Promise<MasterFixture> => startMaster((port) => config(port, body), ['--workers', '2', '--drain-timeout', '60s']);

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

beforeAll(async () => {
  upstream = await startSseUpstream();
});

afterEach(async () => {
  upstream.endAll();
  await cleanupMasters();
});

afterAll(() => upstream.close());

const isRefused = async (port: number): Promise<boolean> =>
  httpGet(port, '/v', 2_000).then(
    () => false,
    (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED',
  );

describe('stopping the master', () => {
  it('on SIGTERM lets a running stream finish, refuses new connections, removes its pid file and exits 0', { timeout: 90_000 }, async () => {
    const { dir, port, master } = await start();
    const pidFile = join(dir.path, 'louailink.pid');
    expect(Number(await readFile(pidFile, 'utf8'))).toBe(master.pid);
    const stream = readSse(port, '/sse');
    expect(await eventually(async () => upstream.openStreams() === 1, 30_000)).toBe(true);
    upstream.send('before');
    master.signal('SIGTERM');
    expect(await eventually(() => isRefused(port))).toBe(true);
    // The stream is still open through the draining worker: it gets the rest and a clean end.
    upstream.send('after');
    upstream.endAll();
    expect(await stream).toEqual(['before', 'after']);
    expect(await master.exited).toEqual({ code: 0, signal: null });
    expect(await exists(pidFile)).toBe(false);
    expect(await exists(join(dir.path, 'louailink.sock'))).toBe(false);
    expect(master.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['stopping', 'stopped']));
  });

  it('on SIGINT cuts running streams and exits 0 without waiting for them', { timeout: 90_000 }, async () => {
    const { port, master } = await start();
    const stream = readSse(port, '/sse').then(
      () => 'ended',
      () => 'cut',
    );
    expect(await eventually(async () => upstream.openStreams() === 1, 30_000)).toBe(true);
    master.signal('SIGINT');
    expect(await master.exited).toEqual({ code: 0, signal: null });
    expect(await stream).toBe('cut');
  });
});

describe('stopping during a reload', () => {
  it('exits 0 when SIGTERM arrives while a new generation is starting', async () => {
    const { master } = await start();
    master.signal('SIGHUP');
    await new Promise((r) => setTimeout(r, 20));
    master.signal('SIGTERM');
    expect(await master.exited).toEqual({ code: 0, signal: null });
    expect(master.text.filter((line) => /Error/.test(line))).toEqual([]);
  }, 60_000);
});

describe('louailink -s (control socket)', () => {
  it('reports status, reloads, refuses an invalid config and quits', async () => {
    const { dir, port, master } = await start('first');
    const status = await runBin(['-c', dir.path, '-s', 'status']);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { pid: number; generation: number; workers: { pid: number; state: string }[] };
    expect(parsed.pid).toBe(master.pid);
    expect(parsed.generation).toBe(1);
    expect(parsed.workers.map((w) => w.state)).toEqual(['ready', 'ready']);

    await dir.write(config(port, 'second'));
    const reload = await runBin(['-c', dir.path, '-s', 'reload']);
    expect(reload).toMatchObject({ code: 0, stdout: 'generation 2 serving\n' });
    expect(await eventually(async () => (await httpGet(port, '/v')).body === 'second')).toBe(true);

    await dir.write('servers: {}\n');
    const refused = await runBin(['-c', dir.path, '-s', 'reload']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/invalid.*old configuration kept/);
    expect((await httpGet(port, '/v')).body).toBe('second');

    const quit = await runBin(['-c', dir.path, '-s', 'quit']);
    expect(quit.code).toBe(0);
    expect(await master.exited).toEqual({ code: 0, signal: null });
    expect(await exists(join(dir.path, 'louailink.pid'))).toBe(false);
  }, 90_000);

  it('says so when no master runs for the config', { timeout: 60_000 }, async () => {
    const { dir } = await prepareConfig((port) => config(port));
    const result = await runBin(['-c', dir.path, '-s', 'status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach the master/);
  });
});
