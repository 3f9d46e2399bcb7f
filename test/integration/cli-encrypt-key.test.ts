/**
 * `louailink encrypt-key` and `-t` with the real launcher: a key piped in comes out as an enc:v1: value,
 * a config using it is valid under the same master key, and under another one `-t` names the key's
 * file:line:col; the key itself appears in no output.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/run-cli.ts';
import type { CliResult } from '../helpers/run-cli.ts';

const SECRET = 'sk-live-do-not-print-7f3a';
const MASTER = randomBytes(32).toString('base64');
const dirs: string[] = [];

afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

function encryptKey(input: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [join(ROOT, 'bin/louailink'), 'encrypt-key'], { cwd: ROOT, env, timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

async function configWith(key: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'louai-test-enc-cli-'));
  dirs.push(dir);
  await writeFile(
    join(dir, 'louailink.yaml'),
    `servers:
  main: { listen: 127.0.0.1:8080, locations: [ai] }
locations:
  ai: { path: /v1, ai: {} }
providers:
  up:
    type: openai
    base_url: http://127.0.0.1:9100/v1
    keys: ["${key}"]
models:
  m: { providers: { up: m } }
`,
  );
  return dir;
}

describe('louailink encrypt-key', () => {
  it('prints an enc:v1: value that -t accepts under the same master key', async () => {
    const encrypted = await encryptKey(`${SECRET}\n`, { ...process.env, LOUAILINK_MASTER_KEY: MASTER });
    expect(encrypted.code).toBe(0);
    const value = encrypted.stdout.trim();
    expect(value).toMatch(/^enc:v1:[A-Za-z0-9+/]+=*$/);
    expect(value).not.toContain(SECRET);
    const dir = await configWith(value);
    const checked = await runCli(['-c', dir, '-t'], { ...process.env, LOUAILINK_MASTER_KEY: MASTER });
    expect(checked.code).toBe(0);
    expect(checked.stdout + checked.stderr).not.toContain(SECRET);
  });

  it('makes -t report the key position under another master key, without the key or the master key', async () => {
    const value = (await encryptKey(SECRET, { ...process.env, LOUAILINK_MASTER_KEY: MASTER })).stdout.trim();
    const dir = await configWith(value);
    const other = randomBytes(32).toString('hex');
    const checked = await runCli(['-c', dir, '-t'], { ...process.env, LOUAILINK_MASTER_KEY: other });
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/louailink\.yaml:9:12 providers\.up\.keys\.0: cannot decrypt/);
    expect(checked.stdout + checked.stderr).not.toContain(SECRET);
    expect(checked.stdout + checked.stderr).not.toContain(other);
  });

  it('refuses without a master key or without a key on stdin', async () => {
    const env = { ...process.env };
    delete env['LOUAILINK_MASTER_KEY'];
    expect((await encryptKey(SECRET, env)).code).toBe(1);
    const empty = await encryptKey('\n', { ...process.env, LOUAILINK_MASTER_KEY: MASTER });
    expect([empty.code, empty.stdout]).toEqual([1, '']);
  });
});
