/**
 * Replacing the master process on the very same listening sockets, under keep-alive and `Connection:
 * close` load, 0 failed requests, the pid file naming the new master and the old one gone:
 * - SIGUSR2 (nginx style: the master spawns its successor), 3 times;
 * - the shell flow `louailink -t && kill -QUIT <pid> && louailink -d -u --log FILE`, 5 times.
 * Background masters are not children of the test: every pid seen is killed in afterAll.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.ts';
import { runCli } from '../helpers/run-cli.ts';
import { createConfigDir } from './helpers/config-dir.ts';
import type { ConfigDir } from './helpers/config-dir.ts';
import { eventually, httpGet } from './helpers/http.ts';
import { startLoad } from './helpers/load-generator.ts';
import { startLouailink, stopAll } from './helpers/louailink-process.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';

/** SIGUSR2 upgrades (the shell flow runs 5 times, as the issue asks). */
const UPGRADES = 3;
const SHELL_UPGRADES = 5;

const CONFIG = (port: number): string => `servers:
  main:
    listen: 127.0.0.1:${port}
    locations: [v]
locations:
  v:
    path: =/v
    plugins: [version]
plugins:
  version:
    type: mock
    body: ok
`;

let dir: ConfigDir;
let port: number;
let first: LouailinkProcess;
const dirs: ConfigDir[] = [];
/** Every master pid seen, so afterAll can kill the ones the harness did not spawn itself. */
const masters = new Set<number>();

/** Running and not a zombie. */
async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function pidFromFile(configDir: string = dir.path): Promise<number> {
  return Number((await readFile(join(configDir, 'louailink.pid'), 'utf8')).trim());
}

beforeAll(async () => {
  dir = await createConfigDir();
  dirs.push(dir);
  port = await freePort();
  await dir.write(CONFIG(port));
  first = startLouailink(['-c', dir.path, '--workers', '2', '--drain-timeout', '10s']);
  await first.waitForLog((line) => line.msg === 'louailink started');
  masters.add(first.pid);
});

afterAll(async () => {
  for (const pid of masters) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await stopAll();
  await Promise.all(dirs.map((d) => d.remove()));
});

describe('master upgrade (SIGUSR2)', () => {
  it('replaces the master 3 times under load without failing a request', async () => {
    const keepAlive = startLoad({ port, path: '/v', keepAlive: true, concurrency: 8 });
    const close = startLoad({ port, path: '/v', keepAlive: false, concurrency: 4 });
    try {
      for (let i = 0; i < UPGRADES; i += 1) {
        const old = await pidFromFile();
        process.kill(old, 'SIGUSR2');
        // Logs of every master arrive on the first one's stdout (successors inherit it).
        const started = await first.waitForLog((line) => line.msg === 'louailink started' && line.pid !== undefined && !masters.has(line.pid));
        const successor = started.pid ?? -1;
        masters.add(successor);
        expect(await pidFromFile()).toBe(successor);
        expect(await eventually(async () => !(await isAlive(old)), 10_000)).toBe(true);
        expect(await isAlive(successor)).toBe(true);
      }
    } finally {
      const results = { keepAlive: await keepAlive.stop(), close: await close.stop() };
      expect(results.keepAlive.failures).toEqual({});
      expect(results.close.failures).toEqual({});
      expect(results.keepAlive.ok).toBeGreaterThan(UPGRADES);
      expect(results.close.ok).toBeGreaterThan(UPGRADES);
    }
    expect((await httpGet(port, '/v')).body).toBe('ok');
    expect(await first.exited).toEqual({ code: 0, signal: null });
  }, 90_000);
});

describe('master upgrade (-t, SIGQUIT, -d -u)', () => {
  it('hands over 5 times in the shell flow under load without failing a request', async () => {
    const shellDir = await createConfigDir();
    dirs.push(shellDir);
    const shellPort = await freePort();
    await shellDir.write(CONFIG(shellPort));
    const logFile = join(shellDir.path, 'louailink.log');
    const common = ['-c', shellDir.path, '--workers', '2', '--drain-timeout', '10s'];
    const started = await runCli([...common, '-d', '--log', logFile]);
    expect(started.code).toBe(0);
    masters.add(await pidFromFile(shellDir.path));

    const keepAlive = startLoad({ port: shellPort, path: '/v', keepAlive: true, concurrency: 8 });
    const close = startLoad({ port: shellPort, path: '/v', keepAlive: false, concurrency: 4 });
    try {
      for (let i = 0; i < SHELL_UPGRADES; i += 1) {
        const old = await pidFromFile(shellDir.path);
        expect((await runCli(['-c', shellDir.path, '-t'])).code).toBe(0);
        process.kill(old, 'SIGQUIT');
        const upgraded = await runCli([...common, '-d', '-u', '--log', logFile]);
        expect(upgraded.code, upgraded.stderr).toBe(0);
        const successor = await pidFromFile(shellDir.path);
        masters.add(successor);
        expect(successor).not.toBe(old);
        expect(await eventually(async () => !(await isAlive(old)), 10_000)).toBe(true);
        expect(await isAlive(successor)).toBe(true);
      }
    } finally {
      const results = { keepAlive: await keepAlive.stop(), close: await close.stop() };
      expect(results.keepAlive.failures).toEqual({});
      expect(results.close.failures).toEqual({});
      expect(results.keepAlive.ok).toBeGreaterThan(SHELL_UPGRADES);
    }
    expect((await httpGet(shellPort, '/v')).body).toBe('ok');
    expect((await runCli(['-c', shellDir.path, '-s', 'quit'])).code).toBe(0);
  }, 90_000);

  it('stops gracefully after --upgrade-wait when no new master comes after SIGQUIT', async () => {
    const quitDir = await createConfigDir();
    dirs.push(quitDir);
    const quitPort = await freePort();
    await quitDir.write(CONFIG(quitPort));
    const master = startLouailink(['-c', quitDir.path, '--workers', '1', '--upgrade-wait', '1s']);
    await master.waitForLog((line) => line.msg === 'louailink started');
    const quitAt = Date.now();
    master.signal('SIGQUIT');
    // Still serving during the wait.
    expect((await httpGet(quitPort, '/v')).body).toBe('ok');
    expect(await master.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - quitAt).toBeGreaterThanOrEqual(900);
  }, 20_000);
});
