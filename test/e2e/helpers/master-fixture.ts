/**
 * One master per test file or test: a temporary config directory, a free port, the real binary started
 * with `args`, resolved once it logs "louailink started". `cleanupMasters` (afterAll) kills every process
 * still running and removes the directories.
 */
import { freePort } from '../../helpers/ports.ts';
import { createConfigDir } from './config-dir.ts';
import type { ConfigDir } from './config-dir.ts';
import { startLouailink, stopAll } from './louailink-process.ts';
import type { LouailinkProcess } from './louailink-process.ts';

export interface MasterFixture {
  readonly dir: ConfigDir;
  readonly port: number;
  readonly master: LouailinkProcess;
}

const dirs: ConfigDir[] = [];

/** A config directory with `yaml(port)` written, not served yet. */
export async function prepareConfig(yaml: (port: number) => string): Promise<{ dir: ConfigDir; port: number }> {
  const dir = await createConfigDir();
  dirs.push(dir);
  const port = await freePort();
  await dir.write(yaml(port));
  return { dir, port };
}

export async function startMaster(yaml: (port: number) => string, args: readonly string[]): Promise<MasterFixture> {
  const { dir, port } = await prepareConfig(yaml);
  const master = startLouailink(['-c', dir.path, ...args]);
  await master.waitForLog((line) => line.msg === 'louailink started');
  return { dir, port, master };
}

export async function cleanupMasters(): Promise<void> {
  await stopAll();
  await Promise.all(dirs.splice(0).map((dir) => dir.remove()));
}
