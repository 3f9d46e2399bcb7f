/**
 * SIGUSR2: replace the master process without closing a listening socket (nginx's USR2, zero-downtime.md
 * §7.4). The running master spawns its successor from the same command line, passing every listening
 * socket as an inherited file descriptor (`LOUAILINK_INHERITED_FDS=4=127.0.0.1:8080,5=…`) and an IPC
 * channel. The successor adopts the sockets (the same sockets: one accept queue), starts its workers,
 * writes the pid file, binds the control socket, and reports `upgrade-ready`; only then does the old
 * master drain its workers and exit. A successor that dies or is not ready in time is killed and the old
 * master carries on.
 */
import { spawn } from 'node:child_process';
import type { SocketTable } from './socket-table.ts';

export const INHERITED_FDS_ENV = 'LOUAILINK_INHERITED_FDS';

/** stdio: 0 ignore, 1 and 2 inherited (same log destination), 3 IPC, 4… the listening sockets. */
const FIRST_SOCKET_FD = 4;

export type SuccessorOutcome = { readonly ok: true; readonly pid: number } | { readonly ok: false; readonly message: string };

interface UpgradeReady {
  readonly type: 'upgrade-ready';
  readonly pid: number;
}

function isUpgradeReady(value: unknown): value is UpgradeReady {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'upgrade-ready';
}

/** Spawns the successor master and waits for its `upgrade-ready`; kills it on failure. */
export function spawnSuccessor(sockets: SocketTable, readyTimeoutMs: number): Promise<SuccessorOutcome> {
  const keys = sockets.keys;
  const fds = keys.map((key) => sockets.fdOf(key));
  const inherited = keys.map((key, i) => `${FIRST_SOCKET_FD + i}=${key}`).join(',');
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc', ...fds],
    env: { ...process.env, [INHERITED_FDS_ENV]: inherited },
  });
  return new Promise<SuccessorOutcome>((resolve) => {
    const done = (outcome: SuccessorOutcome): void => {
      clearTimeout(timer);
      child.removeAllListeners('message');
      child.removeAllListeners('exit');
      if (child.connected) child.disconnect();
      if (!outcome.ok && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // The successor outlives this process; nothing here may keep the old master alive.
      child.unref();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ ok: false, message: `the new master was not ready within ${readyTimeoutMs} ms` }), readyTimeoutMs);
    child.on('message', (message: unknown) => {
      if (isUpgradeReady(message)) done({ ok: true, pid: message.pid });
    });
    child.once('exit', (code, signal) => done({ ok: false, message: `the new master exited before it was ready (code ${code}, signal ${signal})` }));
    child.once('error', (err) => done({ ok: false, message: `cannot start the new master: ${err.message}` }));
  });
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

/** In a successor, once serving: tells the old master to retire, then closes the channel. */
export function notifyPredecessor(): void {
  if (process.send === undefined || !process.connected) return;
  process.send({ type: 'upgrade-ready', pid: process.pid } satisfies UpgradeReady, undefined, {}, () => {
    if (process.connected) process.disconnect();
  });
}
