/**
 * Hot-path metric cells. prom-client's labelled children re-hash and re-validate their labels on every
 * `inc()`/`observe()` (about 5 µs for one request's counter + histogram + gauge, measured on this
 * machine), so request metrics are plain numbers in cells resolved once per label set; the snapshot
 * in prom-client's JSON shape is only built when the master collects. A family's label sets must stay
 * bounded (location names, methods, status codes, provider names), never raw URLs.
 */
import type { MetricAggregator, MetricSnapshot, SnapshotValue } from './metric-snapshot.ts';

export interface ValueCell {
  value: number;
}

export interface HistogramCell {
  /** Per-bucket (non-cumulative) counts; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

interface FamilyOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly aggregator?: MetricAggregator;
}

const SEP = '\u0001';

function labelsOf(names: readonly string[], values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) labels[names[i] ?? ''] = values[i] ?? '';
  return labels;
}

abstract class Family<C> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly aggregator: MetricAggregator;
  protected readonly cells = new Map<string, { readonly labels: Record<string, string>; readonly cell: C }>();

  constructor(options: FamilyOptions, defaultAggregator: MetricAggregator) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.aggregator = options.aggregator ?? defaultAggregator;
  }

  /** The cell of one label set (values in `labelNames` order); resolve once and keep it. */
  cell(...values: string[]): C {
    const key = values.join(SEP);
    let entry = this.cells.get(key);
    if (entry === undefined) {
      entry = { labels: labelsOf(this.labelNames, values), cell: this.create() };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  protected abstract create(): C;
  abstract snapshot(): MetricSnapshot;
}

/** Counters and gauges: one number per label set. */
class ValueFamily extends Family<ValueCell> {
  readonly #kind: 'counter' | 'gauge';

  constructor(options: FamilyOptions, kind: 'counter' | 'gauge') {
    super(options, 'sum');
    this.#kind = kind;
  }

  protected create(): ValueCell {
    return { value: 0 };
  }

  snapshot(): MetricSnapshot {
    const values: SnapshotValue[] = [];
    for (const { labels, cell } of this.cells.values()) values.push({ value: cell.value, labels });
    return { name: this.name, help: this.help, type: this.#kind, aggregator: this.aggregator, values };
  }
}

export class CounterFamily extends ValueFamily {
  constructor(options: FamilyOptions) {
    super(options, 'counter');
  }
}

export class GaugeFamily extends ValueFamily {
  constructor(options: FamilyOptions) {
    super(options, 'gauge');
  }
}

export class HistogramFamily extends Family<HistogramCell> {
  /** Upper bounds in seconds (or the family's unit), ascending. */
  readonly bounds: readonly number[];

  constructor(options: FamilyOptions & { readonly buckets: readonly number[] }) {
    super(options, 'sum');
    this.bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected create(): HistogramCell {
    return { counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
  }

  observe(cell: HistogramCell, value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    cell.counts[i] = (cell.counts[i] ?? 0) + 1;
    cell.sum += value;
    cell.count++;
  }

  snapshot(): MetricSnapshot {
    const values: SnapshotValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const { labels, cell } of this.cells.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += cell.counts[i] ?? 0;
        values.push({ value: cumulative, labels: { ...labels, le: this.bounds[i] as number }, metricName: bucketName });
      }
      values.push({ value: cell.count, labels: { ...labels, le: '+Inf' }, metricName: bucketName });
      values.push({ value: cell.sum, labels, metricName: `${this.name}_sum` });
      values.push({ value: cell.count, labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: this.aggregator, values };
  }
}
