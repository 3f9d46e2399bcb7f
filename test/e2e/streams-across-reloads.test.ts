/**
 * Streams outlive the generation that accepted them: a draining worker keeps running its responses until
 * they end (within the drain timeout). The upstream sends one event per reload and ends the streams only
 * after the last reload, so every stream spans 3 reloads however slow the machine is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigDir } from './helpers/config-dir.ts';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { eventually } from './helpers/http.ts';
import { startLoad } from './helpers/load-generator.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';
import { cleanupMasters, startMaster } from './helpers/master-fixture.ts';
import { readSse, startSseUpstream } from './helpers/sse-upstream.ts';
import type { SseUpstream } from './helpers/sse-upstream.ts';

const STREAMS = 5;
const RELOADS = 3;

let upstream: SseUpstream;
let dir: ConfigDir;
let port: number;
let master: LouailinkProcess;

const config = (gatewayPort: number, n: number): string => gatewayConfig({ ports: gatewayPort, body: `v${n}`, ssePort: upstream.port });

beforeAll(async () => {
  upstream = await startSseUpstream();
  ({ dir, port, master } = await startMaster((p) => config(p, 0), ['--workers', '2', '--drain-timeout', '120s']));
}, 90_000);

afterAll(async () => {
  await cleanupMasters();
  await upstream.close();
});

describe('SSE streams across reloads', () => {
  it('delivers every event of 5 streams that span 3 reloads, with no failed request around them', { timeout: 300_000 }, async () => {
    const load = startLoad({ port, path: '/v', keepAlive: true, concurrency: 4 });
    const streams = Array.from({ length: STREAMS }, () => readSse(port, '/sse'));
    expect(await eventually(async () => upstream.openStreams() === STREAMS, 30_000)).toBe(true);
    upstream.send('0');
    for (let n = 1; n <= RELOADS; n += 1) {
      await dir.write(config(port, n));
      master.signal('SIGHUP');
      await master.waitForLog((line) => line.event === 'reload_config' && line.generation === n + 1 && Array.isArray(line['pids']));
      upstream.send(String(n));
    }
    upstream.endAll();
    const results = await Promise.all(streams);
    const loadResult = await load.stop();
    for (const events of results) expect(events).toEqual(['0', '1', '2', '3']);
    expect(loadResult.failures).toEqual({});
    // Generation 1 accepted the streams and could only exit once they ended.
    await master.waitForLog((line) => line.event === 'generation_exit' && line.generation === 1);
  });
});
