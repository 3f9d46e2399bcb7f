/**
 * Cluster-wide fixed windows end to end, in one process: two gateways stand for two workers, each with a
 * ClusterCounterStore whose lease requests reach one master LeaseLedger over an asynchronous JSON pipe
 * (as cluster IPC delivers them). Concurrent requests on both must be admitted exactly up to the window
 * limit, and exactly up to one token bucket.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterCounterStore } from '../../src/limits/cluster-counter-store.ts';
import { LocalCounterStore, processCounterStore, setProcessCounterStore } from '../../src/limits/counter-store.ts';
import { connectLeaseCache, serveLeases } from '../../src/limits/lease-channel.ts';
import { LeaseLedger } from '../../src/limits/lease-ledger.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { ipcPipe } from '../helpers/ipc-pipe.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { startUpstream } from '../helpers/upstream.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

const LIMIT = 25;
const BURST = 10;
let upstream: TestUpstream;
const workers: TestGateway[] = [];
const ledger = new LeaseLedger();
const original = processCounterStore();

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => res.end('ok'));
  for (let i = 0; i < 2; i++) {
    const [masterEnd, workerEnd] = ipcPipe();
    serveLeases(ledger, masterEnd, () => 2);
    setProcessCounterStore(new ClusterCounterStore(connectLeaseCache(workerEnd)));
    workers.push(
      await startTestGateway({
        servers: { main: { locations: ['burst', 'api'] } },
        locations: {
          api: { path: '/', upstream: 'up', plugins: ['shared'] },
          burst: { path: '/burst', upstream: 'up', plugins: ['bucket'] },
        },
        upstreams: { up: { targets: [upstream.hostPort] } },
        plugins: {
          shared: { type: 'limit', by: 'location', requests: LIMIT, window: '1h' },
          bucket: { type: 'limit', by: 'location', token_bucket: { capacity: BURST, refill_per_second: 0.001 } },
        },
      }),
    );
  }
  setProcessCounterStore(original);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await upstream?.close();
  setProcessCounterStore(new LocalCounterStore());
});

/** `count` concurrent GETs spread over both workers. */
function burstOnBoth(path: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const res = await request(`${workers[i % 2]?.url}${path}`);
      await res.body.text();
      return { status: res.statusCode, retryAfter: res.headers['retry-after'] };
    }),
  );
}

describe('cluster-wide limits through leases', () => {
  it('admits exactly the limit across two workers under concurrent load, and refuses the rest with 429 and Retry-After', async () => {
    // A window of an hour: the test cannot straddle two windows unless it starts in its last seconds.
    const msLeft = 3_600_000 - (Date.now() % 3_600_000);
    if (msLeft < 10_000) await new Promise((resolve) => setTimeout(resolve, msLeft + 50));
    const before = upstream.requests;
    const answers = await burstOnBoth('/x', 80);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(LIMIT);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.every((a) => a.status === 429 && Number(a.retryAfter) >= 1)).toBe(true);
    expect(upstream.requests - before).toBe(LIMIT);
  });

  it("admits one token bucket's capacity across two workers, and tells the rest when a token is back", async () => {
    const answers = await burstOnBoth('/burst/x', 40);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(BURST);
    const refused = answers.filter((a) => a.status !== 200);
    // One token per 1000 s: the master's bucket answers with its own time to the next token.
    expect(refused.every((a) => a.status === 429 && Number(a.retryAfter) > 900)).toBe(true);
  });
});
