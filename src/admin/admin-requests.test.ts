import { describe, expect, it } from 'vitest';
import { generateGatewayKey, keyHashOf, matchManagementRoute } from './admin-requests.ts';
import type { BuildResult, RouteMatch } from './admin-requests.ts';

function build(method: string, path: string, body?: unknown): BuildResult {
  const match: RouteMatch = matchManagementRoute(method, path.split('/'));
  if (!match.ok) throw new Error(`no route: ${match.status}`);
  return match.build(body);
}

describe('matchManagementRoute', () => {
  it('maps the routes to operations', () => {
    expect(build('GET', 'consumers')).toMatchObject({ ok: true, op: { kind: 'list' } });
    expect(build('GET', 'plugins/keys/consumers')).toMatchObject({ ok: true, op: { kind: 'list', plugin: 'keys' } });
    expect(build('GET', 'plugins/keys/consumers/a')).toMatchObject({ ok: true, op: { kind: 'get-consumer', plugin: 'keys', consumer: 'a' } });
    expect(build('DELETE', 'plugins/keys/consumers/a')).toMatchObject({ ok: true, op: { kind: 'delete-consumer' } });
    expect(build('PATCH', 'plugins/keys/consumers/a', { active: false })).toMatchObject({ ok: true, op: { kind: 'update-consumer', patch: { active: false } } });
    expect(build('PATCH', 'plugins/keys/consumers/a/keys/ci', { expires_at: null })).toMatchObject({ ok: true, op: { kind: 'update-key', key: 'ci', patch: { expires_at: null } } });
    expect(build('DELETE', 'plugins/keys/consumers/a/keys/ci')).toMatchObject({ ok: true, op: { kind: 'delete-key', key: 'ci' } });
  });

  it('answers 404 for unknown paths and 405 with the allowed methods', () => {
    expect(matchManagementRoute('GET', ['nope'])).toEqual({ ok: false, status: 404 });
    expect(matchManagementRoute('GET', ['plugins', 'keys', 'consumers', 'a', 'keys', 'b', 'c'])).toEqual({ ok: false, status: 404 });
    expect(matchManagementRoute('PUT', ['plugins', 'keys', 'consumers'])).toEqual({ ok: false, status: 405, allow: 'GET, POST' });
    expect(matchManagementRoute('GET', ['plugins', 'keys', 'consumers', 'a', 'keys'])).toEqual({ ok: false, status: 405, allow: 'POST' });
  });

  it('generates a key per requested key name; the operation carries only its hash', () => {
    const result = build('POST', 'plugins/keys/consumers', { name: 'team-a', keys: [{ name: 'ci' }, { name: 'laptop', expires_at: '2030-01-01' }] });
    if (!result.ok || result.op.kind !== 'create-consumer') throw new Error('expected a create-consumer op');
    expect(result.issued.map((k) => k.name)).toEqual(['ci', 'laptop']);
    expect(result.op.consumer.keys).toEqual([
      { name: 'ci', key_hash: keyHashOf(result.issued[0]?.key ?? '') },
      { name: 'laptop', key_hash: keyHashOf(result.issued[1]?.key ?? ''), expires_at: '2030-01-01' },
    ]);
    expect(JSON.stringify(result.op)).not.toContain(result.issued[0]?.key);
  });

  it('gives a new consumer one key named "default" unless keys are listed', () => {
    const result = build('POST', 'plugins/keys/consumers', { name: 'team-a' });
    expect(result.ok && result.issued.map((k) => k.name)).toEqual(['default']);
  });

  it('lists every problem of a body with its path', () => {
    const result = build('POST', 'plugins/keys/consumers', { name: 'bad name', active: 'yes', extra: 1, keys: [{ name: 'a' }, { name: 'a' }] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual(['', 'active', 'name']);
    expect(build('PATCH', 'plugins/keys/consumers/a', {})).toMatchObject({ ok: false });
    expect(build('PATCH', 'plugins/keys/consumers/a', { expires_at: 'soon' })).toMatchObject({ ok: false, issues: [{ path: 'expires_at' }] });
    expect(build('POST', 'plugins/keys/consumers/a/keys', {})).toMatchObject({ ok: false, issues: [{ path: 'name' }] });
  });
});

describe('generateGatewayKey', () => {
  it('makes distinct 256-bit keys and sha256 hashes in the config format', () => {
    const a = generateGatewayKey();
    expect(a).toMatch(/^llk_[A-Za-z0-9_-]{43}$/);
    expect(generateGatewayKey()).not.toBe(a);
    expect(keyHashOf('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
