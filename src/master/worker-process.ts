/**
 * One forked worker as the master sees it: fork, hand over the listen handles and the config once the
 * worker says `booted`, wait for its explicit `ready` (never a timer: zero-downtime.md pitfall 11), then
 * drain or stop it. The master never signals a worker to stop it (workers ignore signals); it sends IPC
 * messages and uses SIGKILL only as the deadline backstop.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { isWorkerMessage } from '../core/ipc.ts';
import type { CircuitView, MasterMessage, WorkerMessage } from '../core/ipc.ts';
import type { LoadedConfig } from '../config/load.ts';
import { MasterError } from './master-error.ts';
import type { SocketTable } from './socket-table.ts';

export type WorkerState = 'starting' | 'ready' | 'draining' | 'stopping' | 'exited';

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: string | null;
}

export interface WorkerStartOptions {
  readonly generation: number;
  readonly slot: number;
  readonly loaded: LoadedConfig;
  readonly listenKeys: readonly string[];
  readonly sockets: SocketTable;
  /** From fork to `ready`; past it the worker is killed and `ready` rejects with LL_WORKER_NOT_READY. */
  readonly readyTimeoutMs: number;
  /** `--log FILE` (undefined: stdout). */
  readonly logFile: string | undefined;
}

export interface WorkerStatus {
  readonly pid: number;
  readonly slot: number;
  readonly state: WorkerState;
  readonly requestsInFlight: number | null;
  readonly rssBytes: number | null;
  /** Circuit breakers of the worker that are not closed; null when it did not answer. */
  readonly circuits: readonly CircuitView[] | null;
}

/** After a drain or stop deadline, how long the master still waits before SIGKILL. */
const KILL_MARGIN_MS = 2_000;
const FAST_STOP_KILL_MS = 2_000;
const STATUS_TIMEOUT_MS = 1_000;

export class WorkerProcess {
  readonly slot: number;
  readonly generation: number;
  readonly pid: number;
  readonly startedAt = Date.now();
  /** Resolves once the worker listens on every handle with its runtime compiled. */
  readonly ready: Promise<void>;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<WorkerExit>;
  #state: WorkerState = 'starting';
  #addresses: readonly string[] = [];
  /** The worker has its handles and config: from now on it may accept connections. */
  #isStartSent = false;
  readonly #worker: Worker;
  #killTimer: NodeJS.Timeout | undefined;
  #statusWaiters: ((message: Extract<WorkerMessage, { type: 'status' }> | undefined) => void)[] = [];

  constructor(options: WorkerStartOptions) {
    this.slot = options.slot;
    this.generation = options.generation;
    this.#worker = cluster.fork();
    this.pid = this.#worker.process.pid ?? -1;
    this.exited = new Promise((resolve) => {
      this.#worker.once('exit', (code: number | null, signal: string | null) => {
        this.#state = 'exited';
        clearTimeout(this.#killTimer);
        for (const waiter of this.#statusWaiters.splice(0)) waiter(undefined);
        resolve({ code, signal });
      });
    });
    this.ready = this.#waitReady(options);
    // Rejections are handled by whoever awaits `ready`; this keeps an unobserved one from crashing the master.
    this.ready.catch(() => undefined);
    this.#worker.on('error', () => undefined);
  }

  get state(): WorkerState {
    return this.#state;
  }

  /** What the worker listens on, as it reported when ready ("http://127.0.0.1:8080"). */
  get addresses(): readonly string[] {
    return this.#addresses;
  }

  get isExited(): boolean {
    return this.#state === 'exited';
  }

  /** Graceful: stop accepting, finish what runs for up to `timeoutMs`, then exit; SIGKILL after a margin. */
  drain(timeoutMs: number, idleGraceMs: number): void {
    if (this.#state === 'exited' || this.#state === 'draining' || this.#state === 'stopping') return;
    if (this.#state === 'starting' && !this.#isStartSent) {
      // Never given a socket: nothing to drain.
      this.kill();
      return;
    }
    const wasStarting = this.#state === 'starting';
    this.#state = 'draining';
    this.#armKill(timeoutMs + KILL_MARGIN_MS);
    // A worker still starting may already accept on the shared socket: drain it once it is ready.
    if (wasStarting) this.ready.then(() => this.#send({ type: 'drain', timeoutMs, idleGraceMs }), () => undefined);
    else this.#send({ type: 'drain', timeoutMs, idleGraceMs });
  }

  /** Fast: close everything now; SIGKILL if the worker has not exited shortly after. */
  stop(): void {
    if (this.#state === 'exited' || this.#state === 'stopping') return;
    this.#state = 'stopping';
    this.#send({ type: 'stop' });
    this.#armKill(FAST_STOP_KILL_MS);
  }

  reopenLogs(): void {
    if (this.#state === 'ready' || this.#state === 'draining') this.#send({ type: 'reopen-logs' });
  }

  kill(): void {
    if (this.#state === 'exited') return;
    this.#state = 'stopping';
    this.#worker.process.kill('SIGKILL');
  }

  async status(): Promise<WorkerStatus> {
    const base = { pid: this.pid, slot: this.slot, state: this.#state };
    if (this.#state === 'exited') return { ...base, requestsInFlight: null, rssBytes: null, circuits: null };
    const reply = await new Promise<Extract<WorkerMessage, { type: 'status' }> | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), STATUS_TIMEOUT_MS);
      this.#statusWaiters.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.#send({ type: 'status' });
    });
    return { ...base, requestsInFlight: reply?.requestsInFlight ?? null, rssBytes: reply?.rssBytes ?? null, circuits: reply?.circuits ?? null };
  }

  #waitReady(options: WorkerStartOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const fail = (message: string): void => {
        clearTimeout(timer);
        this.kill();
        reject(new MasterError('LL_WORKER_NOT_READY', message));
      };
      const timer = setTimeout(
        () => fail(`worker ${this.pid} was not ready within ${options.readyTimeoutMs} ms`),
        options.readyTimeoutMs,
      );
      this.#worker.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) return;
        switch (message.type) {
          case 'booted':
            if (this.#state !== 'starting') {
              this.kill();
              return;
            }
            try {
              this.#sendStart(options);
            } catch (err) {
              // A socket released meanwhile (the master is stopping, a reload failed).
              fail(`worker ${this.pid} cannot start: ${(err as Error).message}`);
            }
            return;
          case 'ready':
            clearTimeout(timer);
            this.#addresses = message.addresses;
            if (this.#state === 'starting') this.#state = 'ready';
            resolve();
            return;
          case 'start-failed':
            fail(`worker ${this.pid} failed to start: ${message.code}: ${message.message}`);
            return;
          case 'status':
            this.#statusWaiters.shift()?.(message);
            return;
        }
      });
      void this.exited.then((exit) => {
        clearTimeout(timer);
        reject(new MasterError('LL_WORKER_NOT_READY', `worker ${this.pid} exited before ready (code ${exit.code}, signal ${exit.signal})`));
      });
    });
  }

  #sendStart(options: WorkerStartOptions): void {
    const handles = options.listenKeys.map((key) => ({ key, handle: options.sockets.handleOf(key) }));
    this.#isStartSent = true;
    for (const { key, handle } of handles) this.#send({ type: 'listen', key }, handle);
    this.#send({
      type: 'start',
      generation: options.generation,
      slot: options.slot,
      loaded: options.loaded,
      listenKeys: options.listenKeys,
      logFile: options.logFile ?? null,
    });
  }

  #send(message: MasterMessage<LoadedConfig>, handle?: ReturnType<SocketTable['handleOf']>): void {
    if (this.#state === 'exited' || !this.#worker.isConnected()) return;
    // keepOpen: the master's own copy of the listening socket must stay open after the send.
    this.#worker.send(message, handle, { keepOpen: true }, () => undefined);
  }

  #armKill(afterMs: number): void {
    clearTimeout(this.#killTimer);
    this.#killTimer = setTimeout(() => this.#worker.process.kill('SIGKILL'), afterMs);
    this.#killTimer.unref();
  }
}
