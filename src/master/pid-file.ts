/**
 * The master's pid file: written atomically (temporary file + rename, so a reader never sees a partial
 * pid) once the master is ready, removed at exit only while it still names this process (a successor may
 * have replaced it).
 */
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.ts';

export const PID_FILE_NAME = 'louailink.pid';

/** Default pid file: `louailink.pid` in the config directory. */
export function defaultPidFile(configDir: string): string {
  return join(configDir, PID_FILE_NAME);
}

/** `basic.pid_file` (relative to the config directory), else the default. */
export function pidFileOf(loaded: LoadedConfig): string {
  const configured = loaded.config.basic.pid_file;
  return configured === undefined ? defaultPidFile(loaded.configDir) : resolve(loaded.configDir, configured);
}

/** The control socket lives beside the pid file: `louailink.pid` → `louailink.sock`. */
export function controlSocketPathFor(pidFile: string): string {
  const base = pidFile.endsWith('.pid') ? pidFile.slice(0, -'.pid'.length) : pidFile;
  return `${base}.sock`;
}

export async function writePidFile(path: string, pid: number = process.pid): Promise<void> {
  const temporary = join(dirname(path), `.${PID_FILE_NAME}.${pid}.tmp`);
  await writeFile(temporary, `${pid}\n`, { mode: 0o644 });
  await rename(temporary, path);
}

export async function readPidFile(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the pid file if it still names `pid`; returns whether it did. */
export async function removePidFile(path: string, pid: number = process.pid): Promise<boolean> {
  if ((await readPidFile(path)) !== pid) return false;
  try {
    await unlink(path);
    return true;
  } catch {
    return false;
  }
}
