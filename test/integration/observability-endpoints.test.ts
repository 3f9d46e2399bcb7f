/**
 * The built-in endpoints on a real HTTP server, with the in-process hub (no master): /health, /healthz,
 * /metrics (token), /metrics/summary, /metrics/ui, and traffic recorded by the request observer.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.ts';
import { VERSION } from '../../src/core/version.ts';
import { createWorkerObservability } from '../../src/observability/worker-observability.ts';
import type { WorkerObservability } from '../../src/observability/worker-observability.ts';

const TOKEN = 'metrics-secret-123';
let server: Server;
let base: string;
let obs: WorkerObservability;

beforeAll(async () => {
  const config = configSchema.parse({
    servers: { main: { listen: '127.0.0.1:1', locations: ['api', 'web'] } },
    locations: { api: { path: '/api' }, web: { path: '/' } },
    observability: { metrics: { token: TOKEN } },
  });
  obs = createWorkerObservability({ config, configDir: '/tmp', identity: { generation: 4, slot: 0, configVersion: 'cafe1234' } });
  const endpoints = obs.endpointsFor('main');
  const observer = obs.observer;
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const record = observer?.start(req, res, 'rid') ?? null;
    const builtIn = endpoints?.get(path);
    if (builtIn !== undefined) {
      builtIn(req, res, 'rid', record);
      return;
    }
    if (record !== null) observer?.route(record, path.startsWith('/api') ? 'api' : 'web');
    res.writeHead(path.endsWith('/missing') ? 404 : 200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  obs.close();
  await new Promise((resolve) => server.close(resolve));
});

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  const res = await request(`${base}${path}`, { headers });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: await res.body.text() };
}

const auth = { authorization: `Bearer ${TOKEN}` };

describe('built-in endpoints', () => {
  it('answers /healthz with {"status":"ok"}', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, type: 'application/json', body: '{"status":"ok"}' });
  });

  it('answers /health with version, uptime, workers, generation and config version', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'healthy', version: VERSION, uptime_seconds: expect.any(Number), workers: 1, generation: 4, config_version: 'cafe1234' });
  });

  it('refuses /metrics and /metrics/summary without the bearer token', async () => {
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { authorization: 'Bearer wrong-token-12345' })).status).toBe(401);
    expect((await get('/metrics/summary')).status).toBe(401);
  });

  it('exposes recorded traffic with location names as path labels', async () => {
    await get('/api/users/1');
    await get('/api/users/2?x=1');
    await get('/web/missing', { authorization: 'Bearer sk-client-0123456789zz99' });
    const res = await get('/metrics', auth);
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    expect(res.body).toContain('http_requests_total{method="GET",path="api",status="200"} 2');
    expect(res.body).toContain('http_requests_total{method="GET",path="web",status="404"} 1');
    expect(res.body).not.toContain('/api/users');
    expect(res.body).not.toContain('path="unmatched"');
  });

  it("adds Node's process metrics once prom-client is loaded, after the worker serves", async () => {
    let body = '';
    for (let i = 0; i < 40 && !body.includes('process_cpu_user_seconds_total'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = (await get('/metrics', auth)).body;
    }
    expect(body).toContain('process_cpu_user_seconds_total');
  });

  it('summarizes the windows per location and masked token', async () => {
    const res = await get('/metrics/summary', auth);
    const summary = JSON.parse(res.body) as { locations: { name: string; requests_1h: number }[]; tokens: unknown[]; workers: number };
    expect(summary.workers).toBe(1);
    expect(summary.locations.find((l) => l.name === 'api')).toMatchObject({ requests_1h: 2, requests_24h: 2, concurrency: 0, peak_concurrency_1h: 1 });
    expect(summary.tokens).toEqual([{ token: 'sk-client-…zz99', requests_1h: 1, requests_24h: 1 }]);
    expect(res.body).not.toContain('0123456789');
  });

  it('serves the UI page without the token (it holds no data)', async () => {
    const res = await get('/metrics/ui');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html; charset=utf-8');
    expect(res.body).toContain("fetch('summary'");
  });
});

describe('built-in endpoints and locations', () => {
  it('leave a path to a location written for exactly that path', () => {
    const config = configSchema.parse({
      servers: { main: { listen: '127.0.0.1:1', locations: ['own-health', 'rest'] }, other: { listen: '127.0.0.1:2', locations: ['rest'] } },
      locations: { 'own-health': { path: '=/health' }, rest: { path: '/' } },
      observability: { metrics: { servers: ['other'] } },
    });
    const local = createWorkerObservability({ config, configDir: '/tmp', identity: { generation: 1, slot: 0, configVersion: 'x' } });
    expect([...(local.endpointsFor('main')?.keys() ?? [])]).toEqual(['/healthz']);
    expect([...(local.endpointsFor('other')?.keys() ?? [])].sort()).toEqual(['/health', '/healthz', '/metrics', '/metrics/summary', '/metrics/ui']);
    local.close();
  });
});
