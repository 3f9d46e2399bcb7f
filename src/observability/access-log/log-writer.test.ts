import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogWriter } from './log-writer.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'louai-test-log-'));
  dirs.push(dir);
  return dir;
}

describe('createLogWriter', () => {
  it('appends lines to a file relative to the config directory, creating directories', async () => {
    const dir = await tempDir();
    const writer = createLogWriter({ file: 'logs/access.log', baseDir: dir, slot: 0 });
    writer.write('one\n');
    writer.write('two\n');
    writer.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(await readFile(join(dir, 'logs/access.log'), 'utf8')).toBe('one\ntwo\n');
  });

  it('rotates through pino-roll into a file family per worker slot', async () => {
    const dir = await tempDir();
    const writer = createLogWriter({ file: 'access.log', baseDir: dir, slot: 3, rotate: { sizeBytes: 1024, count: 2 } });
    writer.write('line\n');
    await new Promise((r) => setTimeout(r, 300));
    writer.close();
    await new Promise((r) => setTimeout(r, 300));
    const files = await readdir(dir);
    expect(files).toContain('access.3.1.log');
  });

  it('does not crash the process when the file cannot be opened', async () => {
    const writer = createLogWriter({ file: '/proc/no-such-dir/access.log', baseDir: '/', slot: 0 });
    writer.write('x\n');
    await new Promise((r) => setTimeout(r, 100));
    expect(() => writer.close()).not.toThrow();
  });
});
