/**
 * `--log FILE` with `basic.log_rotate`: the master rotates FILE through FILE.1 … FILE.count once it passes
 * a tiny size limit, every process reopens FILE (one file family), at most `count` rotated files are kept,
 * and no line is lost: every reload's line and every worker's reopen line is found in some file, and the
 * lines the workers and the master write while stopping gracefully are in FILE.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { eventually } from './helpers/http.ts';
import { startLouailink } from './helpers/louailink-process.ts';
import { cleanupMasters, prepareConfig } from './helpers/master-fixture.ts';

afterAll(cleanupMasters);

interface Line {
  readonly pid?: number;
  readonly role?: string;
  readonly msg?: string;
  readonly event?: string;
  readonly generation?: number;
}

async function linesOf(file: string): Promise<Line[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Line);
}

const RELOADS = 6;
const COUNT = 40;

describe('--log FILE with basic.log_rotate', () => {
  it('rotates by size into FILE.1…FILE.count without losing a line, and keeps at most count files', async () => {
    const yaml = (port: number): string => `basic:\n  log_rotate:\n    size: 1kb\n    count: ${COUNT}\n${gatewayConfig({ ports: port, body: 'ok' })}`;
    const { dir } = await prepareConfig(yaml);
    const file = join(dir.path, 'louailink.log');
    const master = startLouailink(['-c', dir.path, '--workers', '2', '--log', file]);
    const all = async (): Promise<Line[]> => {
      const names = (await readdir(dir.path)).filter((n) => n.startsWith('louailink.log'));
      return (await Promise.all(names.map((n) => linesOf(join(dir.path, n))))).flat();
    };
    expect(await eventually(async () => (await all()).some((line) => line.msg === 'louailink started'), 60_000)).toBe(true);

    for (let generation = 2; generation <= RELOADS + 1; generation += 1) {
      master.signal('SIGHUP');
      const served = async (): Promise<boolean> => (await all()).some((l) => l.event === 'reload_config' && l.generation === generation && l.msg?.startsWith(`generation ${generation} serving`) === true);
      expect(await eventually(served, 30_000)).toBe(true);
      // The master checks the size once a second: on a fast machine all reloads would otherwise fall into one
      // check and make a single rotation. Spacing them lets the size check see the file grow more than once.
      await new Promise((r) => setTimeout(r, 1_200));
    }
    // Rotation is checked every second; wait for the last one.
    expect(await eventually(async () => (await all()).filter((l) => l.msg === 'log file rotated').length >= 2, 30_000)).toBe(true);

    master.signal('SIGTERM');
    expect(await master.exited).toEqual({ code: 0, signal: null });
    const names = (await readdir(dir.path)).filter((n) => n.startsWith('louailink.log')).sort();
    expect(names).toContain('louailink.log');
    expect(names).toContain('louailink.log.1');
    expect(names.length).toBeLessThanOrEqual(COUNT + 1);
    const lines = await all();
    const reloads = lines.filter((l) => l.event === 'reload_config' && l.msg?.startsWith('generation ') === true).map((l) => l.generation);
    expect(reloads.sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(Array.from({ length: RELOADS }, (_, i) => i + 2));
    // Each rotation made the master and every live worker reopen FILE: reopen lines from workers too.
    expect(lines.filter((l) => l.role === 'worker' && l.msg === 'log file reopened').length).toBeGreaterThanOrEqual(2);
    expect((await linesOf(file)).map((l) => l.msg)).toContain('stopped');
    expect(master.logs).toEqual([]);
  }, 180_000);
});
