/**
 * Observability wired into the real gateway (in-process, no master): request ids in, out, upstream and in
 * the access-log line; /health and /healthz before routing; proxy metrics; the upstream log redacting
 * credentials.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';

let upstream: Server;
let gateway: TestGateway;
let dir: string;
const seenIds: string[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seenIds.push(String(req.headers['x-request-id']));
    if (req.url?.startsWith('/api/sse')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: 1\n\ndata: 2\n\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"sk-proj-ABCDEFGH12345678","ok":true}');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  dir = await mkdtemp(join(tmpdir(), 'louai-test-obs-'));
  gateway = await startTestGateway(
    {
      servers: { main: { locations: ['api'] } },
      locations: { api: { path: '/api', upstream: 'backend' } },
      upstreams: { backend: { targets: [`127.0.0.1:${(upstream.address() as AddressInfo).port}`] } },
      observability: {
        access_log: { format: '$request_id $route $status $upstream_status $body_bytes_sent $stream_events', file: 'access.log' },
        upstream_log: { file: 'upstream.log' },
      },
    },
    dir,
  );
});

afterAll(async () => {
  await gateway?.close();
  await new Promise((r) => upstream.close(r));
  await rm(dir, { recursive: true, force: true });
});

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; id: string; body: string }> {
  const res = await request(`${gateway.url}${path}`, { headers });
  return { status: res.statusCode, id: String(res.headers['x-request-id']), body: await res.body.text() };
}

async function logLines(file: string, count: number): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    const lines = (await readFile(join(dir, file), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    if (lines.length >= count) return lines;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${file} has fewer than ${count} lines`);
}

describe('observability in the gateway', () => {
  it('keeps a sane x-request-id, generates one otherwise, and uses it upstream, in the answer and in the log', async () => {
    const given = await get('/api/a', { 'x-request-id': 'client-id-123' });
    const generated = await get('/api/b', { 'x-request-id': 'bad id with spaces' });
    expect(given.id).toBe('client-id-123');
    expect(generated.id).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    expect(seenIds.slice(-2)).toEqual(['client-id-123', generated.id]);
    const lines = await logLines('access.log', 2);
    expect(lines.slice(-2)).toEqual([`client-id-123 api 200 200 46 -`, `${generated.id} api 200 200 46 -`]);
  });

  it('answers /health and /healthz before routing, and leaves them out of the metrics', async () => {
    const health = JSON.parse((await get('/health')).body) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'healthy', workers: 1, generation: 1, config_version: 'test' });
    expect(await get('/healthz')).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    const metrics = (await get('/metrics')).body;
    expect(metrics).toContain('http_requests_total{method="GET",path="api",status="200"}');
    expect(metrics).toContain('upstream_requests_total{upstream="backend",provider="none",status="200"}');
    expect(metrics).not.toContain('unmatched');
  });

  it('counts the events of a proxied stream', async () => {
    const sse = await get('/api/sse', { 'x-request-id': 'sse-1' });
    expect(sse.body).toBe('data: 1\n\ndata: 2\n\n');
    const lines = await logLines('access.log', 3);
    expect(lines.find((l) => l.startsWith('sse-1 '))).toBe('sse-1 api 200 200 18 2');
    expect((await get('/metrics')).body).toContain('streaming_events_total{provider="backend"} 2');
  });

  it('writes the upstream log with credentials redacted', async () => {
    await get('/api/secret', { authorization: 'Bearer sk-client-0123456789', 'x-request-id': 'up-1' });
    const lines = (await logLines('upstream.log', 2)).map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = lines.filter((l) => l.request_id === 'up-1');
    expect(mine.map((l) => l.direction)).toEqual(['request', 'response']);
    expect(mine[0]).toMatchObject({ headers: { authorization: '[redacted]' } });
    expect(mine[1]).toMatchObject({ status: 200, body: '{"token":"[redacted]","ok":true}' });
  });
});
