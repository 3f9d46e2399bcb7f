/**
 * `-d`: Node cannot fork(), so the launcher spawns the master detached (its own session), with stdout and
 * stderr appended to the `--log` file (or discarded), and exits only once the master reports ready
 * (ready-notify.ts): 0 with the master serving and its pid file written, non-zero with the reason if it
 * failed (zero-downtime.md pitfall 9; systemd `Type=forking` relies on this).
 */
import { spawn } from 'node:child_process';
import type { StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { READY_NOTIFY_ENV, waitForChildReady } from './ready-notify.ts';
import type { ChildReadyOutcome } from './ready-notify.ts';

export interface DaemonOptions {
  /** The launcher's arguments without `-d`/`-u`. */
  readonly args: readonly string[];
  readonly logFile: string | undefined;
  readonly readyTimeoutMs: number;
}

export function startDaemon(options: DaemonOptions): Promise<ChildReadyOutcome> {
  const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const logs: StdioOptions = logFd === undefined ? ['ignore', 'ignore', 'ignore'] : ['ignore', logFd, logFd];
  try {
    const child = spawn(process.execPath, [...process.execArgv, ...options.args], {
      stdio: [...logs, 'ipc'],
      env: { ...process.env, [READY_NOTIFY_ENV]: '1' },
      detached: true,
    });
    return waitForChildReady(child, options.readyTimeoutMs, 'the master');
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
}

/** The command line to run in the background: this process's arguments without the launcher flags. */
export function daemonArgs(argv: readonly string[] = process.argv): string[] {
  const launcherFlags = new Set(['-d', '--daemon', '-u', '--upgrade']);
  return argv.slice(1).filter((arg) => !launcherFlags.has(arg));
}
