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
import { proxyConfig } from './louailink-configs.ts';

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
  /** A TargetName in the gateway-core section; sections with louailink variants name their own. */
  name: string;
  port: number;
  /** undefined for "direct" (nothing between the client and the mock). */
  proc: GroupProcess | undefined;
}

/** A running louailink: the master leads the process group, so `proc.pid` is the master's pid (for signals). */
export interface LouailinkTarget extends RunningTarget {
  proc: GroupProcess;
  /** The louailink.yaml it was started with; rewrite it and send SIGHUP to reload. */
  configFile: string;
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

async function startServing(name: string, proc: GroupProcess, port: number, logFile: string,
  probeHeaders: Readonly<Record<string, string>> = {}): Promise<RunningTarget & { proc: GroupProcess }> {
  let alive = true;
  void proc.exited.then(() => { alive = false; });
  const failure = await waitUntilServing(port, 15_000, () => alive, probeHeaders);
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
  await startServing('mock', proc, ctx.mockPort, join(prefix, 'error.log'));
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

/**
 * Starts `node bin/louailink -c <work>/<name>-config` (master + workers, pinned to the proxy CPU) with the config
 * `configFor(port)` and waits until it serves a completion (`probeHeaders` with each probe). Log: <work>/<name>.log.
 */
export async function startLouailink(ctx: BenchContext, name: string, configFor: (port: number) => string,
  probeHeaders: Readonly<Record<string, string>> = {}): Promise<LouailinkTarget> {
  const port = await findFreePort();
  const dir = join(ctx.work, `${name}-config`);
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'louailink.yaml');
  writeFileSync(configFile, configFor(port));
  const log = join(ctx.work, `${name}.log`);
  const proc = spawnGroup(ctx.node, [join(ctx.louailinkRoot, 'bin/louailink'), '-c', dir], {
    cpus: PROXY_CPU, output: log, cwd: ctx.louailinkRoot, env: { ...process.env, NODE_ENV: 'production' },
  });
  return { ...(await startServing(name, proc, port, log, probeHeaders)), configFile };
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
      return await startLouailink(ctx, 'louailink', (port) => proxyConfig(port, ctx.mockPort));
  }
}
