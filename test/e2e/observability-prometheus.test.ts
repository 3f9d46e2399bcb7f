/**
 * Issue 5 "done when": a real Prometheus scrapes the real binary (master + 2 workers) every second, and
 * its query API shows the exact cluster-wide counts of known traffic: plain and streamed proxying, an
 * upstream 500, an unreachable upstream, an AI stream with its tokens — with a reload in the middle, so
 * the counts also prove that a new worker generation does not reset the totals; then a worker is killed
 * with SIGKILL and the totals still hold.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.ts';
import { startPrometheus } from '../helpers/prometheus.ts';
import type { RunningPrometheus } from '../helpers/prometheus.ts';
import { createConfigDir } from './helpers/config-dir.ts';
import type { ConfigDir } from './helpers/config-dir.ts';
import { childPids, startLouailink, stopAll, stopGracefully } from './helpers/louailink-process.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';

const TOKEN = 'scrape-token-0123456789';
const SSE_EVENTS = 3;

let upstream: Server;
let dir: ConfigDir;
let gateway: LouailinkProcess;
let prometheus: RunningPrometheus | undefined;
let port: number;

function startUpstream(): Promise<number> {
  upstream = createServer((req, res) => {
    if (req.url === '/events/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < SSE_EVENTS; i++) res.write(`data: {"n":${i}}\n\n`);
      res.end();
    } else if (req.url === '/api/fail') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${req.headers['x-request-id'] ?? ''}`);
    }
  });
  return new Promise((resolve) => upstream.listen(0, '127.0.0.1', () => resolve((upstream.address() as AddressInfo).port)));
}

function config(upstreamPort: number, deadPort: number): string {
  return `basic:
  workers: 2
  log_level: info
  drain_timeout: 10s
servers:
  main:
    listen: 127.0.0.1:${port}
    locations: [api, events, dead, ai]
locations:
  api: { path: /api, upstream: backend }
  events: { path: /events, upstream: backend }
  dead: { path: /dead, upstream: nowhere }
  ai: { path: /v1, ai: {} }
upstreams:
  backend: { targets: ["127.0.0.1:${upstreamPort}"] }
  nowhere: { targets: ["127.0.0.1:${deadPort}"], timeouts: { connect: 1s } }
providers:
  mock: { type: mock, chunk_delay: 1ms, reply: "one two three four" }
models:
  m: { providers: { mock: m } }
observability:
  metrics: { token: ${TOKEN} }
`;
}

async function get(path: string): Promise<{ status: number; body: string }> {
  const res = await request(`http://127.0.0.1:${port}${path}`, { headers: { connection: 'close' } });
  return { status: res.statusCode, body: await res.body.text() };
}

/** One streamed chat completion; returns the completion tokens of its usage chunk. */
async function streamChat(): Promise<number> {
  const res = await request(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const text = await res.body.text();
  expect(res.statusCode).toBe(200);
  let completionTokens = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const usage = (JSON.parse(line.slice(6)) as { usage?: { completion_tokens?: number } }).usage;
    if (usage?.completion_tokens !== undefined) completionTokens = usage.completion_tokens;
  }
  return completionTokens;
}

/** Half the traffic: 5 ok, 1 upstream 500, 1 unreachable upstream, 2 streams through the proxy. */
async function sendHalf(): Promise<void> {
  for (let i = 0; i < 5; i++) expect((await get(`/api/ok/${i}`)).status).toBe(200);
  expect((await get('/api/fail')).status).toBe(500);
  expect((await get('/dead/x')).status).toBe(502);
  for (let i = 0; i < 2; i++) {
    const res = await get('/events/sse');
    expect(res.body.split('\n\n').filter(Boolean)).toHaveLength(SSE_EVENTS);
  }
}

beforeAll(async () => {
  const upstreamPort = await startUpstream();
  const deadPort = await freePort();
  port = await freePort();
  dir = await createConfigDir();
  await dir.write(config(upstreamPort, deadPort));
  gateway = startLouailink(['-c', dir.path]);
  await gateway.waitForLog((line) => line.msg === 'louailink started', 20_000);
  prometheus = await startPrometheus({ target: `127.0.0.1:${port}`, bearerToken: TOKEN });
}, 45_000);

afterAll(async () => {
  await prometheus?.stop();
  await stopGracefully(gateway);
  await stopAll();
  await new Promise((resolve) => upstream.close(resolve));
  await dir?.remove();
});

describe('Prometheus scraping louailink with 2 workers', () => {
  it('sees the exact cluster-wide counts of known traffic, across a reload and a worker crash', async () => {
    const prom = prometheus as RunningPrometheus;
    expect(await prom.waitForValue('up{job="louailink"}', 1, 20_000)).toBe(1);

    await sendHalf();
    const tokensBefore = await streamChat();
    // A reload in the middle: generation 1 drains and exits, its counters must stay in the totals.
    gateway.signal('SIGHUP');
    await gateway.waitForLog((line) => line.event === 'generation_exit' && line.generation === 1, 20_000);
    expect(JSON.parse((await get('/health')).body)).toMatchObject({ status: 'healthy', workers: 2, generation: 2 });
    await sendHalf();
    const tokensAfter = await streamChat();

    expect(await prom.waitForValue('sum(http_requests_total{path="api",status="200"})', 10)).toBe(10);
    expect(await prom.waitForValue('sum(http_requests_total{path="api",status="500"})', 2)).toBe(2);
    expect(await prom.waitForValue('sum(http_requests_total{path="dead",status="502"})', 2)).toBe(2);
    expect(await prom.waitForValue('sum(http_requests_total{path="events",method="GET"})', 4)).toBe(4);
    expect(await prom.waitForValue('sum(http_requests_total{path="ai",method="POST",status="200"})', 2)).toBe(2);
    expect(await prom.waitForValue('sum(http_request_duration_seconds_count{path="api"})', 12)).toBe(12);
    expect(await prom.waitForValue('sum(upstream_requests_total{upstream="backend",status="500"})', 2)).toBe(2);
    expect(await prom.waitForValue('sum(upstream_requests_total{upstream="backend",status="200"})', 14)).toBe(14);
    expect(await prom.waitForValue('sum(upstream_errors_total{upstream="nowhere",error_type="upstream_connect_error"})', 2)).toBe(2);
    expect(await prom.waitForValue('sum(streaming_events_total{provider="backend"})', 4 * SSE_EVENTS)).toBe(4 * SSE_EVENTS);
    expect(await prom.waitForValue('sum(streaming_duration_seconds_count{provider="backend"})', 4)).toBe(4);
    expect(tokensBefore).toBeGreaterThan(0);
    const outputTokens = tokensBefore + tokensAfter;
    expect(await prom.waitForValue('sum(louailink_ai_tokens_total{provider="mock",model="m",type="output"})', outputTokens)).toBe(outputTokens);
    expect(await prom.waitForValue('sum(http_requests_in_flight)', 0)).toBe(0);
    // The scrapes themselves are the gateway's own answers: never counted, never a raw URL as a label.
    expect(await prom.query('count(http_requests_total{path="unmatched"})')).toBeUndefined();

    // A crash: every scrape made the master collect fresh reports, so a worker killed now loses nothing.
    const [victim] = await childPids(gateway.pid);
    expect(victim).toBeDefined();
    process.kill(victim as number, 'SIGKILL');
    await gateway.waitForLog((line) => line.event === 'restart' && line.msg === 'worker replaced', 20_000);
    for (let i = 0; i < 2; i++) expect((await get(`/api/after-crash/${i}`)).status).toBe(200);
    expect(await prom.waitForValue('sum(http_requests_total{path="api",status="200"})', 12)).toBe(12);
    expect(await prom.waitForValue('sum(upstream_errors_total{upstream="nowhere"})', 2)).toBe(2);
  }, 120_000);
});
