/**
 * The HTTP/1.1 proxy path against real upstreams on 127.0.0.1: balancing, failover, routing errors,
 * header hygiene, request ids, body limits and the mock plugin.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';
import { echoHandler, startUpstream } from '../helpers/upstream.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
}

let gateway: TestGateway;
let a: TestUpstream;
let b: TestUpstream;
let echo: TestUpstream;
let deadPort: number;

beforeAll(async () => {
  a = await startUpstream((_req, res) => res.end('a'));
  b = await startUpstream((_req, res) => res.end('b'));
  echo = await startUpstream((req, res) => {
    if (req.url === '/set-cookie') {
      res.setHeader('set-cookie', ['one=1', 'two=2']);
      res.setHeader('connection', 'x-upstream-private');
      res.setHeader('x-upstream-private', 'secret');
      res.setHeader('keep-alive', 'timeout=5');
      res.end('ok');
      return;
    }
    req.resume();
    req.on('end', () => echoHandler(req, res));
  });
  deadPort = await freePort();
  const deadPort2 = await freePort();
  gateway = await startTestGateway({
    servers: {
      main: {
        locations: ['weighted', 'failover', 'dead', 'echo', 'limited', 'mock', 'plugin-only', 'missing-upstream'],
        max_body_size: '1kb',
      },
    },
    locations: {
      weighted: { path: '/weighted', upstream: 'weighted' },
      failover: { path: '/failover', upstream: 'failover' },
      dead: { path: '/dead', upstream: 'dead' },
      echo: { path: '/echo', upstream: 'echo', rewrite: '^/echo(.*)$ $1', headers: { request: { set: { 'x-added': 'yes' }, remove: ['x-drop'] }, response: { set: { 'x-location': 'echo' } } } },
      limited: { path: '/limited', upstream: 'echo', max_body_size: 16 },
      mock: { path: '/mock', plugins: ['teapot'], upstream: 'echo' },
      'plugin-only': { path: '/only-plugin', plugins: ['health'] },
      'missing-upstream': { path: '/missing', upstream: 'nope' },
    },
    upstreams: {
      weighted: { targets: [`${a.hostPort} 1`, { addr: b.hostPort, weight: 3 }] },
      failover: { targets: [`127.0.0.1:${deadPort}`, `http://${a.hostPort}`] },
      dead: { targets: [`127.0.0.1:${deadPort}`, `127.0.0.1:${deadPort2}`] },
      echo: { targets: [echo.hostPort] },
    },
    plugins: {
      teapot: { type: 'mock', status: 418, headers: { 'x-mock': '1' }, body: 'short and stout', path: '/mock/tea' },
      health: { type: 'mock', body: 'healthy', path: '/only-plugin/health' },
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([a, b, echo].map((u) => u?.close()));
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await request(`${gateway.url}${path}`, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

/** Sends raw bytes and collects everything until the gateway closes the connection. */
function rawExchange(text: string): Promise<string> {
  const port = Number(new URL(gateway.url).port);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

async function json(path: string, headers: Record<string, string> = {}): Promise<Echo> {
  const res = await get(path, headers);
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as Echo;
}

describe('balancing and failover', () => {
  it('spreads requests by smooth weighted round-robin (weights 1 and 3 → 10/30 of 40)', async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      const { text } = await get('/weighted');
      counts[text] = (counts[text] ?? 0) + 1;
    }
    expect(counts).toEqual({ a: 10, b: 30 });
  });

  it('moves to the next target when a target refuses the connection', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await get('/failover');
      expect(res.status).toBe(200);
      expect(res.text).toBe('a');
    }
  });

  it('moves to the next target for a request with a body too (nothing was sent yet)', async () => {
    const res = await request(`${gateway.url}/failover`, { method: 'POST', body: 'payload' });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('a');
  });

  it('answers 502 upstream_connect_error when every target refuses', async () => {
    const res = await get('/dead');
    expect(res.status).toBe(502);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'upstream_connect_error' });
    expect(res.headers['x-request-id']).toBeTruthy();
  });
});

describe('routing and gateway answers', () => {
  it('answers 404 route_not_found with a JSON body when no location matches', async () => {
    const res = await get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.text)).toMatchObject({ error: 'route_not_found', request_id: res.headers['x-request-id'] });
  });

  it('answers 503 no_upstream_available when the location names no existing upstream', async () => {
    const res = await get('/missing');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'no_upstream_available' });
  });

  it('answers from a mock plugin on its path and proxies the rest of the location', async () => {
    const tea = await get('/mock/tea');
    expect(tea.status).toBe(418);
    expect(tea.headers['x-mock']).toBe('1');
    expect(tea.text).toBe('short and stout');
    expect(tea.headers['x-request-id']).toBeTruthy();
    expect((await json('/mock/other')).url).toBe('/mock/other');
  });

  it('answers 404 on a plugin-only location when no plugin answers', async () => {
    expect((await get('/only-plugin/health')).text).toBe('healthy');
    const miss = await get('/only-plugin/other');
    expect(miss.status).toBe(404);
    expect(JSON.parse(miss.text)).toMatchObject({ error: 'route_not_found' });
  });

  it('answers 400 bad_request as JSON to a malformed request line', async () => {
    const raw = await rawExchange('GET /x HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/x-request-id: \S+/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: 'bad_request' });
  });

  it('answers 400 bad_request to a request target that is not an absolute path', async () => {
    const raw = await rawExchange('GET * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('"error":"bad_request"');
  });
});

describe('request ids', () => {
  it('keeps a sane incoming x-request-id and sends it upstream and back', async () => {
    const res = await get('/echo/id', { 'x-request-id': 'client-id-42' });
    expect(res.headers['x-request-id']).toBe('client-id-42');
    expect((JSON.parse(res.text) as Echo).headers['x-request-id']).toBe('client-id-42');
  });

  it('replaces an insane x-request-id and sends the generated one upstream', async () => {
    const res = await get('/echo/id', { 'x-request-id': 'bad id with spaces' });
    const id = res.headers['x-request-id'];
    expect(id).toBeTruthy();
    expect(id).not.toBe('bad id with spaces');
    expect((JSON.parse(res.text) as Echo).headers['x-request-id']).toBe(id);
  });
});

describe('headers', () => {
  it('strips hop-by-hop request headers and those named in Connection, applies request rules, sets Host to the target', async () => {
    // node:http, because undici refuses to send keep-alive/upgrade request headers at all.
    const seen = await new Promise<Echo>((resolve, reject) => {
      const req = httpRequest(`${gateway.url}/echo/h`, {
        headers: {
          connection: 'keep-alive, x-private',
          'x-private': 'must not cross',
          'keep-alive': 'timeout=5',
          'proxy-connection': 'keep-alive',
          te: 'trailers',
          'x-kept': 'yes',
          'x-drop': 'removed by a rule',
          host: 'client.example.test',
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve(JSON.parse(text) as Echo));
      });
      req.on('error', reject);
      req.end();
    });
    for (const name of ['x-private', 'keep-alive', 'proxy-connection', 'te', 'upgrade']) expect(seen.headers[name]).toBeUndefined();
    expect(seen.headers['x-kept']).toBe('yes');
    expect(seen.headers['x-added']).toBe('yes');
    expect(seen.headers['x-drop']).toBeUndefined();
    expect(seen.headers.host).toBe(echo.hostPort);
    expect(seen.headers['x-forwarded-host']).toBe('client.example.test');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.url).toBe('/h');
  });

  it('strips hop-by-hop response headers and keeps repeated set-cookie headers', async () => {
    const res = await get('/echo/set-cookie');
    expect(res.headers['set-cookie']).toEqual(['one=1', 'two=2']);
    expect(res.headers['x-upstream-private']).toBeUndefined();
    expect(res.headers['keep-alive']).not.toBe('timeout=5');
    expect(res.headers['x-location']).toBe('echo');
  });
});

describe('body limits', () => {
  it('answers 413 body_too_large from the declared Content-Length', async () => {
    const res = await request(`${gateway.url}/limited`, { method: 'POST', body: 'x'.repeat(17) });
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(await res.body.text())).toMatchObject({ error: 'body_too_large' });
  });

  it('answers 413 body_too_large when a chunked body crosses the limit while streaming', async () => {
    async function* chunks() {
      for (let i = 0; i < 8; i++) yield Buffer.alloc(8, 'y');
    }
    const res = await request(`${gateway.url}/limited`, { method: 'POST', body: Readable.from(chunks()) });
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(await res.body.text())).toMatchObject({ error: 'body_too_large' });
  });

  it('proxies a chunked body under the limit', async () => {
    async function* chunks() {
      yield Buffer.from('abc');
      yield Buffer.from('def');
    }
    const res = await request(`${gateway.url}/limited`, { method: 'POST', body: Readable.from(chunks()) });
    expect(res.statusCode).toBe(200);
    await res.body.text();
  });
});
