import { describe, expect, it } from 'vitest';
import { ClusterMetrics, sumCumulative } from './cluster-metrics.ts';
import { GatewayMetrics } from './gateway-metrics.ts';

function workerMetrics(requests: number, inFlight: number): GatewayMetrics {
  const m = new GatewayMetrics();
  m.httpRequests.cell('GET', 'api', '200').value = requests;
  m.httpDuration.observe(m.httpDuration.cell('GET', 'api', '200'), 0.02);
  m.httpInFlight.cell('GET', 'api').value = inFlight;
  return m;
}

describe('ClusterMetrics', () => {
  it('sums counters, histograms and gauges of the live workers in the exposition', async () => {
    const cluster = new ClusterMetrics();
    cluster.update('1', workerMetrics(3, 1).snapshot());
    cluster.update('2', workerMetrics(4, 2).snapshot());
    const text = await cluster.render();
    expect(text).toContain('http_requests_total{method="GET",path="api",status="200"} 7');
    expect(text).toContain('http_requests_in_flight{method="GET",path="api"} 3');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",path="api",status="200"} 2');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it("keeps a departed worker's counters and histograms but drops its gauges", async () => {
    const cluster = new ClusterMetrics();
    cluster.update('1', workerMetrics(3, 1).snapshot());
    cluster.update('2', workerMetrics(4, 2).snapshot());
    cluster.retire('1');
    cluster.retire('1');
    cluster.update('3', workerMetrics(1, 0).snapshot());
    const text = await cluster.render();
    expect(text).toContain('http_requests_total{method="GET",path="api",status="200"} 8');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",path="api",status="200"} 3');
    expect(text).toContain('http_requests_in_flight{method="GET",path="api"} 2');
    expect(cluster.liveWorkers).toEqual(['2', '3']);
  });

  it('accumulates retired totals over many reload generations', async () => {
    const cluster = new ClusterMetrics();
    for (let generation = 1; generation <= 5; generation++) {
      cluster.update(`g${generation}`, workerMetrics(10, 0).snapshot());
      if (generation > 1) cluster.retire(`g${generation - 1}`);
    }
    expect(await cluster.render()).toContain('http_requests_total{method="GET",path="api",status="200"} 50');
  });

  it('sums only cumulative series', () => {
    const summed = sumCumulative([workerMetrics(1, 5).snapshot(), workerMetrics(2, 5).snapshot()]);
    expect(summed.find((m) => m.name === 'http_requests_in_flight')).toBeUndefined();
    expect(summed.find((m) => m.name === 'http_requests_total')?.values).toEqual([{ value: 3, labels: { method: 'GET', path: 'api', status: '200' } }]);
  });
});
