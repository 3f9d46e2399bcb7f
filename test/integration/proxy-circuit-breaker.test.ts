/**
 * Circuit breakers of proxied upstreams through real sockets: a target that refuses connections opens
 * its circuit and traffic moves to the healthy target; after the cooldown one probe goes through and
 * closes it. All circuits open → 503 circuit_open with Retry-After; 5xx count as configured; a client
 * that leaves gives no verdict. Transitions are observed on the proxy's diagnostics channel.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIRCUIT_CHANNEL } from '../../src/proxy/target-breakers.ts';
import type { CircuitEvent } from '../../src/proxy/target-breakers.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';
import { startUpstream } from '../helpers/upstream.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

const COOLDOWN_MS = 1500;

let gateway: TestGateway;
let healthy: TestUpstream;
let failing: TestUpstream;
let rude: TestUpstream;
let holding: TestUpstream;
let revivedPort: number;
let lonelyPort: number;
let revived: { server: Server; sockets: Set<Socket>; requests: number } | null = null;
const held: ServerResponse[] = [];
let heldClosed = 0;
let uploadsClosed = 0;
const events: string[] = [];
const onCircuit = (message: unknown): void => {
  const event = message as CircuitEvent;
  events.push(event.from === null ? `${event.upstream} built` : `${event.upstream} ${event.from}→${event.to}`);
};

function answer(body: string) {
  return (req: IncomingMessage | unknown, res: ServerResponse | unknown): void => {
    (req as IncomingMessage).resume();
    (res as ServerResponse).end(body);
  };
}

/** Listens on `port` (the address the gateway already knows as a refusing target). */
async function revive(port: number): Promise<void> {
  const sockets = new Set<Socket>();
  const state = { server: createServer(), sockets, requests: 0 };
  state.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    state.requests++;
    answer('revived')(req, res);
  });
  state.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => state.server.listen(port, '127.0.0.1', resolve));
  revived = state;
}

beforeAll(async () => {
  subscribe(CIRCUIT_CHANNEL, onCircuit);
  healthy = await startUpstream(answer('healthy'));
  failing = await startUpstream((req, res) => {
    (req as IncomingMessage).resume();
    res.statusCode = 500;
    res.end('broken');
  });
  rude = await startUpstream((req, res) => {
    (req as IncomingMessage).resume();
    res.statusCode = req.url === '/rude/429' ? 429 : 501;
    res.end('not me');
  });
  holding = await startUpstream((req, res) => {
    (req as IncomingMessage).resume();
    if (req.url === '/holding/hold') {
      held.push(res as ServerResponse);
      res.once('close', () => heldClosed++);
    } else if (req.url === '/holding/upload') {
      // Answers only once the whole body arrived, which never happens.
      req.on('end', () => res.end('uploaded'));
      res.once('close', () => uploadsClosed++);
    } else res.end('done');
  });
  revivedPort = await freePort();
  lonelyPort = await freePort();
  gateway = await startTestGateway({
    servers: { main: { locations: ['pair', 'lonely', 'failing', 'rude', 'holding'] } },
    locations: {
      pair: { path: '/pair', upstream: 'pair' },
      lonely: { path: '/lonely', upstream: 'lonely' },
      failing: { path: '/failing', upstream: 'failing' },
      rude: { path: '/rude', upstream: 'rude' },
      holding: { path: '/holding', upstream: 'holding' },
    },
    upstreams: {
      pair: { targets: [`127.0.0.1:${revivedPort}`, healthy.hostPort], circuit_breaker: { failures: 2, cooldown: `${COOLDOWN_MS}ms` } },
      lonely: { targets: [`127.0.0.1:${lonelyPort}`], circuit_breaker: { failures: 1, cooldown: '30s' } },
      failing: { targets: [failing.hostPort], circuit_breaker: { failures: 2, cooldown: '30s' } },
      rude: { targets: [rude.hostPort], circuit_breaker: { failures: 1, cooldown: '30s' } },
      holding: { targets: [holding.hostPort], circuit_breaker: { failures: 1, cooldown: '30s' } },
    },
  });
});

afterAll(async () => {
  unsubscribe(CIRCUIT_CHANNEL, onCircuit);
  for (const res of held) res.end();
  await gateway?.close();
  await Promise.all([healthy?.close(), failing?.close(), rude?.close(), holding?.close()]);
  if (revived !== null) {
    for (const socket of revived.sockets) socket.destroy();
    await new Promise((resolve) => revived?.server.close(resolve));
  }
});

async function get(path: string) {
  const res = await request(`${gateway.url}${path}`);
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** The value of one series in /metrics, or undefined when absent. */
async function metric(series: string): Promise<number | undefined> {
  const text = await (await request(`${gateway.url}/metrics`)).body.text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function errorCode(text: string): unknown {
  return (JSON.parse(text) as { error: unknown }).error;
}

/** State changes of an upstream's circuits (without the "built" event of each target). */
function eventsOf(upstream: string): string[] {
  return events.filter((e) => e.startsWith(`${upstream} `) && e !== `${upstream} built`).map((e) => e.slice(upstream.length + 1));
}

describe('circuit breaker per target', () => {
  it('opens the circuit of a refusing target, moves traffic to the healthy one, then closes it after one probe', async () => {
    // Smooth round-robin alternates the two targets: each pick of the refusing one fails over to the healthy one.
    for (let i = 0; i < 4; i++) expect((await get('/pair/x')).text).toBe('healthy');
    expect(eventsOf('pair')[0]).toBe('closed→open');
    const openedAt = Date.now();

    await revive(revivedPort);
    for (let i = 0; i < 4; i++) expect((await get('/pair/x')).text).toBe('healthy');
    // Only meaningful while the cooldown lasts (a stalled machine may have passed it).
    if (Date.now() - openedAt < COOLDOWN_MS) expect(revived?.requests).toBe(0);

    const deadline = Date.now() + 10_000;
    while (revived?.requests === 0 && Date.now() < deadline) {
      await get('/pair/x');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(revived?.requests).toBe(1);
    // On a stalled machine a probe may already have failed before the target came back (half-open→open).
    expect(eventsOf('pair').slice(-2)).toEqual(['open→half-open', 'half-open→closed']);
    const bodies = [];
    for (let i = 0; i < 4; i++) bodies.push((await get('/pair/x')).text);
    expect(bodies.filter((b) => b === 'revived')).toHaveLength(2);
  });

  it('answers 503 circuit_open with Retry-After once every target is open, without trying them, and shows it in /metrics', async () => {
    const labels = `upstream="lonely",target="http://127.0.0.1:${lonelyPort}"`;
    expect(await metric(`louailink_circuit_breaker_state{${labels}}`)).toBe(0);
    const first = await get('/lonely/x');
    expect(first.status).toBe(502);
    expect(errorCode(first.text)).toBe('upstream_connect_error');
    const refused = await get('/lonely/x');
    expect(refused.status).toBe(503);
    expect(errorCode(refused.text)).toBe('circuit_open');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(eventsOf('lonely')).toEqual(['closed→open']);
    expect(await metric(`louailink_circuit_breaker_state{${labels}}`)).toBe(1);
    expect(await metric(`louailink_circuit_breaker_transitions_total{${labels},to="open"}`)).toBe(1);
  });

  it('counts 500 answers as failures and relays them until the circuit opens', async () => {
    expect((await get('/failing/x')).status).toBe(500);
    expect((await get('/failing/x')).status).toBe(500);
    const refused = await get('/failing/x');
    expect(errorCode(refused.text)).toBe('circuit_open');
    expect(failing.requests).toBe(2);
  });

  it('does not count 501 or 429 answers as failures by default', async () => {
    expect((await get('/rude/x')).status).toBe(501);
    expect((await get('/rude/429')).status).toBe(429);
    expect((await get('/rude/x')).status).toBe(501);
    expect(eventsOf('rude')).toEqual([]);
  });

  it('gives no verdict when the client leaves before the answer', async () => {
    const controller = new AbortController();
    const pending = request(`${gateway.url}/holding/hold`, { signal: controller.signal }).catch((err: unknown) => err);
    const deadline = Date.now() + 5000;
    while (held.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(held).toHaveLength(1);
    controller.abort();
    await pending;
    // The gateway aborted its upstream request, so it has handled the client's departure.
    while (heldClosed === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(heldClosed).toBe(1);
    const after = await get('/holding/ok');
    expect(after.text).toBe('done');
    expect(eventsOf('holding')).toEqual([]);
  });

  it('gives no verdict when the client abandons its upload', async () => {
    const before = holding.requests;
    for (const chunked of [false, true]) {
      const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
      socket.on('error', () => {});
      await new Promise((resolve) => socket.once('connect', resolve));
      const framing = chunked ? 'transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n' : 'content-length: 100000\r\n\r\nhello';
      socket.write(`POST /holding/upload HTTP/1.1\r\nhost: x\r\n${framing}`);
      const deadline = Date.now() + 5000;
      while (holding.requests === before + (chunked ? 1 : 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      socket.destroy();
    }
    expect(holding.requests).toBe(before + 2);
    // The gateway dropped both upstream requests, so it has handled both departures.
    const deadline = Date.now() + 5000;
    while (uploadsClosed < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(uploadsClosed).toBe(2);
    expect((await get('/holding/ok')).text).toBe('done');
    expect(eventsOf('holding')).toEqual([]);
  });
});
