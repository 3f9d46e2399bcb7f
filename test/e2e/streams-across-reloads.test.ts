/**
 * Streams outlive the generation that accepted them: a draining worker keeps running its SSE responses
 * until they end (within the drain timeout), so streams spanning several reloads deliver every event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigDir } from './helpers/config-dir.ts';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { streamChat } from './helpers/http.ts';
import { startLoad } from './helpers/load-generator.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';
import { cleanupMasters, startMaster } from './helpers/master-fixture.ts';

/** 120 words → 40 content events (3 words each) × 200 ms ≈ 8 s per stream. */
const REPLY = Array.from({ length: 120 }, (_, i) => `w${i}`).join(' ');

const config = (port: number, n: number): string =>
  gatewayConfig({ ports: port, body: `v${n}`, name: `streams-${n}`, stream: { reply: REPLY, chunkDelayMs: 200 } });

let dir: ConfigDir;
let port: number;
let master: LouailinkProcess;

beforeAll(async () => {
  ({ dir, port, master } = await startMaster((p) => config(p, 0), ['--workers', '2', '--drain-timeout', '20s']));
});

afterAll(cleanupMasters);

describe('SSE streams across reloads', () => {
  it('delivers every event of 5 streams that span 3 reloads, with no failed request around them', async () => {
    const load = startLoad({ port, path: '/v', keepAlive: true, concurrency: 4 });
    const streams = Array.from({ length: 5 }, () => streamChat(port, 'm').then((result) => ({ ...result, endedAt: Date.now() })));
    const reloadedAt: number[] = [];
    for (let n = 1; n <= 3; n += 1) {
      await new Promise((r) => setTimeout(r, 400));
      await dir.write(config(port, n));
      master.signal('SIGHUP');
      await master.waitForLog((line) => line.event === 'reload_config' && line.generation === n + 1 && Array.isArray(line['pids']));
      reloadedAt.push(Date.now());
    }
    const results = await Promise.all(streams);
    const loadResult = await load.stop();
    for (const { endedAt, ...result } of results) expect(result).toEqual({ content: REPLY, events: 40, isDone: true });
    expect(loadResult.failures).toEqual({});
    // The streams really outlived at least two generations: they ended after the second reload.
    expect(Math.min(...results.map((r) => r.endedAt))).toBeGreaterThan(reloadedAt[1] ?? Infinity);
  }, 30_000);
});
