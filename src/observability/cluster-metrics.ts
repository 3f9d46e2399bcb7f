/**
 * The master's view of every worker's metrics, so that totals survive reloads and crashes. Each live
 * worker's latest snapshot is kept; when a worker leaves (drained after a reload, crashed, replaced), its
 * last snapshot's counters and histograms are added to a "retired" accumulation, and its gauges dropped
 * (what it had in flight is over). The exposition is prom-client's cluster aggregation over
 * [retired, ...live]: counters and histograms summed, gauges by their own aggregator.
 *
 * A worker's counts since its last report are lost only when it dies without a final report (SIGKILL,
 * crash); a draining worker sends its final snapshot before it exits.
 */
import type promClientModule from 'prom-client';
import { isCumulative } from './metric-snapshot.ts';
import type { MetricSnapshot, SnapshotValue } from './metric-snapshot.ts';

type PromMetricsJson = Parameters<typeof promClientModule.AggregatorRegistry.aggregate>[0];

/** prom-client is loaded on first use: workers never need it to start (it costs ~0.3 s of startup). */
let promClient: typeof promClientModule | undefined;

async function loadPromClient(): Promise<typeof promClientModule> {
  promClient ??= (await import('prom-client')).default;
  return promClient;
}

function seriesKey(value: SnapshotValue): string {
  const labels = Object.keys(value.labels)
    .sort()
    .map((name) => `${name}=${String(value.labels[name])}`)
    .join(',');
  return `${value.metricName ?? ''}{${labels}}`;
}

/** Sums the counters and histograms of several snapshots series by series (gauges are left out). */
export function sumCumulative(snapshots: readonly (readonly MetricSnapshot[])[]): MetricSnapshot[] {
  const byName = new Map<string, { meta: MetricSnapshot; series: Map<string, SnapshotValue> }>();
  for (const snapshot of snapshots) {
    for (const metric of snapshot) {
      if (!isCumulative(metric) || metric.aggregator !== 'sum') continue;
      let entry = byName.get(metric.name);
      if (entry === undefined) {
        entry = { meta: metric, series: new Map() };
        byName.set(metric.name, entry);
      }
      for (const value of metric.values) {
        const key = seriesKey(value);
        const known = entry.series.get(key);
        entry.series.set(key, known === undefined ? value : { ...known, value: known.value + value.value });
      }
    }
  }
  return [...byName.values()].map(({ meta, series }) => ({
    name: meta.name,
    help: meta.help,
    type: meta.type,
    aggregator: meta.aggregator,
    values: [...series.values()],
  }));
}

export class ClusterMetrics {
  readonly #live = new Map<string, readonly MetricSnapshot[]>();
  #retired: MetricSnapshot[] = [];

  /** A worker's latest full snapshot (replaces its previous one). */
  update(workerId: string, snapshot: readonly MetricSnapshot[]): void {
    this.#live.set(workerId, snapshot);
  }

  /** The worker left: keep its counters and histograms for good. Idempotent. */
  retire(workerId: string): void {
    const last = this.#live.get(workerId);
    if (last === undefined) return;
    this.#live.delete(workerId);
    this.#retired = sumCumulative([this.#retired, last]);
  }

  get liveWorkers(): readonly string[] {
    return [...this.#live.keys()];
  }

  /** Prometheus text exposition of the whole cluster. */
  async render(): Promise<string> {
    const all = [this.#retired, ...this.#live.values()].filter((s) => s.length > 0);
    if (all.length === 0) return '';
    const { AggregatorRegistry } = await loadPromClient();
    return AggregatorRegistry.aggregate(all as unknown as PromMetricsJson).metrics();
  }
}
