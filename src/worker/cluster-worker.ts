/**
 * The worker side of the master protocol (src/core/ipc.ts), independent of what the worker serves: collect
 * the listen handles, start the runtime on them when `start` arrives, report `ready` or `start-failed`,
 * drain or stop on request, answer `status` (with the circuits that are not closed), exit. The process
 * title is "llk-worker" (never "louailink", so `pkill louailink` matches only the master) and every signal
 * an operator may send to the master is ignored here: the master manages workers over IPC, and Node's defaults would kill the process on
 * SIGQUIT and open the inspector on SIGUSR1 (zero-downtime.md §7.5, pitfalls 6 and 7).
 */
import { isMasterMessage } from '../core/ipc.ts';
import type { CircuitView, MasterMessage, WorkerMessage } from '../core/ipc.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { DrainOptions } from './connection-drain.ts';

export const WORKER_TITLE = 'llk-worker';

const IGNORED_SIGNALS = ['SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGINT', 'SIGWINCH'] as const;

/** An opaque listening handle received from the master; pass it to `server.listen(handle)`. */
export type ListenHandle = object;

export interface WorkerRuntimeStart {
  readonly loaded: LoadedConfig;
  /** Listen key ("127.0.0.1:8080", as `parseListenAddress(..).key`) → the master's listening handle. */
  readonly handles: ReadonlyMap<string, ListenHandle>;
  readonly generation: number;
  readonly slot: number;
  /** `--log FILE`, or undefined for stdout. */
  readonly logFile: string | undefined;
}

export interface WorkerRuntime {
  readonly addresses: readonly string[];
  readonly requestsInFlight: () => number;
  /** Stop accepting, finish requests and streams (cut at `timeoutMs`); resolves when nothing is left. */
  readonly drain: (options: DrainOptions) => Promise<void>;
  /** Close everything now. */
  readonly stop: () => Promise<void>;
  /** Open every log file again (SIGUSR1 or `-s reopen` in the master, built-in rotation). */
  readonly reopenLogs: () => void;
  /** The circuit breakers that are not closed now (`-s status`); absent: none are tracked. */
  readonly notClosedCircuits?: () => readonly CircuitView[];
}

export type StartWorkerRuntime = (start: WorkerRuntimeStart) => Promise<WorkerRuntime>;

/** Installs the worker's message handling; call first thing in the worker's main module. */
export function runClusterWorker(startRuntime: StartWorkerRuntime): void {
  process.title = WORKER_TITLE;
  for (const signal of IGNORED_SIGNALS) process.on(signal, () => undefined);
  const send = (message: WorkerMessage): void => {
    if (process.connected) process.send?.(message);
  };
  const handles = new Map<string, ListenHandle>();
  let runtime: WorkerRuntime | undefined;
  let isEnding = false;

  const end = (work: Promise<void>): void => {
    if (isEnding) return;
    isEnding = true;
    work.then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };

  const start = async (message: Extract<MasterMessage<LoadedConfig>, { type: 'start' }>): Promise<void> => {
    const missing = message.listenKeys.filter((key) => !handles.has(key));
    if (missing.length > 0) throw Object.assign(new Error(`no listen handle for ${missing.join(', ')}`), { code: 'LL_HANDLE_MISSING' });
    runtime = await startRuntime({
      loaded: message.loaded,
      handles,
      generation: message.generation,
      slot: message.slot,
      logFile: message.logFile ?? undefined,
    });
    send({ type: 'ready', addresses: runtime.addresses });
  };

  process.on('message', (message: unknown, handle: unknown) => {
    if (!isMasterMessage<LoadedConfig>(message)) return;
    switch (message.type) {
      case 'listen':
        if (typeof handle === 'object' && handle !== null) handles.set(message.key, handle);
        return;
      case 'start':
        start(message).catch((err: unknown) => {
          const code = (err as { code?: unknown }).code;
          send({ type: 'start-failed', code: typeof code === 'string' ? code : 'LL_START_FAILED', message: (err as Error).message });
          end(Promise.resolve().then(() => process.exit(1)));
        });
        return;
      case 'drain':
        end(runtime === undefined ? Promise.resolve() : runtime.drain(message));
        return;
      case 'stop':
        end(runtime === undefined ? Promise.resolve() : runtime.stop());
        return;
      case 'reopen-logs':
        runtime?.reopenLogs();
        return;
      case 'status':
        send({
          type: 'status',
          requestsInFlight: runtime?.requestsInFlight() ?? 0,
          rssBytes: process.memoryUsage.rss(),
          circuits: runtime?.notClosedCircuits?.() ?? [],
        });
        return;
    }
  });
  send({ type: 'booted' });
}
