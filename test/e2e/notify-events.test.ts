/**
 * Notifications from the real master to a receiver on 127.0.0.1: `restart` once it serves, `reload_config`
 * and `diff_config` (naming the routes added and removed) on SIGHUP, `reload_config_fail` with the issue's
 * position for an invalid config, `worker_crash` for a worker killed with SIGKILL (by pid). A second channel
 * with an allow-list receives only its events, as a Slack message. After SIGUSR2 the new master sends
 * `upgrade`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigDir } from './helpers/config-dir.ts';
import { gatewayConfig } from './helpers/gateway-config.ts';
import { childPids } from './helpers/louailink-process.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';
import { cleanupMasters, startMaster } from './helpers/master-fixture.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';
import type { WebhookReceiver } from '../helpers/webhook-receiver.ts';

let hook: WebhookReceiver;
let slack: WebhookReceiver;
let dir: ConfigDir;
let port: number;
let master: LouailinkProcess;

const config = (p: number, options: { routes?: readonly string[]; serverLocations?: readonly string[] } = {}): string =>
  [
    gatewayConfig({ ports: p, body: 'ok', name: 'edge-e2e', ...options }).trimEnd(),
    'notifications:',
    '  ops:',
    `    url: ${hook.url}`,
    '    timeout: 5s',
    '  chat:',
    '    type: slack',
    `    url: ${slack.url}`,
    '    events: [worker_crash]',
    '',
  ].join('\n');

beforeAll(async () => {
  hook = await startWebhookReceiver('/ops');
  slack = await startWebhookReceiver('/slack');
  ({ dir, port, master } = await startMaster((p) => config(p, { routes: ['r1'] }), ['--workers', '2']));
}, 90_000);

/** A master started by SIGUSR2 is not a child of the test: killed here by the pid it reported or its pid file. */
let successorPid: number | undefined;

afterAll(async () => {
  const fromFile = Number((await readFile(join(dir.path, 'louailink.pid'), 'utf8').catch(() => '')).trim());
  for (const pid of [successorPid, fromFile]) {
    if (pid === undefined || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await cleanupMasters();
  await Promise.all([hook.close(), slack.close()]);
});

const TIMEOUT_MS = 30_000;

describe('notifications', () => {
  it('sends restart with the documented webhook fields once the master serves', { timeout: 60_000 }, async () => {
    const body = await hook.waitFor((b) => b['event'] === 'restart', TIMEOUT_MS);
    expect(Object.keys(body).sort()).toEqual(['details', 'event', 'hostname', 'level', 'message', 'name', 'pid', 'time']);
    expect(body).toMatchObject({ name: 'edge-e2e', event: 'restart', level: 'info', pid: master.pid });
    expect(body['details']).toMatchObject({ generation: 1, workers: 2 });
    expect(Number.isNaN(Date.parse(String(body['time'])))).toBe(false);
  });

  it('sends reload_config and diff_config naming the routes added and removed', { timeout: 60_000 }, async () => {
    await dir.write(config(port, { routes: ['r2'] }));
    master.signal('SIGHUP');
    const reload = await hook.waitFor((b) => b['event'] === 'reload_config', TIMEOUT_MS);
    expect(reload['details']).toMatchObject({ generation: 2 });
    const diff = await hook.waitFor((b) => b['event'] === 'diff_config', TIMEOUT_MS);
    expect(diff['message']).toBe('servers ~main; locations +r2 -r1');
    expect((diff['details'] as { sections: unknown }).sections).toEqual([
      { section: 'servers', added: [], removed: [], changed: ['main'] },
      { section: 'locations', added: ['r2'], removed: ['r1'], changed: [] },
    ]);
  });

  it('sends reload_config_fail with the issue and its position when the new config is invalid', { timeout: 60_000 }, async () => {
    await dir.write(config(port, { serverLocations: ['nowhere'] }));
    master.signal('SIGHUP');
    const fail = await hook.waitFor((b) => b['event'] === 'reload_config_fail', TIMEOUT_MS);
    expect(fail['level']).toBe('error');
    const details = fail['details'] as { reason: string; issues: string[] };
    expect(details.reason).toBe('invalid-config');
    expect(details.issues.some((issue) => /louailink\.yaml:\d+:\d+ servers\.main\.locations\.0: /.test(issue))).toBe(true);
  });

  it('sends worker_crash to both channels for a worker killed with SIGKILL; the Slack channel gets only that', { timeout: 60_000 }, async () => {
    // The reload before this test leaves the old generation draining for a moment; a retiring worker that dies
    // is no crash. Wait until only the 2 serving workers are the master's children.
    let children = await childPids(master.pid);
    for (const deadline = Date.now() + 20_000; children.length !== 2 && Date.now() < deadline; children = await childPids(master.pid)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(children).toHaveLength(2);
    const [victim] = children;
    expect(victim).toBeDefined();
    process.kill(victim ?? -1, 'SIGKILL');
    const crash = await hook.waitFor((b) => b['event'] === 'worker_crash', TIMEOUT_MS);
    expect(crash['details']).toMatchObject({ workerPid: victim, signal: 'SIGKILL' });
    const text = await slack.waitFor((b) => typeof b['text'] === 'string', TIMEOUT_MS);
    expect(text['text']).toContain(`worker_crash (error)`);
    expect(text['text']).toContain(`worker ${victim} exited`);
    expect(slack.bodies).toHaveLength(1);
  });

  it('sends upgrade from the new master after SIGUSR2; the old one exits', { timeout: 90_000 }, async () => {
    await dir.write(config(port, { routes: ['r2'] }));
    master.signal('SIGUSR2');
    const upgrade = await hook.waitFor((b) => b['event'] === 'upgrade', 60_000);
    successorPid = Number(upgrade['pid']);
    expect(successorPid).not.toBe(master.pid);
    expect(upgrade).toMatchObject({ level: 'info', name: 'edge-e2e' });
    expect(upgrade['details']).toMatchObject({ workers: 2 });
    expect(await master.exited).toEqual({ code: 0, signal: null });
  });
});
