/**
 * Replacing the master process on the very same listening sockets, under keep-alive and `Connection:
 * close` load, 0 failed requests, the pid file naming the new master and the old one gone:
 * - SIGUSR2 (nginx style: the master spawns its successor), 3 times;
 * - the shell flow `louailink -t && kill -QUIT <pid> && louailink -d -u --log FILE`, 5 times.
 * Background masters are not children of the test: every pid seen is killed in afterAll.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { eventually, httpGet } from './helpers/http.ts';
import { startLoad } from './helpers/load-generator.ts';
import { isAlive, runBin } from './helpers/louailink-process.ts';
import { cleanupMasters, prepareConfig, startMaster } from './helpers/master-fixture.ts';

/** SIGUSR2 upgrades (the shell flow runs 5 times, as the issue asks). */
const USR2_UPGRADES = 3;
const SHELL_UPGRADES = 5;

const config = (port: number): string => gatewayConfig({ ports: port, body: 'ok' });

/** Every master pid seen: background masters are not children of the test, afterAll kills them. */
const masters = new Set<number>();
/** Config directories of background masters: their pid files name the latest master even after a failed step. */
const backgroundDirs: string[] = [];

afterAll(async () => {
  for (const configDir of backgroundDirs) {
    const pid = await pidFromFile(configDir).catch(() => undefined);
    if (pid !== undefined && Number.isInteger(pid)) masters.add(pid);
  }
  for (const pid of masters) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await cleanupMasters();
});


async function pidFromFile(configDir: string): Promise<number> {
  return Number((await readFile(join(configDir, 'louailink.pid'), 'utf8')).trim());
}

/**
 * Runs `upgrade` (which returns the new master's pid) `times` times under keep-alive and `Connection:
 * close` load; after each, the pid file names the new master and the old one is gone. No request may fail.
 */
async function upgradeUnderLoad(port: number, configDir: string, times: number, upgrade: (old: number) => Promise<number>): Promise<void> {
  const keepAlive = startLoad({ port, path: '/v', keepAlive: true, concurrency: 8 });
  const close = startLoad({ port, path: '/v', keepAlive: false, concurrency: 4 });
  try {
    for (let i = 0; i < times; i += 1) {
      const old = await pidFromFile(configDir);
      const successor = await upgrade(old);
      masters.add(successor);
      expect(successor).not.toBe(old);
      expect(await pidFromFile(configDir)).toBe(successor);
      expect(await eventually(async () => !(await isAlive(old)), 45_000)).toBe(true);
      expect(await isAlive(successor)).toBe(true);
    }
  } finally {
    const results = { keepAlive: await keepAlive.stop(), close: await close.stop() };
    expect(results.keepAlive.failures).toEqual({});
    expect(results.close.failures).toEqual({});
    expect(results.keepAlive.ok).toBeGreaterThan(times);
    expect(results.close.ok).toBeGreaterThan(times);
  }
  expect((await httpGet(port, '/v')).body).toBe('ok');
}

describe('master upgrade (SIGUSR2)', () => {
  it('replaces the master 3 times under load without failing a request', async () => {
    const { dir, port, master } = await startMaster(config, ['--workers', '2', '--drain-timeout', '10s']);
    masters.add(master.pid);
    backgroundDirs.push(dir.path);
    await upgradeUnderLoad(port, dir.path, USR2_UPGRADES, async (old) => {
      process.kill(old, 'SIGUSR2');
      // Every master logs to the first one's stdout (successors inherit it).
      const started = await master.waitForLog((line) => line.msg === 'louailink started' && line.pid !== undefined && !masters.has(line.pid));
      return started.pid ?? -1;
    });
    expect(await master.exited).toEqual({ code: 0, signal: null });
  }, 300_000);
});

describe('master upgrade (-t, SIGQUIT, -d -u)', () => {
  it('hands over 5 times in the shell flow under load without failing a request', async () => {
    const { dir, port } = await prepareConfig(config);
    backgroundDirs.push(dir.path);
    const logFile = join(dir.path, 'louailink.log');
    const common = ['-c', dir.path, '--workers', '2', '--drain-timeout', '10s'];
    expect((await runBin([...common, '-d', '--log', logFile])).code).toBe(0);
    masters.add(await pidFromFile(dir.path));
    await upgradeUnderLoad(port, dir.path, SHELL_UPGRADES, async (old) => {
      expect((await runBin(['-c', dir.path, '-t'])).code).toBe(0);
      process.kill(old, 'SIGQUIT');
      const upgraded = await runBin([...common, '-d', '-u', '--log', logFile]);
      expect(upgraded.code, upgraded.stderr).toBe(0);
      return await pidFromFile(dir.path);
    });
    expect((await runBin(['-c', dir.path, '-s', 'quit'])).code).toBe(0);
  }, 300_000);

  it('stops gracefully after --upgrade-wait when no new master comes after SIGQUIT', async () => {
    const { port, master } = await startMaster(config, ['--workers', '1', '--upgrade-wait', '1s']);
    const quitAt = Date.now();
    master.signal('SIGQUIT');
    // Still serving during the wait.
    expect((await httpGet(port, '/v')).body).toBe('ok');
    expect(await master.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - quitAt).toBeGreaterThanOrEqual(900);
  }, 60_000);
});
