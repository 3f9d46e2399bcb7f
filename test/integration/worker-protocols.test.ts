/**
 * Inbound protocols (h2c with prior knowledge next to HTTP/1.1 on one port; TLS with ALPN h2 and
 * HTTP/1.1; SNI) and upstream protocols (h2c, h2 over TLS, HTTP/1.1 over TLS).
 */
import { connect as h2connect } from 'node:http2';
import type { ClientHttp2Session, IncomingHttpHeaders } from 'node:http2';
import type { ServerResponse } from 'node:http';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { TEST_CA } from '../helpers/tls.ts';
import { echoHandler, startH2cUpstream, startTlsUpstream, startUpstream } from '../helpers/upstream.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  httpVersion: string;
  body?: string;
}

let gateway: TestGateway;
let h1: TestUpstream;
let h2c: TestUpstream;
let tlsUp: TestUpstream;
let cleartextUrl: string;
let tlsH2Url: string;
let tlsH1Url: string;
let quickUrl: string;
let foreverClosed = 0;
const h1Agent = new Agent({ connect: { ca: TEST_CA }, allowH2: false });

/** Echo that also reads the body, and resets on /reset. */
function bodyEcho(req: Parameters<typeof echoHandler>[0], res: Parameters<typeof echoHandler>[1]): void {
  if (req.url === '/forever') {
    const out = res as ServerResponse;
    out.writeHead(200, { 'content-type': 'text/event-stream' });
    out.write('data: first\n\n');
    const timer = setInterval(() => out.write('data: tick\n\n'), 50);
    out.on('close', () => {
      clearInterval(timer);
      foreverClosed += 1;
    });
    return;
  }
  if (req.url?.endsWith('/reset')) {
    const out = res as ServerResponse;
    out.writeHead(200, { 'content-type': 'text/plain' });
    out.write('partial');
    setTimeout(() => out.socket?.destroy(), 50);
    return;
  }
  let body = '';
  req.on('data', (d: Buffer) => (body += d));
  req.on('end', () => {
    const text = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, httpVersion: req.httpVersion, body });
    res.setHeader('content-type', 'application/json');
    res.end(text);
  });
}

beforeAll(async () => {
  h1 = await startUpstream(bodyEcho);
  h2c = await startH2cUpstream(echoHandler);
  tlsUp = await startTlsUpstream(echoHandler);
  gateway = await startTestGateway({
    servers: {
      cleartext: { locations: ['h1', 'h2c', 'tls-h2', 'tls-h1'], http2: true, max_body_size: 64 },
      'tls-h2': { locations: ['h1'], http2: true, tls: {} },
      'tls-h1': { locations: ['h1'], tls: { certificates: ['main', 'other'] } },
      quick: { locations: ['h1'], http2: true, request_header_timeout: '300ms' },
    },
    locations: {
      h1: { path: '/', upstream: 'h1' },
      h2c: { path: '/up-h2c', upstream: 'h2c' },
      'tls-h2': { path: '/up-tls-h2', upstream: 'tls-h2' },
      'tls-h1': { path: '/up-tls-h1', upstream: 'tls-h1' },
    },
    upstreams: {
      h1: { targets: [h1.hostPort] },
      h2c: { targets: [h2c.hostPort], http2: true },
      'tls-h2': { targets: [`localhost:${tlsUp.port}`], http2: true, tls: { ca: 'ca.pem' } },
      'tls-h1': { targets: [`https://localhost:${tlsUp.port}`], tls: { ca: 'ca.pem' } },
    },
    certificates: {
      main: { cert: 'server.pem', key: 'server.key', domains: ['localhost', '*.example.test'], default: true },
      other: { cert: 'other.pem', key: 'other.key', domains: ['other.test'] },
    },
  });
  [cleartextUrl, tlsH2Url, tlsH1Url, quickUrl] = gateway.addresses as [string, string, string, string];
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([h1, h2c, tlsUp].map((u) => u?.close()));
  await h1Agent.close();
});

function h2request(
  session: ClientHttp2Session,
  path: string,
  method = 'GET',
  body?: string,
  extra: Record<string, string> = {},
): Promise<{ headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': method, ':path': path, ...extra });
    let headers: IncomingHttpHeaders = {};
    let text = '';
    stream.on('response', (h) => (headers = h));
    stream.on('data', (d: Buffer) => (text += d));
    stream.on('end', () => resolve({ headers, text }));
    stream.on('error', reject);
    if (body === undefined) stream.end();
    else stream.end(body);
  });
}

describe('inbound HTTP/2 and HTTP/1.1', () => {
  it('serves h2c with prior knowledge and HTTP/1.1 on the same cleartext port', async () => {
    const session = h2connect(cleartextUrl);
    try {
      const res = await h2request(session, '/h2?x=1');
      expect(res.headers[':status']).toBe(200);
      expect(res.headers['x-request-id']).toBeTruthy();
      const echo = JSON.parse(res.text) as Echo;
      expect(echo.url).toBe('/h2?x=1');
      expect(echo.headers[':method']).toBeUndefined();
      expect(echo.headers.host).toBe(h1.hostPort);
    } finally {
      session.close();
    }
    const res = await request(`${cleartextUrl}/h1`, { dispatcher: h1Agent });
    expect(((await res.body.json()) as Echo).url).toBe('/h1');
  });

  it('closes a cleartext connection that sends nothing within request_header_timeout', async () => {
    const { port } = new URL(quickUrl);
    const socket = netConnect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    const closed = await Promise.race([
      new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000)),
    ]);
    socket.destroy();
    expect(closed).toBe(true);
  });

  it('streams an HTTP/2 request body upstream', async () => {
    const session = h2connect(cleartextUrl);
    try {
      const res = await h2request(session, '/upload', 'POST', 'hello over h2');
      expect((JSON.parse(res.text) as Echo).body).toBe('hello over h2');
    } finally {
      session.close();
    }
  });

  it('keeps an HTTP/1.1 keep-alive connection working across several requests with bodies', async () => {
    const agent = new Agent({ connections: 1, allowH2: false });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await request(`${cleartextUrl}/ka${i}`, { method: 'POST', body: `body-${i}`, dispatcher: agent });
        expect(((await res.body.json()) as Echo).body).toBe(`body-${i}`);
      }
    } finally {
      await agent.close();
    }
  });

  it('renders 413 body_too_large over HTTP/2, declared or counted while streaming', async () => {
    const session = h2connect(cleartextUrl);
    try {
      const big = 'z'.repeat(200);
      const declared = await h2request(session, '/upload', 'POST', big, { 'content-length': String(big.length) });
      expect(declared.headers[':status']).toBe(413);
      expect(JSON.parse(declared.text)).toMatchObject({ error: 'body_too_large' });
      const counted = await h2request(session, '/upload', 'POST', big);
      expect(counted.headers[':status']).toBe(413);
      expect(JSON.parse(counted.text)).toMatchObject({ error: 'body_too_large' });
      // The session stays usable.
      expect((await h2request(session, '/after')).headers[':status']).toBe(200);
    } finally {
      session.close();
    }
  });

  it('resets the HTTP/2 stream (no clean end) when the upstream resets mid-stream', async () => {
    const session = h2connect(cleartextUrl);
    session.on('error', () => {});
    try {
      await expect(h2request(session, '/reset')).rejects.toThrow();
    } finally {
      session.close();
    }
  });

  it('cancels the upstream request when an HTTP/2 client resets its stream', async () => {
    const session = h2connect(cleartextUrl);
    try {
      const before = foreverClosed;
      const stream = session.request({ ':path': '/forever' });
      await new Promise<void>((resolve) => stream.once('data', () => resolve()));
      stream.close();
      const deadline = performance.now() + 2000;
      while (foreverClosed === before && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(foreverClosed).toBe(before + 1);
    } finally {
      session.close();
    }
  });

  it('serves h2 over TLS with ALPN and HTTP/1.1 over TLS on the same port', async () => {
    const session = h2connect(tlsH2Url, { ca: TEST_CA });
    try {
      const res = await h2request(session, '/tls');
      expect(res.headers[':status']).toBe(200);
      expect(session.alpnProtocol).toBe('h2');
      const echo = JSON.parse(res.text) as Echo;
      expect(echo.headers['x-forwarded-proto']).toBe('https');
    } finally {
      session.close();
    }
    const res = await request(`${tlsH2Url}/tls-h1`, { dispatcher: h1Agent });
    expect(((await res.body.json()) as Echo).url).toBe('/tls-h1');
  });

  it('serves HTTP/1.1 over TLS on a server without http2', async () => {
    const res = await request(`${tlsH1Url}/plain-tls`, { dispatcher: h1Agent });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as Echo).headers['x-forwarded-proto']).toBe('https');
  });

  it('picks the certificate by SNI: exact, wildcard, then the default', async () => {
    const { port } = new URL(tlsH1Url);
    const subjectFor = (servername: string | undefined) =>
      new Promise<string>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false, ...(servername === undefined ? {} : { servername }) }, () => {
          const cn = socket.getPeerCertificate().subject.CN;
          socket.destroy();
          resolve(String(cn));
        });
        socket.on('error', reject);
      });
    expect(await subjectFor('other.test')).toBe('other.test');
    expect(await subjectFor('api.example.test')).toBe('localhost');
    expect(await subjectFor('unknown.test')).toBe('localhost');
    expect(await subjectFor(undefined)).toBe('localhost');
  });
});

describe('upstream protocols', () => {
  it('speaks h2c to an upstream with http2 on cleartext', async () => {
    const res = await request(`${cleartextUrl}/up-h2c/x`, { dispatcher: h1Agent });
    const echo = (await res.body.json()) as Echo;
    expect(echo.httpVersion).toBe('2.0');
    expect(echo.headers[':authority']).toBe(h2c.hostPort);
  });

  it('speaks h2 over TLS (ALPN) to an upstream with http2, verifying with the configured CA', async () => {
    const res = await request(`${cleartextUrl}/up-tls-h2`, { dispatcher: h1Agent });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as Echo).httpVersion).toBe('2.0');
  });

  it('speaks HTTP/1.1 over TLS to an upstream without http2', async () => {
    const res = await request(`${cleartextUrl}/up-tls-h1`, { dispatcher: h1Agent });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as Echo).httpVersion).toBe('1.1');
  });
});
