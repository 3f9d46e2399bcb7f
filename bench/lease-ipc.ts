/**
 * The IPC cost of cluster-wide limits over real node:cluster channels (JSON serialization, as the
 * master uses): a master with the LeaseService and WORKERS workers with the cluster CounterStore.
 *   1. round trip of one lease (a fresh key per request, so every take asks the master): p50/p99 µs;
 *   2. round trip of a token check (first check of a key in a window) and of a concurrency slot
 *      (a worker holding no idle slot of the key): p50/p99 µs;
 *   3. saturating one `rpm`-style key from every worker: admissions (must equal the limit), messages
 *      per window, and the cost of a take amortized over a window (ns).
 * Run: node bench/lease-ipc.ts [workers=2] [limit=600]
 */
import cluster from 'node:cluster';
import { performance } from 'node:perf_hooks';
import { connectClusterCounterStore } from '../src/limits/lease-channel.ts';
import { LeaseService } from '../src/master/lease-service.ts';

const WORKERS = Number(process.argv[2] ?? 2);
const LIMIT = Number(process.argv[3] ?? 600);
const ROUND_TRIPS = 5_000;
const WINDOW_MS = 60_000;

interface WorkerReport {
  readonly leaseUs: readonly number[];
  readonly tokenUs: readonly number[];
  readonly slotUs: readonly number[];
  readonly admitted: number;
  readonly refused: number;
  /** Takes of the saturating phase that had to wait for the master. */
  readonly waited: number;
  readonly messages: number;
  readonly saturateMs: number;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function runWorker(): Promise<void> {
  let messages = 0;
  const channel = {
    send: (message: unknown) => {
      messages++;
      return process.send?.(message);
    },
    on: (event: 'message', listener: (message: unknown) => void) => process.on(event, listener),
    off: (event: 'message', listener: (message: unknown) => void) => process.off(event, listener),
    once: (event: 'disconnect', listener: () => void) => process.once(event, listener),
  };
  const store = connectClusterCounterStore(channel);
  const leaseUs: number[] = [];
  const tokenUs: number[] = [];
  const id = cluster.worker?.id ?? 0;
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const started = performance.now();
    await store.takeWindow(`rtt|${id}|${i}`, 1_000, WINDOW_MS, Date.now());
    leaseUs.push((performance.now() - started) * 1000);
  }
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const started = performance.now();
    await store.checkTokens(`tok|${id}|${i}`, 1_000, WINDOW_MS, Date.now());
    tokenUs.push((performance.now() - started) * 1000);
  }
  const slotUs: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const started = performance.now();
    await store.acquire(`slot|${id}|${i}`, 10);
    slotUs.push((performance.now() - started) * 1000);
    store.release(`slot|${id}|${i}`);
  }
  // Every worker starts together (the master says when), then takes until the window refuses.
  await new Promise<void>((resolve) => {
    const onGo = (message: unknown): void => {
      if (message !== 'go') return;
      process.off('message', onGo);
      resolve();
    };
    process.on('message', onGo);
    process.send?.('ready');
  });
  messages = 0;
  let admitted = 0;
  let refused = 0;
  let waited = 0;
  const started = performance.now();
  while (refused < 50) {
    const result = store.takeWindow('shared', LIMIT, WINDOW_MS, Date.now());
    if (typeof result !== 'number') waited++;
    const waitMs = typeof result === 'number' ? result : await result;
    if (waitMs === 0) admitted++;
    else refused++;
  }
  const report: WorkerReport = { leaseUs, tokenUs, slotUs, admitted, refused, waited, messages, saturateMs: performance.now() - started };
  process.send?.(report);
}

async function runMaster(): Promise<void> {
  cluster.setupPrimary({ serialization: 'json' });
  const service = new LeaseService();
  const workers = Array.from({ length: WORKERS }, () => cluster.fork());
  let ready = 0;
  const reports: WorkerReport[] = [];
  await new Promise<void>((resolve) => {
    cluster.on('message', (worker, message: unknown) => {
      if (message === 'ready') {
        ready++;
        if (ready === WORKERS) for (const w of workers) w.send('go');
        return;
      }
      if (typeof message === 'object' && message !== null && 'leaseUs' in message) {
        reports.push(message as WorkerReport);
        worker.disconnect();
        if (reports.length === WORKERS) resolve();
      }
    });
  });
  service.close();
  const leaseUs = reports.flatMap((r) => r.leaseUs);
  const tokenUs = reports.flatMap((r) => r.tokenUs);
  const slotUs = reports.flatMap((r) => r.slotUs);
  const admitted = reports.reduce((n, r) => n + r.admitted, 0);
  const messages = reports.reduce((n, r) => n + r.messages, 0);
  const saturateMs = Math.max(...reports.map((r) => r.saturateMs));
  const fmt = (n: number) => n.toFixed(1);
  console.log(`workers ${WORKERS}, limit ${LIMIT} per window`);
  console.log(`lease round trip    p50 ${fmt(percentile(leaseUs, 50))} µs  p99 ${fmt(percentile(leaseUs, 99))} µs  (${leaseUs.length} samples, concurrent workers)`);
  console.log(`token check         p50 ${fmt(percentile(tokenUs, 50))} µs  p99 ${fmt(percentile(tokenUs, 99))} µs`);
  console.log(`concurrency slot    p50 ${fmt(percentile(slotUs, 50))} µs  p99 ${fmt(percentile(slotUs, 99))} µs`);
  console.log(`saturated window    admitted ${admitted} (limit ${LIMIT}), lease messages ${messages} (worker → master), per worker ${reports.map((r) => r.admitted).join(' / ')}`);
  const waited = reports.reduce((n, r) => n + r.waited, 0);
  console.log(`                    ${waited} of ${admitted + reports.reduce((n, r) => n + r.refused, 0)} takes waited for the master (a worker taking in a tight loop outruns asking ahead)`);
}

if (cluster.isPrimary) await runMaster();
else await runWorker();
