import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { controlSocketPathFor, readPidFile, removePidFile, writePidFile } from './pid-file.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'louai-test-pid-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pid file', () => {
  it('writes the pid and leaves no temporary file behind', async () => {
    const path = join(dir, 'louailink.pid');
    await writePidFile(path, 4242);
    expect(await readFile(path, 'utf8')).toBe('4242\n');
    expect(await readdir(dir)).toEqual(['louailink.pid']);
    expect(await readPidFile(path)).toBe(4242);
  });

  it('is removed only while it names the given process', async () => {
    const path = join(dir, 'louailink.pid');
    await writePidFile(path, 4242);
    expect(await removePidFile(path, 1111)).toBe(false);
    expect(await readPidFile(path)).toBe(4242);
    expect(await removePidFile(path, 4242)).toBe(true);
    expect(await readPidFile(path)).toBeUndefined();
  });

  it('puts the control socket beside the pid file', () => {
    expect(controlSocketPathFor('/run/louailink/louailink.pid')).toBe('/run/louailink/louailink.sock');
  });
});
