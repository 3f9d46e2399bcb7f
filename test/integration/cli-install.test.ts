/**
 * `louailink --install --prefix ROOT`: the systemd unit's content, the bundled config copied into an empty
 * config directory, an existing config kept (and its drain timeout reflected in TimeoutStopSec), and
 * `--dry-run` writing nothing.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/run-cli.ts';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
});

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'louai-test-install-'));
  roots.push(root);
  return root;
}

const unitOf = (root: string): Promise<string> => readFile(join(root, 'etc/systemd/system/louailink.service'), 'utf8');

describe('louailink --install', () => {
  it('writes a forking unit that validates first, reloads with HUP and stops after the drain deadline', async () => {
    const root = await tempRoot();
    const result = await runCli(['--install', '--prefix', root]);
    expect(result.code).toBe(0);
    const unit = await unitOf(root);
    const bin = `${process.execPath} ${join(ROOT, 'bin/louailink')}`;
    const lines = unit.split('\n');
    expect(lines).toContain('Type=forking');
    expect(lines).toContain('PIDFile=/run/louailink/louailink.pid');
    expect(lines).toContain(`ExecStartPre=${bin} -c /etc/louailink -t`);
    expect(lines).toContain(`ExecStart=${bin} -c /etc/louailink -d --pid-file /run/louailink/louailink.pid --log /var/log/louailink/louailink.log`);
    expect(lines).toContain('ExecReload=/bin/kill -HUP $MAINPID');
    expect(lines).toContain('KillMode=mixed');
    // basic.drain_timeout of the bundled config is the default 5m.
    expect(lines).toContain('TimeoutStopSec=330');
    expect(unit).not.toMatch(/\{\{/);
    expect((await readdir(join(root, 'etc/louailink'))).sort()).toEqual((await readdir(join(ROOT, 'config'))).filter((f) => f.endsWith('.yaml')).sort());
  });

  it('keeps an existing config and sizes TimeoutStopSec from its drain timeout', async () => {
    const root = await tempRoot();
    const dir = join(root, 'srv/gw');
    const yaml = 'basic:\n  drain_timeout: 1m\nservers:\n  main:\n    listen: 127.0.0.1:8080\n    locations: [p]\nlocations:\n  p:\n    path: /\n    plugins: [m]\nplugins:\n  m:\n    type: mock\n';
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'mine.yaml'), yaml);
    const result = await runCli(['--install', '--prefix', root, '-c', '/srv/gw']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('kept the existing config');
    expect(await readdir(dir)).toEqual(['mine.yaml']);
    expect(await readFile(join(dir, 'mine.yaml'), 'utf8')).toBe(yaml);
    const unit = await unitOf(root);
    expect(unit).toContain(' -c /srv/gw -t\n');
    expect(unit.split('\n')).toContain('TimeoutStopSec=90');
  });

  it('with --dry-run prints the unit and writes nothing', async () => {
    const root = await tempRoot();
    const result = await runCli(['--install', '--prefix', root, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('would write');
    expect(result.stdout).toContain('Type=forking');
    expect(result.stdout).toContain('would copy');
    expect(await readdir(root)).toEqual([]);
  });
});
