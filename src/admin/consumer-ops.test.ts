import { describe, expect, it } from 'vitest';
import type { ConsumerSpec } from './admin-messages.ts';
import { applyOp, managedPluginNames } from './consumer-ops.ts';
import type { ManagedDocument, OpContext } from './consumer-ops.ts';

const HASH = `sha256:${'a'.repeat(64)}`;
const OTHER_HASH = `sha256:${'b'.repeat(64)}`;
const NONE: OpContext = { runningPlugins: new Map() };

const spec = (name: string, extra: Partial<ConsumerSpec> = {}): ConsumerSpec => ({ name, keys: [{ name: 'default', key_hash: HASH }], ...extra });

function managed(consumers: Record<string, unknown> = {}): ManagedDocument {
  return { plugins: { keys: { type: 'key-auth', consumers } } };
}

function expectOk(outcome: ReturnType<typeof applyOp>): ManagedDocument {
  if (!outcome.ok) throw new Error(`expected ok, got ${outcome.error}`);
  return outcome.doc;
}

describe('applyOp', () => {
  it('creates the key-auth plugin in the managed document when no file defines it', () => {
    const outcome = applyOp({}, { kind: 'create-consumer', plugin: 'keys', consumer: spec('team-a', { active: false }) }, NONE);
    expect(outcome.ok && outcome.status).toBe(201);
    expect(expectOk(outcome)).toEqual({
      plugins: { keys: { type: 'key-auth', consumers: { 'team-a': { active: false, keys: [{ name: 'default', key_hash: HASH }] } } } },
    });
  });

  it('refuses to add consumers to a plugin a hand-written file defines', () => {
    const outcome = applyOp({}, { kind: 'create-consumer', plugin: 'keys', consumer: spec('a') }, { runningPlugins: new Map([['keys', 'key-auth']]) });
    expect(outcome).toMatchObject({ ok: false, status: 409, error: 'plugin_not_managed' });
  });

  it('refuses a plugin of another type in the managed file', () => {
    const outcome = applyOp({ plugins: { keys: { type: 'mock' } } }, { kind: 'create-consumer', plugin: 'keys', consumer: spec('a') }, NONE);
    expect(outcome).toMatchObject({ ok: false, status: 409, error: 'plugin_not_key_auth' });
  });

  it('answers 409 for a consumer that exists and 404 for one that does not', () => {
    const doc = managed({ a: { keys: [{ name: 'default', key_hash: HASH }] } });
    expect(applyOp(doc, { kind: 'create-consumer', plugin: 'keys', consumer: spec('a') }, NONE)).toMatchObject({ status: 409, error: 'consumer_exists' });
    expect(applyOp(doc, { kind: 'delete-consumer', plugin: 'keys', consumer: 'b' }, NONE)).toMatchObject({ status: 404, error: 'consumer_not_found' });
    expect(applyOp(doc, { kind: 'delete-consumer', plugin: 'nope', consumer: 'a' }, NONE)).toMatchObject({ status: 404, error: 'plugin_not_found' });
  });

  it('updates fields, and null removes one, without touching the input document', () => {
    const doc = managed({ a: { expires_at: '2030-01-01', allowed_models: ['m'], keys: [{ name: 'default', key_hash: HASH }] } });
    const next = expectOk(applyOp(doc, { kind: 'update-consumer', plugin: 'keys', consumer: 'a', patch: { active: false, expires_at: null, allowed_locations: ['ai'] } }, NONE));
    expect(next).toEqual(managed({ a: { allowed_models: ['m'], keys: [{ name: 'default', key_hash: HASH }], active: false, allowed_locations: ['ai'] } }));
    expect(doc).toEqual(managed({ a: { expires_at: '2030-01-01', allowed_models: ['m'], keys: [{ name: 'default', key_hash: HASH }] } }));
  });

  it('deletes a consumer', () => {
    const doc = managed({ a: { keys: [{ name: 'default', key_hash: HASH }] }, b: { keys: [{ name: 'default', key_hash: OTHER_HASH }] } });
    expect(expectOk(applyOp(doc, { kind: 'delete-consumer', plugin: 'keys', consumer: 'a' }, NONE))).toEqual(managed({ b: { keys: [{ name: 'default', key_hash: OTHER_HASH }] } }));
  });

  it('adds, updates and deletes keys by name, and a key without a name by its index', () => {
    const doc = managed({ a: { keys: [{ key_hash: HASH }] } });
    const added = expectOk(applyOp(doc, { kind: 'create-key', plugin: 'keys', consumer: 'a', key: { name: 'ci', key_hash: OTHER_HASH, expires_at: '2031-01-01' } }, NONE));
    expect(applyOp(added, { kind: 'create-key', plugin: 'keys', consumer: 'a', key: { name: 'ci', key_hash: HASH } }, NONE)).toMatchObject({ status: 409, error: 'key_exists' });
    const updated = expectOk(applyOp(added, { kind: 'update-key', plugin: 'keys', consumer: 'a', key: 'ci', patch: { expires_at: null } }, NONE));
    const deleted = expectOk(applyOp(updated, { kind: 'delete-key', plugin: 'keys', consumer: 'a', key: '0' }, NONE));
    expect(deleted).toEqual(managed({ a: { keys: [{ name: 'ci', key_hash: OTHER_HASH }] } }));
    expect(applyOp(deleted, { kind: 'delete-key', plugin: 'keys', consumer: 'a', key: 'gone' }, NONE)).toMatchObject({ status: 404, error: 'key_not_found' });
  });

  it('keeps a "__proto__" name as data', () => {
    const next = expectOk(applyOp({}, { kind: 'create-consumer', plugin: 'keys', consumer: spec('__proto__') }, NONE));
    expect(Object.keys((next['plugins'] as { keys: { consumers: object } }).keys.consumers)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});

describe('managedPluginNames', () => {
  it('lists the plugins of the managed document', () => {
    expect([...managedPluginNames(managed())]).toEqual(['keys']);
    expect([...managedPluginNames({})]).toEqual([]);
  });
});
