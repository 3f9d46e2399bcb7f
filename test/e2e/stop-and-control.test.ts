/**
 * Stopping the master (SIGTERM graceful, SIGINT fast) and driving it through its control socket
 * (`louailink -s status|reload|quit`), with the pid file it writes. Each test starts its own master.
 */
import { access } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.ts';
import { runCli } from '../helpers/run-cli.ts';
import { createConfigDir } from './helpers/config-dir.ts';
import type { ConfigDir } from './helpers/config-dir.ts';
import { eventually, httpGet, streamChat } from './helpers/http.ts';
import { startLouailink, stopAll } from './helpers/louailink-process.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';

/** 45 words → 15 content events × 100 ms ≈ 1.5 s per stream. */
const REPLY = Array.from({ length: 45 }, (_, i) => `w${i}`).join(' ');

function config(port: number, body = 'ok'): string {
  return `servers:
  main:
    listen: 127.0.0.1:${port}
    locations: [ai, v]
locations:
  ai:
    path: /v1
    ai: {}
  v:
    path: =/v
    plugins: [version]
plugins:
  version:
    type: mock
    body: ${body}
providers:
  mock:
    type: mock
    chunk_delay: 100ms
    reply: "${REPLY}"
models:
  m:
    providers: { mock: m }
`;
}

const dirs: ConfigDir[] = [];

async function startMaster(body?: string): Promise<{ dir: ConfigDir; port: number; master: LouailinkProcess }> {
  const dir = await createConfigDir();
  dirs.push(dir);
  const port = await freePort();
  await dir.write(config(port, body));
  const master = startLouailink(['-c', dir.path, '--workers', '2', '--drain-timeout', '10s']);
  await master.waitForLog((line) => line.msg === 'louailink started');
  return { dir, port, master };
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

afterEach(async () => {
  await stopAll();
});

afterAll(async () => {
  await Promise.all(dirs.map((dir) => dir.remove()));
});

describe('stopping the master', () => {
  it('on SIGTERM lets a running stream finish, refuses new connections, removes its pid file and exits 0', async () => {
    const { dir, port, master } = await startMaster();
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
    const { port, master } = await startMaster();
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

describe('louailink -s (control socket)', () => {
  it('reports status, reloads, refuses an invalid config and quits', async () => {
    const { dir, port, master } = await startMaster('first');
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
    const dir = await createConfigDir();
    dirs.push(dir);
    await dir.write(config(await freePort()));
    const result = await runCli(['-c', dir.path, '-s', 'status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach the master/);
  });
});
