/**
 * Replacing the master process without closing a listening socket (zero-downtime.md §7.4). The running
 * master spawns its successor, passing every listening socket as an inherited file descriptor
 * (`LOUAILINK_INHERITED_FDS=4=127.0.0.1:8080,5=…`) plus an IPC channel. The successor adopts the sockets
 * (the same sockets: one accept queue), starts its workers, writes the pid file, binds the control socket
 * and reports ready (ready-notify.ts); only then does the old master drain its workers and exit. A
 * successor that dies or is not ready in time is killed and the old master carries on.
 *
 * The successor's command line is this master's own (SIGUSR2: the code now on disk) or the one a
 * `louailink -u` process sent over the control socket (that flow spawns the successor detached, logging to
 * its `--log` file).
 */
import { spawn } from 'node:child_process';
import type { StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { SpawnSpec } from './control-protocol.ts';
import { READY_NOTIFY_ENV, waitForChildReady } from './ready-notify.ts';
import type { ChildReadyOutcome } from './ready-notify.ts';
import type { SocketTable } from './socket-table.ts';

export const INHERITED_FDS_ENV = 'LOUAILINK_INHERITED_FDS';

/** stdio: 0 ignored, 1 and 2 logs, 3 IPC, 4… the listening sockets. */
const FIRST_SOCKET_FD = 4;

/** Spawns the successor master and waits for its ready; kills it on failure. */
export function spawnSuccessor(sockets: SocketTable, readyTimeoutMs: number, spec?: SpawnSpec): Promise<ChildReadyOutcome> {
  const keys = sockets.keys;
  const fds = keys.map((key) => sockets.fdOf(key));
  const inherited = keys.map((key, i) => `${FIRST_SOCKET_FD + i}=${key}`).join(',');
  const logFd = spec?.logFile === undefined ? undefined : openSync(spec.logFile, 'a');
  const logs: StdioOptions = logFd === undefined ? ['ignore', 'inherit', 'inherit'] : ['ignore', logFd, logFd];
  try {
    const child = spawn(spec?.execPath ?? process.execPath, spec?.args ?? [...process.execArgv, ...process.argv.slice(1)], {
      stdio: [...logs, 'ipc', ...fds],
      cwd: spec?.cwd ?? process.cwd(),
      env: { ...(spec?.env ?? process.env), [INHERITED_FDS_ENV]: inherited, [READY_NOTIFY_ENV]: '1' },
      // Started for `louailink -u`: a daemon in its own session, like `-d`.
      detached: spec !== undefined,
    });
    return waitForChildReady(child, readyTimeoutMs, 'the new master');
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
}

/**
 * In a successor: adopts the sockets named by LOUAILINK_INHERITED_FDS and removes the variable, so workers
 * and later successors do not see it. Returns whether this process was started as a successor.
 */
export function adoptInheritedSockets(sockets: SocketTable, env: NodeJS.ProcessEnv = process.env): boolean {
  const text = env[INHERITED_FDS_ENV];
  if (text === undefined) return false;
  delete env[INHERITED_FDS_ENV];
  for (const entry of text.split(',')) {
    const equals = entry.indexOf('=');
    const fd = Number(entry.slice(0, equals));
    if (equals < 0 || !Number.isInteger(fd)) continue;
    sockets.adopt(entry.slice(equals + 1), fd);
  }
  return true;
}
