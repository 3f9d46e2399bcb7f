import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MANAGED_FILE_NAME, readManagedFile, serializeManagedDocument, writeManagedFile } from './managed-file.ts';

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'louai-test-managed-'));
  path = join(dir, MANAGED_FILE_NAME);
});

afterEach(() => rm(dir, { recursive: true, force: true }));

describe('managed file', () => {
  it('reads a missing file as an empty document', async () => {
    expect(await readManagedFile(path)).toEqual({ ok: true, text: null, doc: {} });
  });

  it('writes atomically (no temporary file left) and reads back what it wrote', async () => {
    const text = serializeManagedDocument({ plugins: { keys: { type: 'key-auth', consumers: { a: { keys: [{ name: 'k', key_hash: 'sha256:00' }] } } } } });
    await writeManagedFile(path, text);
    expect(await readdir(dir)).toEqual([MANAGED_FILE_NAME]);
    const read = await readManagedFile(path);
    expect(read).toMatchObject({ ok: true, text, doc: { plugins: { keys: { type: 'key-auth' } } } });
    await writeManagedFile(path, null);
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports a file that is not YAML or not a map', async () => {
    await writeFile(path, 'plugins: [unclosed\n');
    expect(await readManagedFile(path)).toMatchObject({ ok: false });
    await writeFile(path, '- a list\n');
    expect(await readManagedFile(path)).toMatchObject({ ok: false, message: expect.stringContaining('map') });
    expect(await readFile(path, 'utf8')).toBe('- a list\n');
  });
});
