/**
 * `--log FILE`: the master and its workers append JSON lines to FILE; after logrotate-style renaming,
 * SIGUSR1 makes every process open FILE again, and nothing is written to stdout.
 */
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { eventually } from './helpers/http.ts';
import { startLouailink } from './helpers/louailink-process.ts';
import { cleanupMasters, prepareConfig } from './helpers/master-fixture.ts';

afterAll(cleanupMasters);

async function logLines(file: string): Promise<{ pid?: number; role?: string; msg?: string }[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { pid?: number; role?: string; msg?: string });
}

describe('--log FILE', () => {
  it('writes every process\'s log to the file and reopens it on SIGUSR1 after a rename', async () => {
    const { dir } = await prepareConfig((port) => gatewayConfig({ ports: port, body: 'ok' }));
    const file = join(dir.path, 'louailink.log');
    const master = startLouailink(['-c', dir.path, '--workers', '2', '--log', file]);
    expect(await eventually(async () => (await logLines(file)).some((line) => line.msg === 'louailink started'), 60_000)).toBe(true);

    await rename(file, `${file}.1`);
    master.signal('SIGUSR1');
    const reopened = async (): Promise<number> =>
      new Set((await logLines(file)).filter((line) => line.msg === 'log file reopened').map((line) => line.pid)).size;
    expect(await eventually(async () => (await reopened()) === 3)).toBe(true);
    const roles = (await logLines(file)).filter((line) => line.msg === 'log file reopened').map((line) => line.role);
    expect(roles.sort()).toEqual(['master', 'worker', 'worker']);

    master.signal('SIGTERM');
    expect(await master.exited).toEqual({ code: 0, signal: null });
    expect((await logLines(file)).map((line) => line.msg)).toContain('stopped');
    expect((await logLines(`${file}.1`)).map((line) => line.msg)).toContain('louailink started');
    expect(master.logs).toEqual([]);
  }, 120_000);
});
