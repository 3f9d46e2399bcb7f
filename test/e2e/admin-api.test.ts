/**
 * The management API end to end: the real binary with 2 workers, a main listener whose `/api` location
 * runs a key-auth plugin kept in the managed file, and an admin listener. Every change goes worker →
 * master → managed file → validation → zero-downtime reload → reply; a load generator runs on the main
 * listener throughout and no request may fail. The audit lines are read from the processes' JSON log.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.ts';
import type { ConfigDir } from './helpers/config-dir.ts';
import { startLoad } from './helpers/load-generator.ts';
import type { RunningLoad } from './helpers/load-generator.ts';
import { startLouailink } from './helpers/louailink-process.ts';
import type { LogLine, LouailinkProcess } from './helpers/louailink-process.ts';
import { cleanupMasters, prepareConfig } from './helpers/master-fixture.ts';

const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
const OPS_TOKEN = 'ops-token-0123456789abcdef';
const HAND_KEY = 'hand-written-key-0123456789';
const MANAGED = 'managed-consumers.yaml';

const config = (port: number, adminPort: number): string => `basic:
  workers: 2
servers:
  main:
    listen: 127.0.0.1:${port}
    locations: [open, api, hand]
locations:
  open: { path: =/v, plugins: [hello] }
  api: { path: /api, plugins: [keys, hello] }
  hand: { path: /hand, plugins: [hand, hello] }
plugins:
  hello: { type: mock, body: hello }
  hand:
    type: key-auth
    consumers:
      ops: { keys: [{ name: ops, key_hash: "sha256:${createHash('sha256').update(HAND_KEY).digest('hex')}" }] }
observability:
  metrics: { servers: [] }
admin:
  listen: 127.0.0.1:${adminPort}
  token: ${ADMIN_TOKEN}
  tokens: { ops: ${OPS_TOKEN} }
`;

const SEED = `plugins:
  keys: { type: key-auth, consumers: {} }
`;

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly json: Record<string, unknown>;
}

/** One request on a fresh connection, so it lands on whichever worker accepts next. */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent: false, timeout: 60_000, headers: { connection: 'close', ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // Not every answer is JSON (the mock's "hello").
          }
          resolve({ status: res.statusCode ?? 0, body: text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

let dir: ConfigDir;
let port: number;
let adminPort: number;
let master: LouailinkProcess;
let load: RunningLoad[] = [];
/** The key of team-a, returned once by the create call. */
let teamKey = '';

const admin = (method: string, path: string, body?: unknown, token = OPS_TOKEN): Promise<Answer> =>
  send(adminPort, method, path, { authorization: `Bearer ${token}` }, body);
const withKey = (key: string): Promise<Answer> => send(port, 'GET', '/api', { authorization: `Bearer ${key}` });

/** `count` fresh connections with `key`: the statuses seen. */
async function statusesWith(key: string, count = 16): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) statuses.push((await withKey(key)).status);
  return statuses;
}

const audits = (): LogLine[] => master.logs.filter((line) => line.event === 'audit');

beforeAll(async () => {
  adminPort = await freePort();
  ({ dir, port } = await prepareConfig((p) => config(p, adminPort)));
  await writeFile(join(dir.path, MANAGED), SEED);
  master = startLouailink(['-c', dir.path, '--drain-timeout', '20s']);
  await master.waitForLog((line) => line.msg === 'louailink started', 60_000);
}, 90_000);

afterAll(async () => {
  for (const running of load) await running.stop();
  await cleanupMasters();
});

describe('management API (2 workers)', () => {
  it('refuses requests without an admin token, and audits them', async () => {
    expect((await send(adminPort, 'GET', '/admin/consumers')).status).toBe(401);
    expect((await admin('GET', '/admin/consumers', undefined, 'wrong-token-0123456789abcdef')).status).toBe(401);
    expect((await admin('GET', '/metrics', undefined, 'wrong-token-0123456789abcdef')).status).toBe(401);
    await master.waitForLog((line) => line.event === 'audit' && line['action'] === 'admin.auth' && line['outcome'] === 'denied');
  }, 30_000);

  it('serves the metrics on the admin listener only', async () => {
    await send(port, 'GET', '/v');
    const metrics = await admin('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('http_requests_total{');
    expect((await send(port, 'GET', '/metrics')).status).toBe(404);
  }, 30_000);

  it('creates a consumer whose key works on every worker as soon as the reply arrives', async () => {
    load = [startLoad({ port, path: '/v', keepAlive: true, concurrency: 4 }), startLoad({ port, path: '/v', keepAlive: false, concurrency: 2 })];
    const created = await admin('POST', '/admin/plugins/keys/consumers', { name: 'team-a', keys: [{ name: 'ci' }] });
    expect(created.status).toBe(201);
    const keys = created.json['keys'] as { name: string; key: string }[];
    expect(keys.map((k) => k.name)).toEqual(['ci']);
    teamKey = keys[0]?.key ?? '';
    expect(teamKey).toMatch(/^llk_/);
    // No polling: the reply comes after the new generation serves and the old one stopped accepting.
    expect(await statusesWith(teamKey)).toEqual(Array(16).fill(200));
    const file = await readFile(join(dir.path, MANAGED), 'utf8');
    expect(file).toContain(`sha256:${createHash('sha256').update(teamKey).digest('hex')}`);
    expect(file).not.toContain(teamKey);
  }, 90_000);

  it('deactivates the consumer: 403 project_inactive', async () => {
    const patched = await admin('PATCH', '/admin/plugins/keys/consumers/team-a', { active: false });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ consumer: { name: 'team-a', active: false } });
    const answer = await withKey(teamKey);
    expect(answer.status).toBe(403);
    expect(answer.json['error']).toBe('project_inactive');
    expect(await statusesWith(teamKey, 8)).toEqual(Array(8).fill(403));
  }, 90_000);

  it('answers 400 with the issue and its position for an invalid change, and keeps serving the old config', async () => {
    const before = await readFile(join(dir.path, MANAGED), 'utf8');
    const generation = (await admin('GET', '/health')).json['generation'];
    // A consumer needs at least one key: deleting its only one is refused by the config validation.
    const refused = await admin('DELETE', '/admin/plugins/keys/consumers/team-a/keys/ci');
    expect(refused.status).toBe(400);
    expect(refused.json['error']).toBe('invalid_config');
    expect(refused.json['issues']).toEqual([
      expect.objectContaining({ file: MANAGED, line: expect.any(Number), col: expect.any(Number), path: 'plugins.keys.consumers.team-a.keys' }),
    ]);
    expect(await readFile(join(dir.path, MANAGED), 'utf8')).toBe(before);
    expect((await admin('GET', '/health')).json['generation']).toBe(generation);
    expect((await withKey(teamKey)).status).toBe(403);
  }, 60_000);

  it('never changes a plugin of a hand-written file', async () => {
    const refused = await admin('POST', '/admin/plugins/hand/consumers', { name: 'intruder' });
    expect(refused.status).toBe(409);
    expect(refused.json['error']).toBe('plugin_not_managed');
    expect((await send(port, 'GET', '/hand', { authorization: `Bearer ${HAND_KEY}` })).status).toBe(200);
    const listed = await admin('GET', '/admin/consumers');
    expect(listed.json['plugins']).toEqual([
      expect.objectContaining({ name: 'hand', managed: false, consumers: [expect.objectContaining({ name: 'ops', keys: [{ name: 'ops' }] })] }),
      expect.objectContaining({ name: 'keys', managed: true, consumers: [expect.objectContaining({ name: 'team-a', active: false })] }),
    ]);
  }, 60_000);

  it('deletes the consumer: 401', async () => {
    const deleted = await admin('DELETE', '/admin/plugins/keys/consumers/team-a');
    expect(deleted.status).toBe(200);
    expect(await statusesWith(teamKey, 8)).toEqual(Array(8).fill(401));
    expect((await admin('GET', '/admin/plugins/keys/consumers/team-a')).status).toBe(404);
  }, 90_000);

  it('failed no request on the main listener during the changes', async () => {
    const results = await Promise.all(load.map((running) => running.stop()));
    load = [];
    for (const result of results) {
      expect(result.failures).toEqual({});
      expect(result.ok).toBeGreaterThan(0);
    }
  }, 30_000);

  it('wrote one audit line per change and per refused request, naming who and never a key', async () => {
    await master.waitForLog((line) => line.event === 'audit' && line['action'] === 'consumer.delete');
    const changes = audits()
      .filter((line) => String(line['action']).startsWith('consumer.') || String(line['action']).startsWith('key.'))
      .map((line) => [line['action'], line['outcome'], (line['actor'] as { token?: string } | undefined)?.token, line['consumer']]);
    expect(changes).toEqual([
      ['consumer.create', 'applied', 'ops', 'team-a'],
      ['consumer.update', 'applied', 'ops', 'team-a'],
      ['key.delete', 'invalid', 'ops', 'team-a'],
      ['consumer.create', 'rejected', 'ops', 'intruder'],
      ['consumer.delete', 'applied', 'ops', 'team-a'],
    ]);
    const denied = audits().filter((line) => line['action'] === 'request.denied');
    expect(denied.some((line) => line['reason'] === 'inactive' && line['consumer'] === 'team-a' && line['key'] === 'ci')).toBe(true);
    expect(denied.some((line) => line['reason'] === 'invalid')).toBe(true);
    const text = JSON.stringify(audits());
    for (const secret of [teamKey, ADMIN_TOKEN, OPS_TOKEN, HAND_KEY]) expect(text).not.toContain(secret);
  }, 30_000);
});
