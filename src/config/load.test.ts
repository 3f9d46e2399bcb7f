import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatIssue } from './config-issue.ts';
import { loadConfig } from './load.ts';
import type { LoadResult } from './load.ts';

const MINIMAL = `servers:
  main:
    listen: 127.0.0.1:8080
    locations: [api]
locations:
  api:
    path: /
    upstream: backend
upstreams:
  backend:
    targets: [127.0.0.1:9000]
`;

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function writeConfig(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llk-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

/** Loads `files` as a config directory; returns the issues formatted with paths relative to it. */
async function issuesOf(files: Record<string, string>, env: Record<string, string> = {}): Promise<string[]> {
  const dir = await writeConfig(files);
  const result = await loadConfig(dir, { env });
  if (result.ok) return [];
  return result.issues.map((issue) => formatIssue(issue).split(`${dir}/`).join(''));
}

async function loaded(result: LoadResult) {
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  return result.loaded;
}

describe('loadConfig: a valid directory', () => {
  it('merges every *.yaml/*.yml file, recursively and sorted, skipping dot-entries and other files', async () => {
    const dir = await writeConfig({
      'b/locations.yml': 'locations:\n  api:\n    path: /\n    upstream: backend\n',
      'a-servers.yaml': 'servers:\n  main:\n    listen: 127.0.0.1:8080\n    locations: [api]\n',
      'c.yaml': 'upstreams:\n  backend:\n    targets: [127.0.0.1:9000]\n',
      'notes.txt': 'not: yaml: config',
      '.hidden/x.yaml': 'garbage: [',
    });
    const config = await loaded(await loadConfig(dir, { env: {} }));
    expect(config.files).toEqual([join(dir, 'a-servers.yaml'), join(dir, 'b/locations.yml'), join(dir, 'c.yaml')]);
    expect(config.configDir).toBe(dir);
    expect(config.configPath).toBe(dir);
    expect(config.config.locations['api']?.upstream).toBe('backend');
    expect(config.config.servers['main']?.keepalive_timeout).toBe(60_000);
    expect(config.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('loads a single file and resolves relative paths against its directory', async () => {
    const dir = await writeConfig({ 'louailink.yaml': MINIMAL });
    const config = await loaded(await loadConfig(join(dir, 'louailink.yaml'), { env: {} }));
    expect(config.files).toEqual([join(dir, 'louailink.yaml')]);
    expect(config.configDir).toBe(dir);
  });

  it('hashes the document after interpolation: same input, same hash; another value, another hash', async () => {
    const dir = await writeConfig({ 'a.yaml': MINIMAL.replace('127.0.0.1:8080', '${ADDR:-127.0.0.1:8080}') });
    const first = await loaded(await loadConfig(dir, { env: {} }));
    const again = await loaded(await loadConfig(dir, { env: {} }));
    const other = await loaded(await loadConfig(dir, { env: { ADDR: '127.0.0.1:8081' } }));
    expect(again.hash).toBe(first.hash);
    expect(other.hash).not.toBe(first.hash);
    expect(other.config.servers['main']?.listen).toEqual(['127.0.0.1:8081']);
  });
});

describe('loadConfig: every issue with its position', () => {
  it('points an unknown key at the key itself', async () => {
    expect(await issuesOf({ 'a.yaml': MINIMAL.replace('    path: /\n', '    path: /\n    upstraem: x\n') })).toEqual([
      'a.yaml:8:5 locations.api.upstraem: unknown key "upstraem"',
    ]);
  });

  it('points a wrong type at the value', async () => {
    expect(await issuesOf({ 'a.yaml': `${MINIMAL}    http2: "yes"\n` })).toEqual([
      'a.yaml:12:12 upstreams.backend.http2: expected boolean, received string',
    ]);
  });

  it('names both accepted types when a union fails on type', async () => {
    expect(await issuesOf({ 'a.yaml': MINIMAL.replace('listen: 127.0.0.1:8080', 'listen: 8080.5') })).toEqual([
      'a.yaml:3:13 servers.main.listen: expected string or int, received number',
    ]);
  });

  it('points a missing required key at its parent entry', async () => {
    expect(await issuesOf({ 'a.yaml': MINIMAL.replace('    listen: 127.0.0.1:8080\n', '') })).toEqual([
      'a.yaml:2:3 servers.main.listen: missing required key "listen"',
    ]);
  });

  it('reports an unknown plugin type with the accepted ones', async () => {
    const text = MINIMAL.replace('    upstream: backend\n', '    plugins: [p]\n') + 'plugins:\n  p:\n    type: teapot\n';
    const issues = await issuesOf({ 'a.yaml': text });
    expect(issues).toHaveLength(1);
    // The list of accepted types grows with the plugin set; the position and the named culprit must not change.
    expect(issues[0]).toMatch(/^a\.yaml:14:11 plugins\.p\.type: unknown type "teapot": expected one of "mock", "key-auth"/);
  });

  it('reports an unknown upstream, location, plugin, certificate and provider at the reference', async () => {
    const text = `servers:
  main:
    listen: 127.0.0.1:8080
    locations: [api, ghost]
    tls:
      certificates: [nocert]
locations:
  api:
    upstream: nowhere
    plugins: [noplugin]
providers:
  mock1:
    type: mock
models:
  gpt:
    providers:
      mock1: m
      nobody: m
`;
    expect(await issuesOf({ 'a.yaml': text })).toEqual([
      'a.yaml:4:22 servers.main.locations.1: unknown location "ghost"',
      'a.yaml:6:22 servers.main.tls.certificates.0: unknown certificate "nocert"',
      'a.yaml:9:15 locations.api.upstream: unknown upstream "nowhere"',
      'a.yaml:10:15 locations.api.plugins.0: unknown plugin "noplugin"',
      'a.yaml:18:7 models.gpt.providers.nobody: unknown provider "nobody"',
    ]);
  });

  it('reports bad path, host and rewrite regexes and a rewrite without a replacement', async () => {
    const text = MINIMAL.replace(
      '    path: /\n',
      '    path: ~^/v(\\d+\n    host: [example.com, "~api["]\n    rewrite: "^/(x ["\n',
    ).replace('locations:\n', 'locations:\n  other:\n    upstream: backend\n    rewrite: ^/api/(.*)$\n');
    const issues = await issuesOf({ 'a.yaml': text });
    expect(issues.map((issue) => issue.split(': ')[0])).toEqual([
      'a.yaml:8:14 locations.other.rewrite',
      'a.yaml:10:11 locations.api.path',
      'a.yaml:11:25 locations.api.host.1',
      'a.yaml:12:14 locations.api.rewrite',
    ]);
    expect(issues[0]).toMatch(/needs a replacement: expected "<regex> <replacement>"/);
    expect(issues[1]).toMatch(/not a valid regular expression/);
    expect(issues[2]).toMatch(/not a valid regular expression/);
    expect(issues[3]).toMatch(/not a valid regular expression/);
  });

  it('reports invalid listen addresses and an address used by two servers', async () => {
    const text = `${MINIMAL}servers:\n`.replace(/servers:\n$/, '') .replace(
      '    locations: [api]\n',
      '    locations: [api]\n  second:\n    listen: [127.0.0.1:70000, 127.0.0.1:8080]\n    locations: [api]\n',
    );
    const issues = await issuesOf({ 'a.yaml': text });
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^a\.yaml:6:14 servers\.second\.listen\.0: invalid listen address "127\.0\.0\.1:70000": port must be/);
    expect(issues[1]).toBe('a.yaml:6:31 servers.second.listen.1: listen address 127.0.0.1:8080 is already used by server "main"');
  });

  it('reports a wildcard address that overlaps another server on the same port', async () => {
    const text = MINIMAL.replace('    locations: [api]\n', '    locations: [api]\n  any:\n    listen: "8080"\n    locations: [api]\n');
    expect(await issuesOf({ 'a.yaml': text })).toEqual([
      'a.yaml:6:13 servers.any.listen: listen address 0.0.0.0:8080 overlaps 127.0.0.1:8080 of server "main"',
    ]);
  });

  it('reports a location with nothing to serve and one with both upstream and ai', async () => {
    const text = MINIMAL.replace('locations:\n', 'locations:\n  idle:\n    path: /idle\n  both:\n    upstream: backend\n    ai: {}\n');
    expect(await issuesOf({ 'a.yaml': text })).toEqual([
      'a.yaml:6:3 locations.idle: nothing to serve: set "upstream", "ai" or "plugins"',
      'a.yaml:10:5 locations.both.ai: a location serves either "upstream" or "ai", not both',
    ]);
  });

  it('reports an entry defined in two files with both places', async () => {
    expect(await issuesOf({ 'a.yaml': MINIMAL, 'b.yaml': '# more\nupstreams:\n  backend:\n    targets: [127.0.0.1:9001]\n' })).toEqual([
      'b.yaml:3:3 upstreams.backend: upstreams.backend is defined in a.yaml:10 and b.yaml:3',
    ]);
  });

  it('reports basic defined in two files with both places', async () => {
    expect(await issuesOf({ 'a.yaml': `basic:\n  name: a\n${MINIMAL}`, 'b.yaml': '\nbasic:\n  name: b\n' })).toEqual([
      'b.yaml:2:1 basic: basic is defined in a.yaml:1 and b.yaml:2',
    ]);
  });

  it('reports a duplicate key inside one file', async () => {
    expect(await issuesOf({ 'a.yaml': `${MINIMAL}locations:\n  x:\n    upstream: backend\n` })).toEqual([
      'a.yaml:12:1 locations: duplicate key "locations" (first defined at line 5)',
    ]);
  });

  it('reports a YAML syntax error with file:line:col and validates nothing else', async () => {
    const issues = await issuesOf({ 'a.yaml': MINIMAL, 'b.yaml': 'locations:\n  x: [1, 2\n' });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^b\.yaml:\d+:\d+: YAML /);
  });

  it('reports a file that is not a map of sections', async () => {
    expect(await issuesOf({ 'a.yaml': MINIMAL, 'b.yaml': '- a\n- b\n' })).toEqual(['b.yaml:1:1: a config file must be a map of sections']);
  });

  it('reports every issue of every file in one run, sorted by position', async () => {
    const issues = await issuesOf({
      'a.yaml': MINIMAL.replace('upstream: backend', 'upstream: nowhere'),
      'b.yaml': 'basic:\n  log_level: loud\n  colour: red\n',
    });
    expect(issues.map((issue) => issue.split(' ')[0])).toEqual(['a.yaml:8:15', 'b.yaml:2:14', 'b.yaml:3:3']);
  });

  it('reports a missing path and a directory without YAML files', async () => {
    const missing = await loadConfig('/nonexistent/louailink', { env: {} });
    expect(missing.ok ? [] : missing.issues.map(formatIssue)).toEqual([
      '/nonexistent/louailink:1:1: cannot read configuration: no such file or directory',
    ]);
    const dir = await writeConfig({ 'readme.txt': 'x' });
    const empty = await loadConfig(dir, { env: {} });
    expect(empty.ok ? [] : empty.issues.map(formatIssue)).toEqual([`${dir}:1:1: no *.yaml or *.yml files in this directory`]);
  });
});

describe('loadConfig: ${VAR} interpolation', () => {
  it('reports an unset variable without a default at its value, and nothing that follows from it', async () => {
    expect(await issuesOf({ 'a.yaml': MINIMAL.replace('path: /', 'path: ${PREFIX}').replace('127.0.0.1:8080', '${ADDR}') })).toEqual([
      'a.yaml:3:13 servers.main.listen: environment variable ADDR is not set',
      'a.yaml:7:11 locations.api.path: environment variable PREFIX is not set',
    ]);
  });

  it('never shows an interpolated value in an issue: the text as written appears instead', async () => {
    const secret = 'sk_very_secret!';
    const text = MINIMAL.replace('127.0.0.1:8080', '${ADDR}').replace('upstream: backend', 'upstream: "${TOKEN}"');
    const issues = await issuesOf({ 'a.yaml': text }, { ADDR: `${secret}:1`, TOKEN: `x-${secret}` });
    expect(issues).toEqual([
      'a.yaml:3:13 servers.main.listen.0: invalid listen address "${ADDR}": bad host "***"',
      'a.yaml:8:15 locations.api.upstream: unknown upstream "${TOKEN}"',
    ]);
    expect(issues.join('\n')).not.toContain(secret);
  });
});
