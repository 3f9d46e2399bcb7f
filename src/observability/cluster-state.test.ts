import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state.ts';
import type { WorkerReport } from './cluster-state.ts';
import { GatewayMetrics } from './gateway-metrics.ts';

function report(generation: number, requests: number, inFlight = 0, isServing = true): WorkerReport {
  const metrics = new GatewayMetrics();
  metrics.httpRequests.cell('GET', 'api', '200').value = requests;
  return {
    type: 'obs:report',
    identity: { generation, slot: 0, configVersion: `cfg${generation}`, isServing },
    metrics: metrics.snapshot(),
    usage: { locations: [{ name: 'api', requests, inFlight, peak: inFlight }], tokens: [], keys: [] },
  };
}

describe('ClusterState', () => {
  it('reports the newest generation and counts its workers while an older one drains', () => {
    const state = new ClusterState(Date.now() - 61_000);
    state.apply('1', report(1, 1));
    state.apply('2', report(1, 1));
    state.apply('3', report(2, 0));
    state.apply('4', report(2, 0));
    state.apply('5', report(2, 0));
    expect(state.health()).toMatchObject({ workers: 3, generation: 2, config_version: 'cfg2', uptime_seconds: 61 });
    state.retire('1');
    state.retire('2');
    expect(state.health()).toMatchObject({ workers: 3, generation: 2 });
  });

  it('does not count a generation that is still starting', () => {
    const state = new ClusterState();
    state.apply('1', report(1, 0));
    state.apply('2', report(2, 0, 0, false));
    expect(state.health()).toMatchObject({ workers: 1, generation: 1, config_version: 'cfg1' });
    state.apply('2', report(2, 0, 0, true));
    expect(state.health()).toMatchObject({ workers: 1, generation: 2 });
  });

  it('keeps request windows and counters when workers are retired', async () => {
    const state = new ClusterState();
    state.apply('1', report(1, 4, 2));
    state.retire('1');
    state.apply('2', report(2, 3));
    expect(state.summary().locations).toEqual([
      { name: 'api', requests_1h: 7, requests_24h: 7, concurrency: 0, peak_concurrency_1h: 2, peak_concurrency_24h: 2 },
    ]);
    expect(await state.metrics.render()).toContain('http_requests_total{method="GET",path="api",status="200"} 7');
  });
});
