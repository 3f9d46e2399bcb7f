/**
 * A generation: `count` workers running one config on the master's sockets. It starts all of them and is
 * ready only when every one reported ready; a worker of an active generation that dies unexpectedly is
 * replaced in its slot (the supervisor decides when, through `onCrash`). Draining retires the whole
 * generation; it has ended when every worker has exited.
 */
import type { LoadedConfig } from '../config/load.ts';
import type { SocketTable } from './socket-table.ts';
import { WorkerProcess } from './worker-process.ts';
import type { WorkerExit, WorkerStatus } from './worker-process.ts';

export type GenerationState = 'starting' | 'active' | 'draining' | 'ended';

export interface GenerationOptions {
  readonly id: number;
  readonly loaded: LoadedConfig;
  readonly listenKeys: readonly string[];
  readonly workerCount: number;
  readonly sockets: SocketTable;
  readonly readyTimeoutMs: number;
  readonly logFile: string | undefined;
  /** A worker of an active generation exited unexpectedly; the generation replaces it when `restart` is called. */
  readonly onCrash: (crash: WorkerCrash) => void;
}

export interface WorkerCrash {
  readonly generation: number;
  readonly slot: number;
  readonly pid: number;
  readonly uptimeMs: number;
  readonly exit: WorkerExit;
  /** Forks the replacement; resolves when it is ready, rejects when it failed to start. */
  readonly restart: () => Promise<WorkerProcess>;
}

export class Generation {
  readonly id: number;
  readonly loaded: LoadedConfig;
  readonly listenKeys: readonly string[];
  /** Resolves when every worker has exited after `drain`/`stop`/`kill`. */
  readonly ended: Promise<void>;
  readonly #options: GenerationOptions;
  readonly #slots: WorkerProcess[] = [];
  #state: GenerationState = 'starting';
  #resolveEnded: () => void = () => undefined;

  constructor(options: GenerationOptions) {
    this.#options = options;
    this.id = options.id;
    this.loaded = options.loaded;
    this.listenKeys = options.listenKeys;
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  get state(): GenerationState {
    return this.#state;
  }

  /** Listening addresses as the workers reported them (real ports even for port 0). */
  get addresses(): readonly string[] {
    return this.#slots[0]?.addresses ?? [];
  }

  get pids(): readonly number[] {
    return this.#slots.filter((w) => !w.isExited).map((w) => w.pid);
  }

  /** Forks every worker; resolves when all are ready. On failure the caller must `kill()` the generation. */
  async start(): Promise<void> {
    for (let slot = 0; slot < this.#options.workerCount; slot += 1) this.#slots[slot] = this.#fork(slot);
    await Promise.all(this.#slots.map((worker) => worker.ready));
    if (this.#state === 'starting') this.#state = 'active';
  }

  /** Stops accepting and lets requests and streams finish for up to `timeoutMs`. */
  drain(timeoutMs: number, idleGraceMs: number): Promise<void> {
    this.#retire();
    for (const worker of this.#slots) worker.drain(timeoutMs, idleGraceMs);
    this.#checkEnded();
    return this.ended;
  }

  /** Fast stop: workers close everything and exit. */
  stop(): Promise<void> {
    this.#retire();
    for (const worker of this.#slots) worker.stop();
    this.#checkEnded();
    return this.ended;
  }

  kill(): Promise<void> {
    this.#retire();
    for (const worker of this.#slots) worker.kill();
    this.#checkEnded();
    return this.ended;
  }

  reopenLogs(): void {
    for (const worker of this.#slots) worker.reopenLogs();
  }

  status(): Promise<WorkerStatus[]> {
    return Promise.all(this.#slots.filter((w) => !w.isExited).map((w) => w.status()));
  }

  #retire(): void {
    if (this.#state !== 'ended') this.#state = 'draining';
  }

  #fork(slot: number): WorkerProcess {
    const o = this.#options;
    const worker = new WorkerProcess({
      generation: this.id,
      slot,
      loaded: o.loaded,
      listenKeys: o.listenKeys,
      sockets: o.sockets,
      readyTimeoutMs: o.readyTimeoutMs,
      logFile: o.logFile,
    });
    void worker.exited.then((exit) => this.#onExit(worker, exit));
    return worker;
  }

  #onExit(worker: WorkerProcess, exit: WorkerExit): void {
    if (this.#state === 'draining' || this.#state === 'ended') {
      this.#checkEnded();
      return;
    }
    if (this.#state !== 'active' || this.#slots[worker.slot] !== worker) return;
    this.#options.onCrash({
      generation: this.id,
      slot: worker.slot,
      pid: worker.pid,
      uptimeMs: Date.now() - worker.startedAt,
      exit,
      restart: async () => {
        if (this.#state !== 'active') throw new Error(`generation ${this.id} is no longer active`);
        const replacement = this.#fork(worker.slot);
        this.#slots[worker.slot] = replacement;
        await replacement.ready;
        return replacement;
      },
    });
  }

  #checkEnded(): void {
    if (this.#state === 'ended') return;
    if (this.#state === 'draining' && this.#slots.every((w) => w.isExited)) {
      this.#state = 'ended';
      this.#resolveEnded();
    }
  }
}
