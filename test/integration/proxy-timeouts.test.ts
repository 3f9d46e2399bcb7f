/**
 * Upstream timeouts: response head (504), idle gap mid-stream (error end), and the total deadline,
 * which applies to non-streaming responses only. undici's own head/idle timers fire up to ~1 s late,
 * so these tests use short settings and generous bounds, never sub-second assertions.
 */
import { request } from 'undici';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { startUpstream } from '../helpers/upstream.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

let gateway: TestGateway;
let upstream: TestUpstream;
/** Accepts TCP and never answers: a TLS handshake to it can only time out. */
let blackHole: Server;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    const out = res as ServerResponse;
    const timers: NodeJS.Timeout[] = [];
    out.on('close', () => timers.forEach(clearInterval));
    if (req.url === '/silent') return; // never answers
    if (req.url === '/stall') {
      out.writeHead(200, { 'content-type': 'text/plain' });
      out.write('first chunk');
      return; // then nothing
    }
    if (req.url === '/trickle' || req.url === '/trickle-sse') {
      out.writeHead(200, { 'content-type': req.url === '/trickle' ? 'text/plain' : 'text/event-stream' });
      let n = 0;
      timers.push(
        setInterval(() => {
          out.write(req.url === '/trickle' ? 'x' : 'data: x\n\n');
          if (++n === 15) out.end();
        }, 100),
      );
      return;
    }
    out.end('ok');
  });
  blackHole = createServer((socket) => {
    socket.on('error', () => {});
    socket.resume();
  });
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  gateway = await startTestGateway({
    servers: { main: { locations: ['head', 'idle', 'total', 'connect'] } },
    locations: {
      head: { path: '/head', upstream: 'head', rewrite: '^/head(.*)$ $1' },
      idle: { path: '/idle', upstream: 'idle', rewrite: '^/idle(.*)$ $1' },
      total: { path: '/total', upstream: 'total', rewrite: '^/total(.*)$ $1' },
      connect: { path: '/connect', upstream: 'connect' },
    },
    upstreams: {
      head: { targets: [upstream.hostPort], timeouts: { response_header: '300ms' } },
      idle: { targets: [upstream.hostPort], timeouts: { idle: '300ms' } },
      total: { targets: [upstream.hostPort], timeouts: { total: '500ms' } },
      connect: { targets: [`127.0.0.1:${(blackHole.address() as AddressInfo).port}`], tls: {}, timeouts: { connect: '300ms' } },
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await new Promise<void>((resolve) => blackHole?.close(() => resolve()));
});

describe.concurrent('upstream timeouts', () => {
  it('answers 504 upstream_timeout when the response head does not arrive in time', async () => {
    const res = await request(`${gateway.url}/head/silent`);
    expect(res.statusCode).toBe(504);
    expect(JSON.parse(await res.body.text())).toMatchObject({ error: 'upstream_timeout' });
  });

  it('answers 504 upstream_timeout when connecting (TCP + TLS handshake) takes too long', async () => {
    const res = await request(`${gateway.url}/connect`);
    expect(res.statusCode).toBe(504);
    expect(JSON.parse(await res.body.text())).toMatchObject({ error: 'upstream_timeout' });
  });

  it('ends the response with an error (not a clean end) when the upstream goes idle mid-stream', async () => {
    const res = await request(`${gateway.url}/idle/stall`);
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
  });

  it('answers 504 when the total deadline passes before the response head', async () => {
    const res = await request(`${gateway.url}/total/silent`);
    expect(res.statusCode).toBe(504);
    expect(JSON.parse(await res.body.text())).toMatchObject({ error: 'upstream_timeout' });
  });

  it('cuts a non-streaming response that outlives the total deadline', async () => {
    const res = await request(`${gateway.url}/total/trickle`);
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
  });

  it('lets an event stream outlive the total deadline', async () => {
    const res = await request(`${gateway.url}/total/trickle-sse`);
    const text = await res.body.text();
    expect(text.split('\n\n').filter((e) => e.length > 0)).toHaveLength(15);
  });
});
