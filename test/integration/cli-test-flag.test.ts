import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((fn) => fn()));
});

describe('louailink -c PATH -t', () => {
  it('prints every issue as file:line:col path: message on stderr and exits 1', async () => {
    const result = await runCli(['-c', 'test/fixtures/config/broken', '-t']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    const prefixes = lines.map((line) => line.split(': ')[0]);
    expect(prefixes).toEqual(
      expect.arrayContaining([
        'test/fixtures/config/broken/a-servers.yaml:5:30 servers.main.listen.1',
        'test/fixtures/config/broken/a-servers.yaml:6:22 servers.main.locations.1',
        'test/fixtures/config/broken/a-servers.yaml:9:5 servers.main.listn',
        'test/fixtures/config/broken/a-servers.yaml:11:13 servers.second.listen',
        'test/fixtures/config/broken/b-locations.yaml:4:15 locations.api.upstream',
        'test/fixtures/config/broken/b-locations.yaml:6:11 locations.regexes.path',
        'test/fixtures/config/broken/b-locations.yaml:10:3 locations.empty',
        'test/fixtures/config/broken/c-dup.yml:4:3 locations.api',
        'test/fixtures/config/broken/c-dup.yml:13:7 models.gpt.providers.nobody',
      ]),
    );
    expect(lines).toContain(
      'test/fixtures/config/broken/c-dup.yml:4:3 locations.api: locations.api is defined in test/fixtures/config/broken/b-locations.yaml:2 and test/fixtures/config/broken/c-dup.yml:4',
    );
    expect(lines).toHaveLength(17); // 16 issues and the summary line
    expect(lines.at(-1)).toBe('configuration test/fixtures/config/broken is invalid (16 issues)');
  });

  it('prints one "is valid" line on stdout and exits 0 for a valid config', async () => {
    const result = await runCli(['-c', 'test/fixtures/config/minimal', '-t']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^configuration test\/fixtures\/config\/minimal is valid \(1 file, [0-9a-f]{12}\)\n$/);
  });

  it('binds nothing: a config listening on a port this test holds still passes', async () => {
    const holder: Server = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    cleanup.push(() => new Promise((done) => holder.close(() => done())));
    const { port } = holder.address() as AddressInfo;
    const dir = await mkdtemp(join(tmpdir(), 'llk-cli-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const text = [
      'servers:',
      '  main:',
      `    listen: 127.0.0.1:${port}`,
      '    locations: [api]',
      'locations:',
      '  api:',
      '    upstream: backend',
      'upstreams:',
      '  backend:',
      '    targets: [127.0.0.1:9]',
      '',
    ].join('\n');
    await writeFile(join(dir, 'louailink.yaml'), text);
    const result = await runCli(['-c', dir, '-t']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('is valid');
    // The holder still owns the port: a bind by the CLI would have failed with EADDRINUSE instead.
    expect(holder.listening).toBe(true);
  });

  it('reads ${VAR} from the environment and never prints the value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llk-cli-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(
      join(dir, 'a.yaml'),
      'servers:\n  main:\n    listen: ${LLK_TEST_ADDR}\n    locations: [api]\nlocations:\n  api:\n    upstream: ${LLK_TEST_UPSTREAM}\n',
    );
    const secret = 'not-an-upstream-secret';
    const result = await runCli(['-c', dir, '-t'], { ...process.env, LLK_TEST_ADDR: '127.0.0.1:1', LLK_TEST_UPSTREAM: secret });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('locations.api.upstream: unknown upstream "${LLK_TEST_UPSTREAM}"');
    expect(result.stderr).not.toContain(secret);
  });

  it('reports a path that does not exist', async () => {
    const result = await runCli(['-c', 'test/fixtures/config/does-not-exist', '-t']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('test/fixtures/config/does-not-exist:1:1: cannot read configuration: no such file or directory');
  });
});
