/**
 * The master's end of the observability IPC (src/observability/observability-messages.ts). It never
 * serves HTTP: a worker answering /metrics, /metrics/summary or /health sends obs:query; the master
 * asks every reporting worker for a fresh report (obs:collect, answers awaited up to COLLECT_TIMEOUT_MS;
 * a worker that does not answer counts with its last report), then answers from the ClusterState.
 *
 * Why not prom-client's `clusterMetrics()`: it fails the whole scrape when one worker does not answer in
 * 5 s (a draining or dying worker), and it forgets the counters of every worker that exited, so totals
 * would drop at each reload. Here a worker whose channel closes is retired: its last counters and
 * histograms stay in the totals (ClusterState.retire). prom-client still does the merging and the text
 * format (AggregatorRegistry.aggregate).
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { ClusterState } from '../observability/cluster-state.ts';
import { isObsWorkerMessage } from '../observability/observability-messages.ts';
import type { ObsMasterMessage, ObsWorkerMessage } from '../observability/observability-messages.ts';

const COLLECT_TIMEOUT_MS = 500;

interface CollectRound {
  readonly id: number;
  readonly waiting: Set<string>;
  readonly done: Promise<void>;
  finish(): void;
}

export class MetricsAggregator {
  readonly state: ClusterState;
  readonly #log: Logger;
  #round: CollectRound | undefined;
  /** Workers whose channel closed (cluster ids are never reused by one master). */
  readonly #retired = new Set<string>();
  #nextRound = 1;

  constructor(logger: Logger, startedAtMs = Date.now()) {
    this.#log = logger;
    this.state = new ClusterState(startedAtMs);
    cluster.on('message', this.#onMessage);
    // Retire on 'disconnect', not 'exit': the channel closes only after every message it carried was
    // delivered (the final report included), while 'exit' may come first.
    cluster.on('disconnect', this.#onGone);
  }

  close(): void {
    cluster.off('message', this.#onMessage);
    cluster.off('disconnect', this.#onGone);
    this.#round?.finish();
  }

  #onGone = (worker: Worker): void => {
    this.#retired.add(String(worker.id));
    this.state.retire(String(worker.id));
    this.#round?.waiting.delete(String(worker.id));
    this.#maybeFinishRound();
  };

  #onMessage = (worker: Worker, message: unknown): void => {
    if (!isObsWorkerMessage(message)) return;
    const id = String(worker.id);
    if (message.type === 'obs:report') {
      // Its counters are in the retired totals already; applying it again would count them twice.
      if (this.#retired.has(id)) return;
      this.state.apply(id, message);
      if (message.round !== undefined && this.#round?.id === message.round) {
        this.#round.waiting.delete(id);
        this.#maybeFinishRound();
      }
      return;
    }
    void this.#answer(worker, message);
  };

  async #answer(worker: Worker, query: Extract<ObsWorkerMessage, { type: 'obs:query' }>): Promise<void> {
    let reply: ObsMasterMessage;
    try {
      await this.#collect();
      switch (query.kind) {
        case 'metrics':
          reply = { type: 'obs:answer', id: query.id, text: await this.state.metrics.render() };
          break;
        case 'summary':
          reply = { type: 'obs:answer', id: query.id, summary: this.state.summary() };
          break;
        case 'health':
          reply = { type: 'obs:answer', id: query.id, health: this.state.health() };
          break;
      }
    } catch (err) {
      this.#log.error({ event: 'metrics', err }, 'could not answer an observability query');
      reply = { type: 'obs:answer', id: query.id, error: (err as Error).message };
    }
    if (worker.isConnected()) worker.send(reply, undefined, {}, () => undefined);
  }

  /** One collection round at a time; queries arriving meanwhile share it. */
  #collect(): Promise<void> {
    if (this.#round !== undefined) return this.#round.done;
    const known = new Set(this.state.workerIds);
    const waiting = new Set<string>();
    const id = this.#nextRound++;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker === undefined || !worker.isConnected() || !known.has(String(worker.id))) continue;
      waiting.add(String(worker.id));
      worker.send({ type: 'obs:collect', round: id } satisfies ObsMasterMessage, undefined, {}, () => undefined);
    }
    let finish = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), COLLECT_TIMEOUT_MS);
      finish = () => {
        clearTimeout(timer);
        if (this.#round?.id === id) this.#round = undefined;
        resolve();
      };
    });
    this.#round = { id, waiting, done, finish: () => finish() };
    this.#maybeFinishRound();
    return done;
  }

  #maybeFinishRound(): void {
    if (this.#round !== undefined && this.#round.waiting.size === 0) this.#round.finish();
  }
}
