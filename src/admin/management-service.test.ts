import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { Actor, ManagementOp } from './admin-messages.ts';
import type { AuditEntry } from './audit-log.ts';
import { MANAGED_FILE_NAME } from './managed-file.ts';
import { ManagementService } from './management-service.ts';
import type { ReloadResult } from './management-service.ts';

const MAIN = `servers:
  main:
    listen: 127.0.0.1:18181
    locations: [api]
locations:
  api:
    path: /api
    plugins: [keys, hello]
plugins:
  hello: { type: mock, body: hello }
  hand-written:
    type: key-auth
    consumers:
      ops: { keys: [{ key_hash: "sha256:${'c'.repeat(64)}" }] }
`;

const SEED = `plugins:
  keys:
    type: key-auth
    consumers: {}
`;

const HASH = `sha256:${'a'.repeat(64)}`;
const ACTOR: Actor = { token: 'ops', address: '127.0.0.1' };

let dir: string;
let service: ManagementService;
let audit: AuditEntry[];
let reloads: number;
let reloadResult: ReloadResult | undefined;

async function load(): Promise<LoadedConfig> {
  const result = await loadConfig(dir);
  if (!result.ok) throw new Error(result.issues.map((i) => i.message).join('; '));
  return result.loaded;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'louai-test-admin-'));
  await writeFile(join(dir, 'louailink.yaml'), MAIN);
  await writeFile(join(dir, MANAGED_FILE_NAME), SEED);
  audit = [];
  reloads = 0;
  reloadResult = undefined;
  service = new ManagementService(
    await load(),
    {
      load: (path) => loadConfig(path),
      reload: async () => {
        reloads += 1;
        if (reloadResult !== undefined) return reloadResult;
        service.configure(await load());
        return { ok: true, generation: reloads + 1 };
      },
      settle: async () => undefined,
      generation: () => reloads + 1,
    },
    { write: (entry) => audit.push(entry) },
  );
});

afterEach(() => rm(dir, { recursive: true, force: true }));

const create = (name: string, extra: Record<string, unknown> = {}): ManagementOp => ({
  kind: 'create-consumer',
  plugin: 'keys',
  consumer: { name, keys: [{ name: 'default', key_hash: HASH }], ...extra },
});

describe('ManagementService', () => {
  it('writes a created consumer to the managed file, reloads, and answers with the consumer as it serves', async () => {
    const reply = await service.handle(create('team-a', { allowed_locations: ['api'] }), ACTOR);
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ plugin: 'keys', consumer: { name: 'team-a', active: true, allowed_locations: ['api'], keys: [{ name: 'default' }] }, generation: 2, changed: true });
    expect(JSON.stringify(reply.body)).not.toContain(HASH);
    expect(await readFile(join(dir, MANAGED_FILE_NAME), 'utf8')).toContain(HASH);
    expect(reloads).toBe(1);
    expect(audit).toEqual([
      expect.objectContaining({ action: 'consumer.create', outcome: 'applied', actor: ACTOR, plugin: 'keys', consumer: 'team-a', key: ['default'], status: 201, generation: 2 }),
    ]);
  });

  it('never rewrites a hand-written file: a plugin defined there answers 409', async () => {
    const before = await readFile(join(dir, 'louailink.yaml'), 'utf8');
    const reply = await service.handle({ ...create('x'), plugin: 'hand-written' } as ManagementOp, ACTOR);
    expect(reply).toMatchObject({ status: 409, body: { error: 'plugin_not_managed' } });
    expect(await readFile(join(dir, 'louailink.yaml'), 'utf8')).toBe(before);
    expect(reloads).toBe(0);
    expect(audit[0]).toMatchObject({ outcome: 'rejected', status: 409, error: 'plugin_not_managed' });
  });

  it('answers 400 with the issues and their positions, and puts the old file back, when the result is invalid', async () => {
    const reply = await service.handle(create('team-a', { expires_at: 'someday' }), ACTOR);
    expect(reply.status).toBe(400);
    expect(reply.body['error']).toBe('invalid_config');
    expect(reply.body['issues']).toEqual([
      expect.objectContaining({ file: MANAGED_FILE_NAME, path: 'plugins.keys.consumers.team-a.expires_at', line: expect.any(Number), col: expect.any(Number) }),
    ]);
    expect(await readFile(join(dir, MANAGED_FILE_NAME), 'utf8')).toBe(SEED);
    expect(reloads).toBe(0);
    expect(audit[0]).toMatchObject({ outcome: 'invalid', status: 400 });
  });

  it('undoes the change when the new generation fails to start', async () => {
    reloadResult = { ok: false, reason: 'not-ready', message: 'new workers did not become ready' };
    const reply = await service.handle(create('team-a'), ACTOR);
    expect(reply).toMatchObject({ status: 503, body: { error: 'reload_failed', reason: 'not-ready' } });
    expect(await readFile(join(dir, MANAGED_FILE_NAME), 'utf8')).toBe(SEED);
    expect(audit[0]).toMatchObject({ outcome: 'failed' });
  });

  it('runs concurrent changes one after the other, each on the previous result', async () => {
    const replies = await Promise.all(['a', 'b', 'c'].map((name, i) => service.handle(create(name, {}), ACTOR).then((r) => ({ r, i }))));
    expect(replies.map(({ r }) => r.status)).toEqual([201, 201, 201]);
    expect(replies.map(({ r }) => r.body['generation'])).toEqual([2, 3, 4]);
    const listed = await service.handle({ kind: 'list', plugin: 'keys' }, ACTOR);
    expect(listed.body).toMatchObject({ plugin: { name: 'keys', managed: true, consumers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } });
  });

  it('deactivates, then deletes, and answers without a reload when nothing changes', async () => {
    await service.handle(create('team-a'), ACTOR);
    const off = await service.handle({ kind: 'update-consumer', plugin: 'keys', consumer: 'team-a', patch: { active: false } }, ACTOR);
    expect(off.body).toMatchObject({ consumer: { name: 'team-a', active: false } });
    const again = await service.handle({ kind: 'update-consumer', plugin: 'keys', consumer: 'team-a', patch: { active: false } }, ACTOR);
    expect(again).toMatchObject({ status: 200, body: { changed: false, generation: 3 } });
    expect(reloads).toBe(2);
    const deleted = await service.handle({ kind: 'delete-consumer', plugin: 'keys', consumer: 'team-a' }, ACTOR);
    expect(deleted).toMatchObject({ status: 200, body: { deleted: { consumer: 'team-a' } } });
    expect(audit.map((e) => `${e.action} ${e.outcome}`)).toEqual(['consumer.create applied', 'consumer.update applied', 'consumer.update unchanged', 'consumer.delete applied']);
    expect(audit[1]).toMatchObject({ fields: ['active'] });
  });

  it('lists every key-auth plugin of the running config and which ones it manages, without key material', async () => {
    const reply = await service.handle({ kind: 'list' }, ACTOR);
    expect(reply.body).toEqual({
      plugins: [
        { name: 'hand-written', managed: false, headers: ['authorization', 'x-api-key'], consumers: [{ name: 'ops', active: true, keys: [{ name: '0' }] }] },
        { name: 'keys', managed: true, headers: ['authorization', 'x-api-key'], consumers: [] },
      ],
    });
    expect(await service.handle({ kind: 'get-consumer', plugin: 'keys', consumer: 'x' }, ACTOR)).toMatchObject({ status: 404, body: { error: 'consumer_not_found' } });
  });

  it('refuses changes when the config is a single file', async () => {
    service.configure({ ...(await load()), configPath: join(dir, 'louailink.yaml') });
    expect(await service.handle(create('a'), ACTOR)).toMatchObject({ status: 409, body: { error: 'config_not_directory' } });
  });
});
