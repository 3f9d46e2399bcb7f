/**
 * Zero-downtime reload, end to end: the real binary with 2 workers, SIGHUP by PID, a keep-alive and a
 * `Connection: close` load generator running throughout, every failed request counted.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.ts';
import type { ConfigDir } from './helpers/config-dir.ts';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { eventually, httpGet } from './helpers/http.ts';
import { startLoad } from './helpers/load-generator.ts';
import { childPids } from './helpers/louailink-process.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';
import { cleanupMasters, startMaster } from './helpers/master-fixture.ts';

/** Version `n` answers `/v` with "v<n>" and has exactly one extra route, `/r<n>`. */
const configVersion = (port: number | readonly number[], n: number): string => gatewayConfig({ ports: port, body: `v${n}`, routes: [`r${n}`] });

const INVALID_CONFIG = (port: number): string => gatewayConfig({ ports: port, body: 'broken', serverLocations: ['v', 'missing'] });

/** Valid for the loader, but the workers cannot start: the certificate files hold no PEM. */
const UNSTARTABLE_CONFIG = (port: number): string => `servers:
  main:
    listen: 127.0.0.1:${port}
    locations: [v]
  tls:
    listen: 127.0.0.1:0
    tls: {}
    locations: [v]
locations:
  v:
    path: =/v
    plugins: [version]
plugins:
  version:
    type: mock
    body: unstartable
certificates:
  broken:
    cert: broken.pem
    key: broken.pem
    default: true
`;

const RELOADS = 20;

let dir: ConfigDir;
let port: number;
let master: LouailinkProcess;

beforeAll(async () => {
  ({ dir, port, master } = await startMaster((p) => configVersion(p, 0), ['--workers', '2', '--drain-timeout', '60s']));
}, 90_000);

afterAll(cleanupMasters);

async function reloadTo(generation: number): Promise<void> {
  master.signal('SIGHUP');
  await master.waitForLog((line) => line.event === 'reload_config' && line.generation === generation && Array.isArray(line['pids']));
}

/** Sends SIGHUP and waits for the next successful reload, whatever its generation number. */
async function reloadNext(): Promise<void> {
  const seen = master.logs.length;
  master.signal('SIGHUP');
  await master.waitForLog((line) => line.event === 'reload_config' && Array.isArray(line['pids']) && master.logs.indexOf(line) >= seen);
}

describe('reload under load (SIGHUP)', () => {
  it('fails no request during 20 reloads that add and remove routes, and serves each new config', async () => {
    const keepAlive = startLoad({ port, path: '/v', keepAlive: true, concurrency: 8 });
    const close = startLoad({ port, path: '/v', keepAlive: false, concurrency: 4 });
    try {
      for (let n = 1; n <= RELOADS; n += 1) {
        await dir.write(configVersion(port, n));
        await reloadTo(n + 1);
        // The old generation stops accepting a moment after the new one is ready: poll briefly.
        expect(await eventually(async () => (await httpGet(port, '/v')).body === `v${n}`)).toBe(true);
        expect(await eventually(async () => (await httpGet(port, `/r${n - 1}`)).status === 404)).toBe(true);
        expect((await httpGet(port, `/r${n}`)).status).toBe(200);
      }
    } finally {
      const results = { keepAlive: await keepAlive.stop(), close: await close.stop() };
      expect(results.keepAlive.failures).toEqual({});
      expect(results.close.failures).toEqual({});
      expect(results.keepAlive.ok).toBeGreaterThan(RELOADS);
      expect(results.close.ok).toBeGreaterThan(RELOADS);
      expect(results.keepAlive.bodies).toContain(`v${RELOADS}`);
    }
  }, 300_000);

  it('keeps serving the old config when the new one is invalid, and logs the issue with its position', async () => {
    const generation = RELOADS + 1;
    await dir.write(INVALID_CONFIG(port));
    master.signal('SIGHUP');
    const issue = await master.waitForLog((line) => line.event === 'reload_config_fail' && /louailink\.yaml:\d+:\d+ /.test(line.msg ?? ''));
    expect(issue.msg).toMatch(/louailink\.yaml:4:\d+ servers\.main\.locations\.1: /);
    await master.waitForLog((line) => line.event === 'reload_config_fail' && /old configuration kept/.test(line.msg ?? ''));
    for (let i = 0; i < 5; i += 1) expect((await httpGet(port, '/v')).body).toBe(`v${RELOADS}`);

    await dir.write(configVersion(port, 99));
    await reloadTo(generation + 1);
    expect(await eventually(async () => (await httpGet(port, '/v')).body === 'v99')).toBe(true);
  }, 90_000);

  it('keeps the old generation serving when the new workers fail to start', async () => {
    const generation = RELOADS + 2;
    await writeFile(join(dir.path, 'broken.pem'), 'not a certificate\n');
    await dir.write(UNSTARTABLE_CONFIG(port));
    master.signal('SIGHUP');
    const failure = await master.waitForLog((line) => line.event === 'reload_config_fail' && /did not become ready/.test(line.msg ?? ''));
    expect(failure.generation).toBe(generation + 1);
    for (let i = 0; i < 5; i += 1) expect((await httpGet(port, '/v')).body).toBe('v99');
    expect(await eventually(async () => (await childPids(master.pid)).length === 2)).toBe(true);
  }, 90_000);

  it('binds a listen address added by a reload and releases one the next reload removes', async () => {
    const second = await freePort();
    await dir.write(configVersion([port, second], 100));
    await reloadNext();
    expect(await eventually(async () => (await httpGet(second, '/v')).body === 'v100')).toBe(true);
    expect(await eventually(async () => (await httpGet(port, '/v')).body === 'v100')).toBe(true);

    await dir.write(configVersion([second], 101));
    await reloadNext();
    const isRefused = async (): Promise<boolean> =>
      httpGet(port, '/v', 1_000).then(
        () => false,
        (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED',
      );
    expect(await eventually(isRefused)).toBe(true);
    expect((await httpGet(second, '/v')).body).toBe('v101');
  }, 90_000);
});
