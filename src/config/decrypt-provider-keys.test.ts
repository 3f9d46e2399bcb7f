import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './load.ts';
import { encryptSecret } from './secret-box.ts';

const MASTER = randomBytes(32);
let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'louai-test-enc-'));
  file = join(dir, 'louailink.yaml');
  await writeFile(
    file,
    [
      'servers:',
      '  main: { listen: 127.0.0.1:8080, locations: [ai] }',
      'locations:',
      '  ai: { path: /v1, ai: {} }',
      'providers:',
      '  up:',
      '    type: openai',
      '    base_url: http://127.0.0.1:9100/v1',
      '    keys:',
      '      - sk-clear',
      `      - ${encryptSecret('sk-secret-one', MASTER)}`,
      '      - ${SECOND_KEY}',
      'models:',
      '  m: { providers: { up: m } }',
      '',
    ].join('\n'),
  );
});

afterAll(() => rm(dir, { recursive: true, force: true }));

const env = (masterKey: string | undefined) => ({ SECOND_KEY: encryptSecret('sk-secret-two', MASTER), LOUAILINK_MASTER_KEY: masterKey });

describe('enc:v1: provider keys at config load', () => {
  it('decrypts written and interpolated values and keeps clear keys as they are', async () => {
    const result = await loadConfig(file, { env: env(MASTER.toString('base64')) });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const up = result.loaded.config.providers['up'];
    expect(up !== undefined && 'keys' in up ? up.keys : []).toEqual(['sk-clear', 'sk-secret-one', 'sk-secret-two']);
  });

  it('reports a wrong master key at each encrypted key, without any secret in the message', async () => {
    const result = await loadConfig(file, { env: env(randomBytes(32).toString('hex')) });
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues.map((i) => [i.line, i.col, i.path])).toEqual([
      [11, 9, 'providers.up.keys.1'],
      [12, 9, 'providers.up.keys.2'],
    ]);
    expect(JSON.stringify(issues)).not.toMatch(/sk-secret|sk-clear/);
  });

  it('reports a missing master key at the encrypted keys only', async () => {
    const result = await loadConfig(file, { env: env(undefined) });
    const issues = result.ok ? [] : result.issues;
    expect(issues.map((i) => i.path)).toEqual(['providers.up.keys.1', 'providers.up.keys.2']);
    expect(issues[0]?.message).toContain('LOUAILINK_MASTER_KEY');
  });
});
