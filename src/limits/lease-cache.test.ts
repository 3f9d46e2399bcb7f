/**
 * The lease protocol simulated in-process: N workers (LeaseCache) against one master (LeaseLedger), with
 * IPC messages delivered after random delays on a simulated clock. Admissions are counted by the
 * simulated instant they happen, i.e. as a client would see them.
 */
import { describe, expect, it } from 'vitest';
import { LeaseCache } from './lease-cache.ts';
import type { Admission } from './lease-cache.ts';
import { LeaseLedger } from './lease-ledger.ts';
import type { TokenBucketSpec } from './token-bucket.ts';

interface SimEvent {
  readonly atMs: number;
  readonly run: () => void;
}

interface Simulation {
  readonly admittedPerWindow: Map<number, number>;
  readonly denied: number;
  readonly messages: number;
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function simulate(options: {
  workers: number;
  limit: number;
  windowMs: number;
  /** Arrival instants and the worker that gets each request. */
  arrivals: readonly { atMs: number; worker: number }[];
  maxIpcDelayMs: number;
  seed: number;
  /** Lease tokens of this master-held bucket instead of counting windows (`windowMs` = lease lifetime). */
  bucket?: TokenBucketSpec;
}): Promise<Simulation> {
  const rand = random(options.seed);
  const events: SimEvent[] = [];
  let nowMs = 0;
  let messages = 0;
  const schedule = (atMs: number, run: () => void) => {
    let i = events.length;
    while (i > 0 && (events[i - 1]?.atMs ?? 0) > atMs) i--;
    events.splice(i, 0, { atMs, run });
  };
  const ledger = new LeaseLedger(() => nowMs);
  const caches: LeaseCache[] = [];
  for (let w = 0; w < options.workers; w++) {
    caches.push(
      new LeaseCache((request) => {
        if (request.type !== 'limit-lease') return;
        messages++;
        schedule(nowMs + rand() * options.maxIpcDelayMs, () => {
          const grant = ledger.grant(request, options.workers);
          if (options.bucket === undefined) expect(ledger.grantedOf(request.key)).toBeLessThanOrEqual(options.limit);
          schedule(nowMs + rand() * options.maxIpcDelayMs, () => caches[w]?.onGrant(grant));
        });
      }, () => nowMs),
    );
  }
  const admittedPerWindow = new Map<number, number>();
  let denied = 0;
  const record = (admission: Admission) => {
    if (admission !== 0) {
      denied++;
      return;
    }
    const window = Math.floor(nowMs / options.windowMs);
    admittedPerWindow.set(window, (admittedPerWindow.get(window) ?? 0) + 1);
  };
  for (const arrival of options.arrivals) {
    schedule(arrival.atMs, () => {
      const result = caches[arrival.worker]?.take('k', options.limit, options.windowMs, options.bucket) ?? 1;
      if (typeof result === 'number') record(result);
      else void result.then(record);
    });
  }
  while (events.length > 0) {
    const event = events.shift();
    if (event === undefined) break;
    nowMs = event.atMs;
    event.run();
    // Let promise callbacks of this instant run before the clock moves on.
    for (let i = 0; i < 3; i++) await null;
  }
  return { admittedPerWindow, denied, messages };
}

function uniformArrivals(count: number, workers: number, fromMs: number, toMs: number, seed: number) {
  const rand = random(seed);
  return Array.from({ length: count }, () => ({ atMs: fromMs + rand() * (toMs - fromMs), worker: Math.floor(rand() * workers) })).sort(
    (a, b) => a.atMs - b.atMs,
  );
}

describe('cluster-wide fixed window by leases', () => {
  for (const workers of [2, 8, 32]) {
    it(`with ${workers} workers and rpm 600 under twice that demand, admits 600 per window within 1 %`, async () => {
      const windowMs = 60_000;
      const sim = await simulate({
        workers,
        limit: 600,
        windowMs,
        arrivals: uniformArrivals(3 * 1_200, workers, 0, 3 * windowMs, workers),
        maxIpcDelayMs: 2,
        seed: 7 + workers,
      });
      for (const window of [0, 1, 2]) {
        const admitted = sim.admittedPerWindow.get(window) ?? 0;
        expect(admitted).toBeLessThanOrEqual(606);
        expect(admitted).toBeGreaterThanOrEqual(594);
      }
      // Batches bound the IPC: far fewer lease requests than requests.
      expect(sim.messages).toBeLessThan(3 * 600);
    });
  }

  it('never admits more than the limit when all traffic moves from one worker to another mid-window', async () => {
    const first = uniformArrivals(500, 1, 0, 20_000, 1).map((a) => ({ ...a, worker: 0 }));
    const second = uniformArrivals(500, 1, 20_000, 40_000, 2).map((a) => ({ ...a, worker: 1 }));
    const sim = await simulate({ workers: 4, limit: 600, windowMs: 60_000, arrivals: [...first, ...second], maxIpcDelayMs: 1, seed: 3 });
    const admitted = sim.admittedPerWindow.get(0) ?? 0;
    expect(admitted).toBeLessThanOrEqual(600);
    expect(admitted).toBeGreaterThanOrEqual(594);
    expect(sim.denied).toBe(1_000 - admitted);
  });

  it('makes a burst on an empty lease wait for the grant instead of refusing it', async () => {
    const burst = Array.from({ length: 10 }, () => ({ atMs: 5, worker: 0 }));
    const sim = await simulate({ workers: 2, limit: 10, windowMs: 60_000, arrivals: [...burst, { atMs: 30, worker: 1 }], maxIpcDelayMs: 1, seed: 9 });
    expect(sim.admittedPerWindow.get(0)).toBe(10);
    expect(sim.denied).toBe(1);
  });

  it('never admits more than one bucket would across 8 workers (capacity 10, 5 per second over 10 s), and nearly that many', async () => {
    const sim = await simulate({
      workers: 8,
      limit: 10,
      windowMs: 1_000,
      arrivals: uniformArrivals(1_000, 8, 0, 10_000, 11),
      maxIpcDelayMs: 2,
      seed: 5,
      bucket: { capacity: 10, refillPerSecond: 5 },
    });
    const admitted = [...sim.admittedPerWindow.values()].reduce((a, b) => a + b, 0);
    expect(admitted).toBeLessThanOrEqual(10 + 5 * 10);
    expect(admitted).toBeGreaterThanOrEqual(57);
  });

  it("refuses with the master's time to the next token once its bucket is dry", async () => {
    let nowMs = 0;
    const ledger = new LeaseLedger(() => nowMs);
    const cache = new LeaseCache((request) => request.type === 'limit-lease' && cache.onGrant(ledger.grant(request, 1)), () => nowMs);
    const bucket = { capacity: 1, refillPerSecond: 0.25 };
    expect(await cache.take('k', 1, 1_000, bucket)).toBe(0);
    expect(await cache.take('k', 1, 1_000, bucket)).toBe(4_000);
    expect(cache.take('k', 1, 1_000, bucket)).toBe(4_000);
    nowMs = 4_000;
    expect(await cache.take('k', 1, 1_000, bucket)).toBe(0);
  });

  it('answers the ms until the window ends once the master has granted the whole limit, synchronously after that', async () => {
    let nowMs = 10_000;
    const ledger = new LeaseLedger();
    const cache = new LeaseCache((request) => request.type === 'limit-lease' && cache.onGrant(ledger.grant(request, 1)), () => nowMs);
    expect(await cache.take('k', 1, 60_000)).toBe(0);
    expect(await cache.take('k', 1, 60_000)).toBe(50_000);
    expect(cache.take('k', 1, 60_000)).toBe(50_000);
    nowMs = 60_000;
    expect(await cache.take('k', 1, 60_000)).toBe(0);
  });

  it('settles waiting requests when the master goes away', async () => {
    const cache = new LeaseCache(() => {}, () => 0);
    const waiting = cache.take('k', 5, 1_000);
    cache.failPending(0);
    expect(await waiting).toBe(0);
  });

  it('gives unspent admissions back when the worker drains, so the next generation can spend them', async () => {
    const ledger = new LeaseLedger();
    const cache = new LeaseCache((message) => {
      if (message.type === 'limit-lease') cache.onGrant(ledger.grant(message, 1));
      else ledger.giveBack(message);
    }, () => 1_000);
    expect(await cache.take('quota', 1_000, 86_400_000)).toBe(0);
    expect(ledger.grantedOf('quota')).toBeGreaterThan(1);
    cache.drain();
    expect(ledger.grantedOf('quota')).toBe(1);
    expect(await cache.take('quota', 1_000, 86_400_000)).toBe(0);
    expect(ledger.grantedOf('quota')).toBe(2);
  });
});
