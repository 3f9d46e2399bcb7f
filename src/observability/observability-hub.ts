/**
 * Where a worker gets cluster-wide answers for /metrics, /metrics/summary and /health. In a cluster the
 * master holds them (IpcHub, see worker-channel.ts); a gateway started without a master answers from its
 * own ClusterState (LocalHub), which sees exactly one worker: itself.
 */
import { ClusterState } from './cluster-state.ts';
import type { WorkerReport } from './cluster-state.ts';
import type { HealthInfo } from './observability-messages.ts';
import type { UsageSummary } from './usage-report.ts';

export interface ObservabilityHub {
  metricsText(): Promise<string>;
  summary(): Promise<UsageSummary>;
  health(): Promise<HealthInfo>;
}

const SELF = 'self';

export class LocalHub implements ObservabilityHub {
  readonly #state = new ClusterState();
  readonly #collect: () => Promise<WorkerReport>;

  constructor(collect: () => Promise<WorkerReport>) {
    this.#collect = collect;
  }

  async #refresh(): Promise<void> {
    this.#state.apply(SELF, await this.#collect());
  }

  async metricsText(): Promise<string> {
    await this.#refresh();
    return this.#state.metrics.render();
  }

  async summary(): Promise<UsageSummary> {
    await this.#refresh();
    return this.#state.summary();
  }

  async health(): Promise<HealthInfo> {
    await this.#refresh();
    return this.#state.health();
  }
}
