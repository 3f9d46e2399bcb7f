import { describe, expect, it } from 'vitest';
import { CounterFamily, GaugeFamily, HistogramFamily } from './metric-family.ts';

describe('metric families', () => {
  it('keeps one cell per label set and snapshots it with its labels', () => {
    const family = new CounterFamily({ name: 'x_total', help: 'h', labelNames: ['a', 'b'] });
    family.cell('1', '2').value += 2;
    family.cell('1', '2').value++;
    family.cell('1', '3').value++;
    expect(family.snapshot()).toEqual({
      name: 'x_total',
      help: 'h',
      type: 'counter',
      aggregator: 'sum',
      values: [
        { value: 3, labels: { a: '1', b: '2' } },
        { value: 1, labels: { a: '1', b: '3' } },
      ],
    });
  });

  it('snapshots histograms as cumulative buckets with +Inf, sum and count (prom-client shape)', () => {
    const family = new HistogramFamily({ name: 'd_seconds', help: 'h', labelNames: ['p'], buckets: [0.1, 1] });
    const cell = family.cell('api');
    family.observe(cell, 0.05);
    family.observe(cell, 0.1);
    family.observe(cell, 0.5);
    family.observe(cell, 7);
    expect(family.snapshot().values).toEqual([
      { value: 2, labels: { p: 'api', le: 0.1 }, metricName: 'd_seconds_bucket' },
      { value: 3, labels: { p: 'api', le: 1 }, metricName: 'd_seconds_bucket' },
      { value: 4, labels: { p: 'api', le: '+Inf' }, metricName: 'd_seconds_bucket' },
      { value: 7.65, labels: { p: 'api' }, metricName: 'd_seconds_sum' },
      { value: 4, labels: { p: 'api' }, metricName: 'd_seconds_count' },
    ]);
  });

  it('lets a gauge choose its cluster aggregator', () => {
    const family = new GaugeFamily({ name: 'g', help: 'h', labelNames: [], aggregator: 'max' });
    family.cell().value = 1;
    expect(family.snapshot()).toMatchObject({ type: 'gauge', aggregator: 'max', values: [{ value: 1, labels: {} }] });
  });
});
