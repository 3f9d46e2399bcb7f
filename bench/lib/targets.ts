/**
 * What the benchmark runs: the nginx + lua mock upstream (CPU 0) and the targets under test. Proxies run on
 * CPU 1 with one process or worker each; "direct" is the load generator talking to the mock itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort, spawnGroup, stopGroup } from './processes.ts';
import type { GroupProcess } from './processes.ts';
import { waitUntilServing } from './http-probe.ts';

export const TARGET_NAMES = ['direct', 'nginx', 'node-minimal', 'louailink'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export const PROXY_CPU = '1';
export const LOAD_CPU = '0';

export interface BenchContext {
  /** Repository root (bench/ and bin/ live there). */
  root: string;
  /** Temp directory of this run. */
  work: string;
  /** Node 24 binary. */
  node: string;
  mockPort: number;
  /** Snapshot of louailink (bin/, src/, package.json at one commit) that this run starts; see snapshotLouailink. */
  louailinkRoot: string;
}

export interface RunningTarget {
  name: TargetName;
  port: number;
  /** undefined for "direct" (nothing between the client and the mock). */
  proc: GroupProcess | undefined;
}

function fillTemplate(file: string, values: Record<string, string>): string {
  let text = readFileSync(file, 'utf8');
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(`{{${key}}}`, value);
  return text;
}

function nginxPrefix(ctx: BenchContext, name: string): string {
  const prefix = join(ctx.work, name);
  mkdirSync(prefix, { recursive: true });
  return prefix;
}

async function startServing(name: TargetName, proc: GroupProcess, port: number, logFile: string): Promise<RunningTarget> {
  let alive = true;
  void proc.exited.then(() => { alive = false; });
  const failure = await waitUntilServing(port, 15_000, () => alive);
  if (failure !== undefined) {
    await stopGroup(proc);
    let tail = '';
    try {
      tail = readFileSync(logFile, 'utf8').slice(-1500);
    } catch {
      // no log
    }
    throw new Error(`${name}: ${failure}\n${tail}`);
  }
  return { name, port, proc };
}

export async function startMock(ctx: BenchContext): Promise<GroupProcess> {
  const prefix = nginxPrefix(ctx, 'mock');
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, fillTemplate(join(ctx.root, 'bench/mock-upstream.conf.tmpl'), { PORT: String(ctx.mockPort), PREFIX: prefix }));
  const log = join(prefix, 'stdout.log');
  const proc = spawnGroup('nginx', ['-p', prefix, '-c', conf], { cpus: LOAD_CPU, output: log });
  await startServing('direct', proc, ctx.mockPort, join(prefix, 'error.log'));
  return proc;
}

async function startNginx(ctx: BenchContext): Promise<RunningTarget> {
  const port = await findFreePort();
  const prefix = nginxPrefix(ctx, 'nginx');
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, fillTemplate(join(ctx.root, 'bench/nginx-proxy.conf.tmpl'), {
    PORT: String(port), UPSTREAM_PORT: String(ctx.mockPort), PREFIX: prefix,
  }));
  const proc = spawnGroup('nginx', ['-p', prefix, '-c', conf], { cpus: PROXY_CPU, output: join(prefix, 'stdout.log') });
  return await startServing('nginx', proc, port, join(prefix, 'error.log'));
}

async function startNodeMinimal(ctx: BenchContext): Promise<RunningTarget> {
  const port = await findFreePort();
  const log = join(ctx.work, 'node-minimal.log');
  const proc = spawnGroup(ctx.node, [join(ctx.root, 'bench/proxy-node-minimal.ts'), '--port', String(port),
    '--upstream', `http://127.0.0.1:${ctx.mockPort}`], { cpus: PROXY_CPU, output: log });
  return await startServing('node-minimal', proc, port, log);
}

/** The louailink config the run uses: a master with one worker, one server, one location "/" proxied to the mock. */
export function louailinkConfig(port: number, mockPort: number): string {
  return [
    '# written by bench/lib/targets.ts: one server, everything proxied to the benchmark mock',
    'basic:',
    '  log_level: warn',
    '  workers: 1',
    'servers:',
    '  bench:',
    `    listen: "127.0.0.1:${port}"`,
    '    locations: [all]',
    'locations:',
    '  all:',
    '    path: /',
    '    upstream: mock',
    'upstreams:',
    '  mock:',
    `    targets: ["127.0.0.1:${mockPort}"]`,
    '',
  ].join('\n');
}

/**
 * Copies bin/, src/ and package.json of commit `rev` into `<work>/louailink-src` (node_modules linked), so a
 * run measures one version even while the checkout changes under it. Returns the snapshot's root.
 */
export function snapshotLouailink(root: string, work: string, rev: string): string {
  const dir = join(work, 'louailink-src');
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync('git', ['-C', root, 'archive', '--format=tar', rev, 'bin', 'src', 'package.json'], {
    maxBuffer: 256 * 2 ** 20, timeout: 30_000,
  });
  if (archive.status !== 0) throw new Error(`git archive failed: ${archive.stderr.toString()}`);
  const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout, timeout: 30_000 });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr.toString()}`);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

async function startLouailink(ctx: BenchContext): Promise<RunningTarget> {
  const port = await findFreePort();
  const dir = join(ctx.work, 'louailink-config');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'louailink.yaml'), louailinkConfig(port, ctx.mockPort));
  const log = join(ctx.work, 'louailink.log');
  const proc = spawnGroup(ctx.node, [join(ctx.louailinkRoot, 'bin/louailink'), '-c', dir], {
    cpus: PROXY_CPU, output: log, cwd: ctx.louailinkRoot, env: { ...process.env, NODE_ENV: 'production' },
  });
  return await startServing('louailink', proc, port, log);
}

export async function startTarget(name: TargetName, ctx: BenchContext): Promise<RunningTarget> {
  switch (name) {
    case 'direct':
      return { name, port: ctx.mockPort, proc: undefined };
    case 'nginx':
      return await startNginx(ctx);
    case 'node-minimal':
      return await startNodeMinimal(ctx);
    case 'louailink':
      return await startLouailink(ctx);
  }
}
