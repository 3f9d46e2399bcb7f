/**
 * Stopping the master (SIGTERM graceful, SIGINT fast) and driving it through its control socket
 * (`louailink -s status|reload|quit`), with the pid file it writes. Each test starts its own master.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { eventually, httpGet, streamChat } from './helpers/http.ts';
import { cleanupMasters, prepareConfig, startMaster } from './helpers/master-fixture.ts';
import type { MasterFixture } from './helpers/master-fixture.ts';

/** 45 words → 15 content events × 100 ms ≈ 1.5 s per stream. */
const REPLY = Array.from({ length: 45 }, (_, i) => `w${i}`).join(' ');

const config = (port: number, body = 'ok'): string => gatewayConfig({ ports: port, body, stream: { reply: REPLY, chunkDelayMs: 100 } });

const start = (body?: string): Promise<MasterFixture> => startMaster((port) => config(port, body), ['--workers', '2', '--drain-timeout', '10s']);

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

afterEach(cleanupMasters);

describe('stopping the master', () => {
  it('on SIGTERM lets a running stream finish, refuses new connections, removes its pid file and exits 0', async () => {
    const { dir, port, master } = await start();
    const pidFile = join(dir.path, 'louailink.pid');
    expect(Number(await readFile(pidFile, 'utf8'))).toBe(master.pid);
    const stream = streamChat(port, 'm');
    await new Promise((r) => setTimeout(r, 300));
    master.signal('SIGTERM');
    const refused = await eventually(async () => {
      try {
        await httpGet(port, '/v', 1_000);
        return false;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
      }
    }, 3_000);
    expect(refused).toBe(true);
    expect(await stream).toEqual({ content: REPLY, events: 15, isDone: true });
    expect(await master.exited).toEqual({ code: 0, signal: null });
    expect(await exists(pidFile)).toBe(false);
    expect(await exists(join(dir.path, 'louailink.sock'))).toBe(false);
    expect(master.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['stopping', 'stopped']));
  }, 20_000);

  it('on SIGINT cuts running streams and exits 0 at once', async () => {
    const { port, master } = await start();
    const stream = streamChat(port, 'm').then(
      (result) => result.isDone,
      () => false,
    );
    await new Promise((r) => setTimeout(r, 300));
    const signalledAt = Date.now();
    master.signal('SIGINT');
    expect(await master.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(1_000);
    expect(await stream).toBe(false);
  }, 20_000);
});

describe('stopping during a reload', () => {
  it('exits 0 when SIGTERM arrives while a new generation is starting', async () => {
    const { master } = await start();
    master.signal('SIGHUP');
    await new Promise((r) => setTimeout(r, 20));
    master.signal('SIGTERM');
    expect(await master.exited).toEqual({ code: 0, signal: null });
    expect(master.text.filter((line) => /Error/.test(line))).toEqual([]);
  }, 20_000);
});

describe('louailink -s (control socket)', () => {
  it('reports status, reloads, refuses an invalid config and quits', async () => {
    const { dir, port, master } = await start('first');
    const status = await runCli(['-c', dir.path, '-s', 'status']);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { pid: number; generation: number; workers: { pid: number; state: string }[] };
    expect(parsed.pid).toBe(master.pid);
    expect(parsed.generation).toBe(1);
    expect(parsed.workers.map((w) => w.state)).toEqual(['ready', 'ready']);

    await dir.write(config(port, 'second'));
    const reload = await runCli(['-c', dir.path, '-s', 'reload']);
    expect(reload).toMatchObject({ code: 0, stdout: 'generation 2 serving\n' });
    expect(await eventually(async () => (await httpGet(port, '/v')).body === 'second')).toBe(true);

    await dir.write('servers: {}\n');
    const refused = await runCli(['-c', dir.path, '-s', 'reload']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/invalid.*old configuration kept/);
    expect((await httpGet(port, '/v')).body).toBe('second');

    const quit = await runCli(['-c', dir.path, '-s', 'quit']);
    expect(quit.code).toBe(0);
    expect(await master.exited).toEqual({ code: 0, signal: null });
    expect(await exists(join(dir.path, 'louailink.pid'))).toBe(false);
  }, 30_000);

  it('says so when no master runs for the config', async () => {
    const { dir } = await prepareConfig((port) => config(port));
    const result = await runCli(['-c', dir.path, '-s', 'status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach the master/);
  });
});
