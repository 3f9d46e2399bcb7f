/**
 * The plain-data form of metrics that crosses process boundaries: exactly the shape of prom-client's
 * `registry.getMetricsAsJSON()`, so the master can hand worker snapshots to
 * `AggregatorRegistry.aggregate()` for merging and Prometheus text exposition. Histograms appear
 * prom-client style: cumulative `<name>_bucket` values with an `le` label, then `<name>_sum` and
 * `<name>_count` (the `metricName` field).
 */

export type MetricKind = 'counter' | 'gauge' | 'histogram';

/** How the master combines one metric's values from several workers (prom-client aggregators). */
export type MetricAggregator = 'sum' | 'max' | 'min' | 'first' | 'average' | 'omit';

export interface SnapshotValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  /** Set on histogram series (`x_bucket`, `x_sum`, `x_count`). */
  readonly metricName?: string;
}

export interface MetricSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: MetricKind;
  readonly aggregator: MetricAggregator;
  readonly values: readonly SnapshotValue[];
}

/** Counters and histograms only ever grow: the kinds whose totals must survive a worker's exit. */
export function isCumulative(metric: MetricSnapshot): boolean {
  return metric.type === 'counter' || metric.type === 'histogram';
}
