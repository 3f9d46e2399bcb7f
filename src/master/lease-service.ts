/**
 * The master's end of cluster-wide limits (src/limits/limit-server.ts): one LimitServer for the master's
 * lifetime, so windows, buckets and token counts survive reloads; every worker of every generation is
 * served from it through one `cluster.on('message')` listener (as the metrics aggregator does), so a
 * worker that forks later needs no setup. When a worker's channel closes, the concurrency slots it held
 * are freed; what it was granted of a window stays counted (exact from above; a draining worker gives
 * back what it did not spend before it exits). Lease batches shrink with the number of workers of the
 * serving generation. Ended windows are swept periodically on an unref'd timer.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { LimitServer } from '../limits/limit-server.ts';
import type { LimitMasterMessage, LimitPeer } from '../limits/limit-server.ts';

/** What the service needs of node:cluster (tests pass an EventEmitter with fake workers). */
export interface ClusterHub {
  on(event: 'message', listener: (worker: Worker, message: unknown) => void): unknown;
  on(event: 'disconnect', listener: (worker: Worker) => void): unknown;
  off(event: 'message', listener: (worker: Worker, message: unknown) => void): unknown;
  off(event: 'disconnect', listener: (worker: Worker) => void): unknown;
  readonly workers?: NodeJS.Dict<Worker> | undefined;
}

export interface LeaseServiceOptions {
  /** Workers serving now (the current generation); default: every connected worker. */
  readonly workerCount?: () => number;
  readonly sweepIntervalMs?: number;
  readonly now?: () => number;
}

const SWEEP_INTERVAL_MS = 60_000;

function send(worker: Worker, message: LimitMasterMessage): void {
  // The callback turns a channel closed in the meantime into a no-op instead of an 'error' event.
  if (worker.isConnected()) worker.send(message, undefined, {}, () => undefined);
}

export class LeaseService {
  readonly server: LimitServer;
  readonly #hub: ClusterHub;
  readonly #workerCount: () => number;
  readonly #timer: NodeJS.Timeout;
  readonly #peers = new Map<number, LimitPeer>();

  constructor(options: LeaseServiceOptions = {}, hub: ClusterHub = cluster) {
    const now = options.now ?? Date.now;
    this.server = new LimitServer(now);
    this.#hub = hub;
    this.#workerCount = options.workerCount ?? (() => this.#connectedWorkers().length);
    hub.on('message', this.#onMessage);
    // 'disconnect', not 'exit': the channel closes after every message it carried was delivered.
    hub.on('disconnect', this.#onGone);
    this.#timer = setInterval(() => this.server.sweep(now()), options.sweepIntervalMs ?? SWEEP_INTERVAL_MS);
    this.#timer.unref();
  }

  close(): void {
    this.#hub.off('message', this.#onMessage);
    this.#hub.off('disconnect', this.#onGone);
    clearInterval(this.#timer);
  }

  #onMessage = (worker: Worker, message: unknown): void => {
    this.server.handle(message, this.#peerOf(worker), this.#broadcast, this.#liveWorkers);
  };

  /** Slots are held per worker: its peer lives until its channel closes, then what it held is freed. */
  #onGone = (worker: Worker): void => {
    this.#peers.delete(worker.id);
    this.server.forget(String(worker.id));
  };

  #peerOf(worker: Worker): LimitPeer {
    let peer = this.#peers.get(worker.id);
    if (peer === undefined) {
      peer = { id: String(worker.id), send: (message) => send(worker, message) };
      this.#peers.set(worker.id, peer);
    }
    return peer;
  }

  #liveWorkers = (): number => Math.max(1, this.#workerCount());

  #broadcast = (notice: LimitMasterMessage): void => {
    for (const worker of this.#connectedWorkers()) send(worker, notice);
  };

  #connectedWorkers(): Worker[] {
    const connected: Worker[] = [];
    for (const worker of Object.values(this.#hub.workers ?? {})) if (worker !== undefined && worker.isConnected()) connected.push(worker);
    return connected;
  }
}
