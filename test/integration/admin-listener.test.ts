/**
 * The admin listener of an in-process gateway (no master): admin tokens on every endpoint, the metrics
 * token for the metrics endpoints only, metrics kept off the main listener with `metrics.servers: []`,
 * provider key states from the process's cooldown store, and the management routes answering 503 without
 * a master (the real binary's management round trip is test/e2e/admin-api.test.ts).
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdFor } from '../../src/core/provider-state.ts';
import { LocalKeyStateStore, setProcessKeyStateStore } from '../../src/ai/routing/key-state-store.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';

const ADMIN_TOKEN = 'admin-token-0123456789';
const CI_TOKEN = 'ci-token-0123456789abc';
const METRICS_TOKEN = 'metrics-token-0123456789';

let gateway: TestGateway;
let admin: string;
const store = new LocalKeyStateStore();

beforeAll(async () => {
  setProcessKeyStateStore(store);
  const adminPort = await freePort();
  admin = `http://127.0.0.1:${adminPort}`;
  gateway = await startTestGateway({
    servers: { main: { locations: ['api'] } },
    locations: { api: { path: '/api', plugins: ['hello'] } },
    plugins: { hello: { type: 'mock', body: 'hello' } },
    providers: { openai: { type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys: ['sk-one', 'sk-two'] } },
    observability: { metrics: { token: METRICS_TOKEN, servers: [] } },
    admin: { listen: `127.0.0.1:${adminPort}`, token: ADMIN_TOKEN, tokens: { ci: CI_TOKEN } },
  });
});

afterAll(async () => {
  await gateway.close();
  setProcessKeyStateStore(new LocalKeyStateStore());
});

async function call(url: string, token?: string, method = 'GET', body?: unknown): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const res = await request(url, {
    method: method as 'GET',
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

describe('admin listener', () => {
  it('serves on its own address next to the servers', () => {
    expect(gateway.addresses).toContain(admin);
  });

  it('answers 401 without an admin token, with a wrong one, and to the metrics token outside the metrics endpoints', async () => {
    for (const token of [undefined, 'wrong-token-0123456789', METRICS_TOKEN]) {
      const res = await call(`${admin}/admin/consumers`, token);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text)).toMatchObject({ error: 'unauthorized' });
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    expect((await call(`${admin}/metrics`)).status).toBe(401);
    expect((await call(`${admin}/health`)).status).toBe(401);
  });

  it('serves the metrics endpoints to an admin token and to the metrics token', async () => {
    await call(`${gateway.url}/api`);
    for (const token of [ADMIN_TOKEN, CI_TOKEN, METRICS_TOKEN]) {
      const metrics = await call(`${admin}/metrics`, token);
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('http_requests_total{');
    }
    expect(JSON.parse((await call(`${admin}/metrics/summary`, ADMIN_TOKEN)).text)).toHaveProperty('locations');
    expect(JSON.parse((await call(`${admin}/health`, ADMIN_TOKEN)).text)).toMatchObject({ status: 'healthy' });
    expect((await call(`${admin}/metrics/ui`, METRICS_TOKEN)).status).toBe(200);
  });

  it('keeps the metrics endpoints off the main listener with `metrics.servers: []`', async () => {
    const res = await call(`${gateway.url}/metrics`, METRICS_TOKEN);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'route_not_found' });
  });

  it('lists every provider key with its cooldown state and reason, never the key', async () => {
    const one = keyIdFor('openai', 'sk-one');
    const two = keyIdFor('openai', 'sk-two');
    store.coolDown(two, Date.now() + 60_000, '429');
    const res = await call(`${admin}/admin/provider-keys`, ADMIN_TOKEN);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { keys: unknown[] };
    expect(body.keys).toEqual([
      { provider: 'openai', key_id: one, state: 'healthy' },
      { provider: 'openai', key_id: two, state: 'cooling_down', reason: '429', cooling_down_until: expect.any(String), retry_after_seconds: expect.any(Number) },
    ]);
    expect(res.text).not.toContain('sk-one');
    expect(res.text).not.toContain('sk-two');
  });

  it('answers the management routes with 503 without a master, after checking the request', async () => {
    expect(JSON.parse((await call(`${admin}/admin/consumers`, ADMIN_TOKEN)).text)).toMatchObject({ error: 'management_unavailable' });
    const invalid = await call(`${admin}/admin/plugins/keys/consumers`, ADMIN_TOKEN, 'POST', { name: 'bad name' });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.text)).toMatchObject({ error: 'invalid_request', issues: [{ path: 'name' }] });
    const created = await call(`${admin}/admin/plugins/keys/consumers`, ADMIN_TOKEN, 'POST', { name: 'team-a' });
    expect(created.status).toBe(503);
    expect(created.text).not.toContain('llk_');
  });

  it('answers 404 for unknown admin paths, 405 for other methods, 400 for a body that is not JSON', async () => {
    expect((await call(`${admin}/nothing`, ADMIN_TOKEN)).status).toBe(404);
    expect((await call(`${admin}/admin/nothing`, ADMIN_TOKEN)).status).toBe(404);
    const wrongMethod = await call(`${admin}/admin/provider-keys`, ADMIN_TOKEN, 'DELETE');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers['allow']).toBe('GET');
    const res = await request(`${admin}/admin/plugins/keys/consumers`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: '{"name":' });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({ error: 'invalid_json' });
  });
});
