/**
 * "The new master is serving": how a master started by another process (`-d` launcher, an old master
 * during an upgrade) tells it so. The parent spawns it with an IPC channel and LOUAILINK_NOTIFY_READY=1;
 * once its workers are ready, the pid file written and the control socket bound, the master sends one
 * `master-ready` message and closes the channel. A master without that variable never uses its channel.
 */
import type { ChildProcess } from 'node:child_process';

export const READY_NOTIFY_ENV = 'LOUAILINK_NOTIFY_READY';

interface MasterReady {
  readonly type: 'master-ready';
  readonly pid: number;
}

export type ChildReadyOutcome = { readonly ok: true; readonly pid: number } | { readonly ok: false; readonly message: string };

function isMasterReady(value: unknown): value is MasterReady {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'master-ready';
}

/** In the parent: resolves when the child reports ready; kills it when it does not in time. */
export function waitForChildReady(child: ChildProcess, readyTimeoutMs: number, what: string): Promise<ChildReadyOutcome> {
  return new Promise<ChildReadyOutcome>((resolve) => {
    const done = (outcome: ChildReadyOutcome): void => {
      clearTimeout(timer);
      child.removeAllListeners('message');
      child.removeAllListeners('exit');
      if (child.connected) child.disconnect();
      if (!outcome.ok && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // The child outlives this process; nothing here may keep the parent alive.
      child.unref();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ ok: false, message: `${what} was not ready within ${readyTimeoutMs} ms` }), readyTimeoutMs);
    child.on('message', (message: unknown) => {
      if (isMasterReady(message)) done({ ok: true, pid: message.pid });
    });
    child.once('exit', (code, signal) => done({ ok: false, message: `${what} exited before it was ready (code ${code}, signal ${signal})` }));
    child.once('error', (err) => done({ ok: false, message: `cannot start ${what}: ${err.message}` }));
  });
}

/**
 * In a master, at start-up: whether the parent asked for a ready notification. Removes the variable so
 * the workers (forked with this environment) and later successors do not inherit it.
 */
export function takeReadyNotifyRequest(env: NodeJS.ProcessEnv = process.env): boolean {
  const isRequested = env[READY_NOTIFY_ENV] === '1';
  delete env[READY_NOTIFY_ENV];
  return isRequested && process.send !== undefined;
}

/** In a master that was asked to: reports ready to the parent, then closes the channel. */
export function notifyParentReady(): void {
  if (process.send === undefined || !process.connected) return;
  process.send({ type: 'master-ready', pid: process.pid } satisfies MasterReady, undefined, {}, () => {
    if (process.connected) process.disconnect();
  });
}
