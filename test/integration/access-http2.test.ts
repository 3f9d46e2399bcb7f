/**
 * Access plugins on HTTP/2 (h2c with prior knowledge): the key header removed before the upstream, CORS
 * headers on the answer, and the in-flight slot released when the stream closes.
 */
import { connect } from 'node:http2';
import type { ClientHttp2Session, IncomingHttpHeaders, IncomingHttpStatusHeader } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { echoHandler, startUpstream } from '../helpers/upstream.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

const KEY = 'h2-team-gateway-key-0001';
const APP = 'https://app.example.com';

let gateway: TestGateway;
let echo: TestUpstream;
let session: ClientHttp2Session;

beforeAll(async () => {
  echo = await startUpstream((req, res) => {
    req.resume();
    req.on('end', () => echoHandler(req, res));
  });
  gateway = await startTestGateway({
    servers: { main: { locations: ['api'], http2: true } },
    locations: { api: { path: '/', upstream: 'echo', plugins: ['cors', 'auth', 'one-at-a-time'] } },
    upstreams: { echo: { targets: [echo.hostPort] } },
    plugins: {
      cors: { type: 'cors', allow_origins: [APP] },
      auth: { type: 'key-auth', consumers: { team: { keys: [{ key: KEY }] } } },
      'one-at-a-time': { type: 'limit', by: 'location', concurrency: 1 },
    },
  });
  session = connect(gateway.url);
});

afterAll(async () => {
  session?.close();
  await gateway?.close();
  await echo?.close();
});

function get(headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders & IncomingHttpStatusHeader; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': '/x', ...headers });
    let body = '';
    let head: IncomingHttpHeaders & IncomingHttpStatusHeader = {};
    stream.setEncoding('utf8');
    stream.on('response', (h) => (head = h));
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => resolve({ headers: head, body }));
    stream.on('error', reject);
  });
}

describe('access plugins over HTTP/2', () => {
  it('removes the key before the upstream and adds CORS headers; sequential requests each get the single slot', async () => {
    for (let i = 0; i < 3; i++) {
      // The slot is released on the stream's 'close', which may trail the last byte the client read.
      let res = await get({ authorization: `Bearer ${KEY}`, origin: APP });
      for (let attempt = 0; attempt < 50 && res.headers[':status'] === 503; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        res = await get({ authorization: `Bearer ${KEY}`, origin: APP });
      }
      expect(res.headers[':status']).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(APP);
      const seen = JSON.parse(res.body) as { headers: Record<string, string> };
      expect(seen.headers.authorization).toBeUndefined();
    }
  });

  it('answers 401 without a key, in plain JSON', async () => {
    const res = await get({});
    expect(res.headers[':status']).toBe(401);
    expect((JSON.parse(res.body) as { error: string }).error).toBe('unauthorized');
  });
});
