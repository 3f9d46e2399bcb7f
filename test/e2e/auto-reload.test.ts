/**
 * `-a`: the master watches the config directory. A change reloads (debounced), a save without changes
 * does nothing, and an invalid change keeps the old config serving with the issue logged at its position.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigDir } from './helpers/config-dir.ts';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { eventually, httpGet } from './helpers/http.ts';
import { startLoad } from './helpers/load-generator.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';
import { cleanupMasters, startMaster } from './helpers/master-fixture.ts';

const config = (port: number, body: string, serverLocations?: readonly string[]): string =>
  gatewayConfig({ ports: port, body, ...(serverLocations === undefined ? {} : { serverLocations }) });

let dir: ConfigDir;
let port: number;
let master: LouailinkProcess;

beforeAll(async () => {
  ({ dir, port, master } = await startMaster((p) => config(p, 'one'), ['-a', '--workers', '1']));
}, 90_000);

afterAll(cleanupMasters);

const reloaded = (generation: number) => (line: { event?: string; generation?: number; [key: string]: unknown }): boolean =>
  line.event === 'reload_config' && line.generation === generation && Array.isArray(line['pids']);

describe('-a (reload on config change)', () => {
  it('reloads when a file changes, and does nothing when a save leaves the content unchanged', { timeout: 90_000 }, async () => {
    await dir.write(config(port, 'two'));
    await master.waitForLog(reloaded(2));
    expect(await eventually(async () => (await httpGet(port, '/v')).body === 'two')).toBe(true);

    await dir.write(config(port, 'two'));
    await master.waitForLog((line) => line.msg === 'configuration unchanged; nothing to reload');
    expect(master.logs.some(reloaded(3))).toBe(false);
  });

  it('keeps the old config serving when a change is invalid, logging the issue with its position', { timeout: 90_000 }, async () => {
    const load = startLoad({ port, path: '/v', keepAlive: true, concurrency: 2 });
    await dir.write(config(port, 'three', ['nowhere']));
    const issue = await master.waitForLog((line) => line.event === 'reload_config_fail' && /louailink\.yaml:\d+:\d+ /.test(line.msg ?? ''));
    expect(issue.msg).toMatch(/louailink\.yaml:4:\d+ servers\.main\.locations\.0: /);
    const result = await load.stop();
    expect(result.failures).toEqual({});
    expect(result.bodies).toEqual(['two']);
    expect((await httpGet(port, '/v')).body).toBe('two');
  });
});
