/**
 * Streaming through the proxy: SSE latency, backpressure with a slow reader, client aborts reaching the
 * upstream, and an upstream reset never turning into a clean end.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { startUpstream } from '../helpers/upstream.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

const EVENT_GAP_MS = 100;
const EVENTS = 5;
const LATE_EVENT_MS = 400;
const FLOOD_BYTES = 200 * 1024 * 1024;

let gateway: TestGateway;
let upstream: TestUpstream;
const sentAt: number[] = [];
let flooded = 0;
let isFloodDone = false;
const closedStreams: number[] = [];

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    const out = res as import('node:http').ServerResponse;
    if (req.url === '/sse') {
      out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      out.flushHeaders();
      let n = 0;
      const timer = setInterval(() => {
        sentAt.push(performance.now());
        out.write(`data: {"n":${n}}\n\n`);
        if (++n === EVENTS) {
          clearInterval(timer);
          out.end();
        }
      }, EVENT_GAP_MS);
      out.on('close', () => clearInterval(timer));
    } else if (req.url === '/sse-late') {
      out.writeHead(200, { 'content-type': 'text/event-stream' });
      out.flushHeaders();
      const timer = setTimeout(() => out.end('data: late\n\n'), LATE_EVENT_MS);
      out.on('close', () => clearTimeout(timer));
    } else if (req.url === '/flood') {
      out.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 'f');
      const pump = (): void => {
        while (flooded < FLOOD_BYTES && !out.destroyed) {
          flooded += chunk.length;
          if (!out.write(chunk)) {
            out.once('drain', pump);
            return;
          }
        }
        if (!out.destroyed) out.end();
        isFloodDone = true;
      };
      pump();
    } else if (req.url === '/forever') {
      out.writeHead(200, { 'content-type': 'text/event-stream' });
      out.write('data: first\n\n');
      const timer = setInterval(() => out.write('data: tick\n\n'), 50);
      out.on('close', () => {
        clearInterval(timer);
        closedStreams.push(performance.now());
      });
    } else if (req.url === '/reset') {
      out.writeHead(200, { 'content-type': 'text/plain' });
      out.write('partial body ');
      setTimeout(() => out.socket?.destroy(), 50);
    } else if (req.url === '/reset-sized') {
      out.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
      out.write('partial body ');
      setTimeout(() => out.socket?.destroy(), 50);
    } else {
      out.end('ok');
    }
  });
  gateway = await startTestGateway({
    servers: { main: { locations: ['all'] } },
    locations: { all: { upstream: 'up' } },
    upstreams: { up: { targets: [upstream.hostPort] } },
  });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

function rawGet(path: string): Socket {
  const { port } = new URL(gateway.url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.on('error', () => {});
  socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`);
  return socket;
}

describe('streaming', () => {
  it('delivers each SSE event to the client as soon as the upstream writes it', async () => {
    sentAt.length = 0;
    const res = await request(`${gateway.url}/sse`);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const arrivedAt: number[] = [];
    for await (const chunk of res.body) {
      const events = String(chunk).split('\n\n').filter((e) => e.length > 0).length;
      for (let i = 0; i < events; i++) arrivedAt.push(performance.now());
    }
    expect(arrivedAt).toHaveLength(EVENTS);
    for (let i = 0; i < EVENTS; i++) expect((arrivedAt[i] ?? 0) - (sentAt[i] ?? 0)).toBeLessThan(50);
  });

  it('sends the head of an SSE response at once when its first event comes later', async () => {
    const startedAt = performance.now();
    const res = await request(`${gateway.url}/sse-late`);
    const headAt = performance.now();
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(await res.body.text()).toBe('data: late\n\n');
    expect(headAt - startedAt).toBeLessThan(LATE_EVENT_MS / 2);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(LATE_EVENT_MS - 20);
  });

  it('pauses a fast upstream while the client does not read (no unbounded buffering)', async () => {
    flooded = 0;
    isFloodDone = false;
    const rssBefore = process.memoryUsage().rss;
    const socket = rawGet('/flood');
    let received = 0;
    await new Promise<void>((resolve) => {
      socket.once('data', (d: Buffer) => {
        received += d.length;
        socket.pause();
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 1000));
    const writtenWhilePaused = flooded;
    expect(isFloodDone).toBe(false);
    // Kernel socket buffers on both legs plus one highWaterMark each; nowhere near the 200 MB offered.
    expect(writtenWhilePaused).toBeLessThan(16 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    // Reading again lets the upstream continue.
    socket.on('data', (d: Buffer) => (received += d.length));
    socket.resume();
    await new Promise((r) => setTimeout(r, 300));
    expect(flooded).toBeGreaterThan(writtenWhilePaused);
    socket.destroy();
  });

  it('cancels the upstream request when the client goes away', async () => {
    closedStreams.length = 0;
    const socket = rawGet('/forever');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    const abortedAt = performance.now();
    socket.destroy();
    const deadline = abortedAt + 2000;
    while (closedStreams.length === 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(closedStreams).toHaveLength(1);
  });

  it('ends the client response with an error when the upstream resets mid-stream (chunked)', async () => {
    const res = await request(`${gateway.url}/reset`);
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
  });

  it('ends the client response with an error when the upstream resets mid-stream (content-length)', async () => {
    const res = await request(`${gateway.url}/reset-sized`);
    await expect(res.body.text()).rejects.toThrow();
  });

  it('never sends the terminating chunk after an upstream reset (raw HTTP/1.1)', async () => {
    const socket = rawGet('/reset');
    let data = '';
    socket.on('data', (d) => (data += d));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(data).toMatch(/^HTTP\/1\.1 200/);
    expect(data).toContain('partial body');
    expect(data.endsWith('0\r\n\r\n')).toBe(false);
  });

  it('keeps serving after all of the above', async () => {
    const res = await request(`${gateway.url}/plain`);
    expect(await res.body.text()).toBe('ok');
  });
});
