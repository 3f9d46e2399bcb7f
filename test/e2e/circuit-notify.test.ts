/**
 * Circuit breakers seen from outside, with the real binary and 2 workers: an upstream whose only target
 * refuses connections opens its circuit in the workers that send to it; the master sends one
 * `backend_unhealthy` webhook for the cluster (naming the target and how many workers saw it), however
 * many workers open it and however many half-open probes fail afterwards, and `-s status` lists the
 * circuit under each worker that has it open. Once the target answers again, the first successful probe
 * sends one `backend_healthy` and the circuits leave the status.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';
import type { WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { eventually, httpGet } from './helpers/http.ts';
import { childPids, runBin } from './helpers/louailink-process.ts';
import { cleanupMasters, startMaster } from './helpers/master-fixture.ts';
import type { MasterFixture } from './helpers/master-fixture.ts';

let hook: WebhookReceiver;
let deadPort: number;
let fixture: MasterFixture;

const COOLDOWN_MS = 2_000;

const config = (port: number): string =>
  [
    'servers:',
    '  main:',
    `    listen: [127.0.0.1:${port}]`,
    '    locations: [down]',
    'locations:',
    '  down:',
    '    path: /down',
    '    upstream: dead',
    'upstreams:',
    '  dead:',
    `    targets: [127.0.0.1:${deadPort}]`,
    '    circuit_breaker: { failures: 2, cooldown: 2s }',
    'notifications:',
    '  ops:',
    `    url: ${hook.url}`,
    '    events: [backend_unhealthy]',
    '    timeout: 5s',
    '',
  ].join('\n');

interface StatusCircuit {
  readonly kind: string;
  readonly upstream?: string;
  readonly target?: string;
  readonly state: string;
  readonly openUntil?: string;
}

interface Status {
  readonly workers: readonly { readonly pid: number; readonly circuits: readonly StatusCircuit[] | null }[];
}

async function status(): Promise<Status> {
  const result = await runBin(['-c', fixture.dir.path, '-s', 'status']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Status;
}

/** A burst of concurrent requests on fresh connections, so both workers get some. */
async function burst(count = 8): Promise<number[]> {
  const answers = await Promise.all(Array.from({ length: count }, () => httpGet(fixture.port, '/down', 5_000).then((r) => r.status, () => 0)));
  return answers;
}

const target = (): string => `http://127.0.0.1:${deadPort}`;
const unhealthy = (): Record<string, unknown>[] => hook.bodies.filter((b) => b['event'] === 'backend_unhealthy');

beforeAll(async () => {
  hook = await startWebhookReceiver('/ops');
  deadPort = await freePort(); // nothing listens there: every connect is refused
  fixture = await startMaster(config, ['--workers', '2']);
}, 90_000);

let revived: Server | undefined;

afterAll(async () => {
  await cleanupMasters();
  revived?.closeAllConnections();
  revived?.close();
  await hook.close();
});

describe('circuit breaker in the cluster', () => {
  it('sends backend_unhealthy once, naming the target; -s status lists the open circuit', { timeout: 60_000 }, async () => {
    // Until every worker has the circuit open (each needs 2 failures of its own).
    const workers = await childPids(fixture.master.pid);
    expect(workers).toHaveLength(2);
    let last: Status | undefined;
    const isOpenEverywhere = await eventually(async () => {
      await burst();
      last = await status();
      return last.workers.every((w) => w.circuits?.some((c) => c.target === target()) === true);
    }, 30_000, 100);
    expect(isOpenEverywhere, JSON.stringify(last)).toBe(true);
    const circuit = last?.workers[0]?.circuits?.[0];
    expect(circuit).toMatchObject({ kind: 'target', upstream: 'dead', target: target() });
    expect(['open', 'half-open']).toContain(circuit?.state);
    if (circuit?.state === 'open') expect(Date.parse(circuit.openUntil ?? '')).toBeGreaterThan(Date.now() - COOLDOWN_MS);

    const body = await hook.waitFor((b) => b['event'] === 'backend_unhealthy', 15_000);
    expect(body).toMatchObject({ level: 'warn' });
    expect(String(body['message'])).toContain(target());
    const details = body['details'] as { kind: string; upstream: string; target: string; workers: number; workerPids: number[]; cooldownMs: number };
    expect(details).toMatchObject({ kind: 'target', upstream: 'dead', target: target(), cooldownMs: COOLDOWN_MS });
    expect(details.workerPids).toHaveLength(details.workers);
    for (const pid of details.workerPids) expect(workers).toContain(pid);

    // Past a cooldown, the probes fail and the circuits open again in both workers: still one notification.
    const probedAt = Date.now();
    const answers: number[] = [];
    while (Date.now() - probedAt < COOLDOWN_MS + 1_000) {
      answers.push(...(await burst(4)));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(answers.filter((s) => s !== 502 && s !== 503)).toEqual([]);
    // The master gathers for 2 s after a report: anything it would send has gone out by now.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(unhealthy()).toHaveLength(1);
    expect(hook.bodies.map((b) => b['event'])).toEqual(['backend_unhealthy']);
  });

  it('sends backend_healthy once when the target answers again; status lists no circuit', { timeout: 60_000 }, async () => {
    revived = createServer((_req, res) => res.end('back'));
    await new Promise<void>((resolve) => revived?.listen(deadPort, '127.0.0.1', resolve));
    let last: Status | undefined;
    const isClosedEverywhere = await eventually(async () => {
      await burst(4);
      last = await status();
      return last.workers.every((w) => w.circuits?.length === 0);
    }, 30_000, 200);
    expect(isClosedEverywhere, JSON.stringify(last)).toBe(true);
    const body = await hook.waitFor((b) => b['event'] === 'backend_healthy', 15_000);
    expect(body).toMatchObject({ level: 'info', details: { kind: 'target', upstream: 'dead', target: target(), state: 'closed' } });
    expect((await burst(4)).every((s) => s === 200)).toBe(true);
    expect(hook.bodies.map((b) => b['event'])).toEqual(['backend_unhealthy', 'backend_healthy']);
  });
});
