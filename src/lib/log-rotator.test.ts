import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogRotator, nextBoundaryMs } from './log-rotator.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'louai-test-rotate-'));
  dirs.push(dir);
  return join(dir, 'app.log');
}

describe('LogRotator', () => {
  it('shifts FILE → FILE.1 → FILE.2, keeps `count` files and asks for a reopen each time', async () => {
    const file = await tempFile();
    let reopens = 0;
    const rotator = new LogRotator({ file, onRotated: () => (reopens += 1) });
    rotator.configure({ count: 2, frequency: 'daily' });
    for (const text of ['a\n', 'b\n', 'c\n']) {
      await writeFile(file, text);
      expect(await rotator.rotate()).toBe(true);
    }
    rotator.close();
    expect(reopens).toBe(3);
    expect((await readdir(join(file, '..'))).sort()).toEqual(['app.log.1', 'app.log.2']);
    expect(await readFile(`${file}.1`, 'utf8')).toBe('c\n');
    expect(await readFile(`${file}.2`, 'utf8')).toBe('b\n');
  });

  it('does not rotate a missing or empty file', async () => {
    const file = await tempFile();
    const rotator = new LogRotator({ file, onRotated: () => expect.unreachable() });
    rotator.configure({ count: 3, sizeBytes: 1 });
    expect(await rotator.rotate()).toBe(false);
    await writeFile(file, '');
    expect(await rotator.rotate()).toBe(false);
    rotator.close();
  });

  it('rotates once the file reaches the size limit', async () => {
    const file = await tempFile();
    const rotated = new Promise<void>((resolve) => {
      const rotator = new LogRotator({ file, checkIntervalMs: 20, onRotated: () => { rotator.close(); resolve(); } });
      rotator.configure({ count: 1, sizeBytes: 100 });
    });
    await writeFile(file, 'x'.repeat(100));
    await rotated;
    expect(await readFile(`${file}.1`, 'utf8')).toHaveLength(100);
  });

  it('finds the next local hour and midnight', () => {
    const now = new Date(2026, 10, 22, 13, 45, 10).getTime();
    expect(nextBoundaryMs('hourly', now)).toBe(new Date(2026, 10, 22, 14, 0, 0).getTime());
    expect(nextBoundaryMs('daily', now)).toBe(new Date(2026, 10, 23, 0, 0, 0).getTime());
  });
});
