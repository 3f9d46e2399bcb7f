import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/run-cli.ts';

const PONG_CONFIG = `servers:
  main:
    listen: 127.0.0.1:0
    locations: [ping]
locations:
  ping:
    path: =/ping
    plugins: [pong]
plugins:
  pong:
    type: mock
    body: pong
`;

describe('louailink -c PATH (serve)', () => {
  it('refuses to start with an invalid config, printing every issue and exiting 1', async () => {
    const result = await runCli(['-c', 'test/fixtures/config/broken']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(16);
    expect(lines[0]).toMatch(/^test\/fixtures\/config\/broken\/a-servers\.yaml:5:30 servers\.main\.listen\.1: /);
  });

  it('logs its addresses as JSON, serves, and on SIGTERM closes and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llk-serve-'));
    await writeFile(join(dir, 'louailink.yaml'), PONG_CONFIG);
    const child = spawn(process.execPath, [join(ROOT, 'bin/louailink'), '-c', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const exited = once(child, 'exit');
      const lines: Record<string, unknown>[] = [];
      const started = new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no startup line within 10s')), 10_000);
        createInterface({ input: child.stdout }).on('line', (line) => {
          const entry = JSON.parse(line) as Record<string, unknown>;
          lines.push(entry);
          if (entry['msg'] === 'louailink started') {
            clearTimeout(timer);
            resolve(entry);
          }
        });
      });
      const startup = await started;
      const [address] = startup['addresses'] as string[];
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${address}/ping`);
      expect(await response.text()).toBe('pong');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(lines.map((entry) => entry['msg'])).toEqual(expect.arrayContaining(['stopping', 'stopped']));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
