/**
 * Everything cluster-wide that observability answers from, fed by worker reports: the metrics
 * (ClusterMetrics, retiring departed workers' counters), the usage windows and which generation serves.
 * The master holds one; a gateway running without a master (in-process mode) holds its own.
 */
import { ClusterMetrics } from './cluster-metrics.ts';
import type { HealthInfo, ObsWorkerMessage, WorkerIdentity } from './observability-messages.ts';
import type { UsageSummary } from './usage-report.ts';
import { UsageWindows } from './usage-windows.ts';

export type WorkerReport = Extract<ObsWorkerMessage, { type: 'obs:report' }>;

export class ClusterState {
  readonly metrics = new ClusterMetrics();
  readonly usage = new UsageWindows();
  readonly #identities = new Map<string, WorkerIdentity>();
  readonly #startedAtMs: number;

  constructor(startedAtMs = Date.now()) {
    this.#startedAtMs = startedAtMs;
  }

  apply(workerId: string, report: WorkerReport, nowMs = Date.now()): void {
    this.#identities.set(workerId, report.identity);
    this.metrics.update(workerId, report.metrics);
    this.usage.apply(workerId, report.usage, nowMs);
  }

  /** The worker exited (or its channel closed): keep its counters, drop its gauges and concurrency. */
  retire(workerId: string): void {
    this.metrics.retire(workerId);
    this.usage.forgetWorker(workerId);
    this.#identities.delete(workerId);
  }

  get workerIds(): readonly string[] {
    return [...this.#identities.keys()];
  }

  /**
   * The newest generation among the serving workers (or among all reporting workers while none serves
   * yet); `workers` counts its workers.
   */
  health(nowMs = Date.now()): HealthInfo {
    let generation = 0;
    let configVersion = '';
    let workers = 0;
    const all = [...this.#identities.values()];
    const serving = all.filter((identity) => identity.isServing === true);
    for (const identity of serving.length > 0 ? serving : all) {
      if (identity.generation > generation) {
        generation = identity.generation;
        configVersion = identity.configVersion;
        workers = 0;
      }
      if (identity.generation === generation) workers++;
    }
    return { workers, generation, config_version: configVersion, uptime_seconds: Math.floor((nowMs - this.#startedAtMs) / 1000) };
  }

  summary(nowMs = Date.now()): UsageSummary {
    const { workers, generation } = this.health(nowMs);
    return {
      generated_at: new Date(nowMs).toISOString(),
      workers,
      generation,
      locations: this.usage.locations(nowMs),
      tokens: this.usage.tokens(nowMs),
      keys: this.usage.keys(nowMs),
    };
  }
}
