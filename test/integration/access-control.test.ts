/**
 * Access plugins through the real gateway in front of an echo upstream: gateway keys (and that the
 * client's credential never reaches the upstream), method/path/header allow-lists, client IP rules,
 * CORS preflight and rate limits with Retry-After.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/plugins/key-auth/key-table.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { echoHandler, startUpstream } from '../helpers/upstream.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

const TEAM_KEY = 'team-a-gateway-key-0001';
const CLEAR_KEY = 'team-b-gateway-key-0002';
const INACTIVE_KEY = 'paused-gateway-key-0003';

let gateway: TestGateway;
let echo: TestUpstream;

beforeAll(async () => {
  echo = await startUpstream((req, res) => {
    req.resume();
    req.on('end', () => echoHandler(req, res));
  });
  gateway = await startTestGateway({
    servers: { main: { locations: ['keyed', 'restricted', 'local-only', 'no-local', 'browser', 'limited'] } },
    locations: {
      keyed: { path: '/keyed', upstream: 'echo', plugins: ['auth'] },
      restricted: { path: '/restricted', upstream: 'echo', plugins: ['endpoints'] },
      'local-only': { path: '/local-only', upstream: 'echo', plugins: ['loopback-only'] },
      'no-local': { path: '/no-local', upstream: 'echo', plugins: ['no-loopback'] },
      browser: { path: '/browser', upstream: 'echo', plugins: ['cors', 'auth'] },
      limited: { path: '/limited', upstream: 'echo', plugins: ['auth', 'per-key'] },
    },
    upstreams: { echo: { targets: [echo.hostPort] } },
    plugins: {
      auth: {
        type: 'key-auth',
        headers: ['authorization', 'x-gw-token'],
        consumers: {
          'team-a': { keys: [{ key_hash: `sha256:${sha256(TEAM_KEY).toString('hex')}` }] },
          'team-b': { keys: [{ key: CLEAR_KEY }] },
          paused: { keys: [{ key: INACTIVE_KEY }], active: false },
        },
      },
      endpoints: { type: 'request-restriction', methods: ['GET'], paths: ['/restricted/ok/*'], required_headers: { 'x-team': true } },
      'loopback-only': { type: 'ip-restriction', allow: ['127.0.0.0/8', '::1'] },
      'no-loopback': { type: 'ip-restriction', deny: ['127.0.0.0/8', '::1'] },
      cors: { type: 'cors', allow_origins: ['https://app.example.com'] },
      'per-key': { type: 'limit', rpm: 2 },
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  await echo?.close();
});

describe('usage summary with gateway keys', () => {
  it('counts requests per masked gateway key even though key-auth removes the key before the upstream', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await request(`${gateway.url}/keyed/x`, { headers: { authorization: `Bearer ${TEAM_KEY}` } });
      const echoed = (await res.body.json()) as { headers: Record<string, string> };
      expect(echoed.headers['authorization']).toBeUndefined();
    }
    const summary = (await (await request(`${gateway.url}/metrics/summary`)).body.json()) as { tokens: { token: string; requests_1h: number }[] };
    expect(summary.tokens).toContainEqual({ token: 'team-a-…0001', requests_1h: 2, requests_24h: 2 });
    expect(JSON.stringify(summary)).not.toContain(TEAM_KEY);
  });
});

async function call(path: string, options: { method?: 'GET' | 'POST' | 'OPTIONS'; headers?: Record<string, string> } = {}) {
  const res = await request(`${gateway.url}${path}`, { method: options.method ?? 'GET', headers: options.headers ?? {} });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

function errorCode(text: string): unknown {
  return (JSON.parse(text) as { error: unknown }).error;
}

describe('gateway keys', () => {
  it('admits a hashed key as Bearer and never forwards it upstream', async () => {
    const res = await call('/keyed/x', { headers: { authorization: `Bearer ${TEAM_KEY}`, 'x-other': 'kept' } });
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.text) as { headers: Record<string, string> };
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers['x-other']).toBe('kept');
  });

  it('admits a key written in clear in the configured header and removes that header too', async () => {
    const res = await call('/keyed/x', { headers: { 'x-gw-token': CLEAR_KEY } });
    expect(res.status).toBe(200);
    expect((JSON.parse(res.text) as { headers: Record<string, string> }).headers['x-gw-token']).toBeUndefined();
  });

  it('answers 401 unauthorized without a key or with a wrong one, and the upstream sees nothing', async () => {
    const before = echo.requests;
    const none = await call('/keyed/x');
    expect(none.status).toBe(401);
    expect(errorCode(none.text)).toBe('unauthorized');
    expect((await call('/keyed/x', { headers: { authorization: 'Bearer wrong-key-wrong-key' } })).status).toBe(401);
    expect(echo.requests).toBe(before);
  });

  it('answers 403 project_inactive for a key of an inactive consumer', async () => {
    const res = await call('/keyed/x', { headers: { authorization: `Bearer ${INACTIVE_KEY}` } });
    expect(res.status).toBe(403);
    expect(errorCode(res.text)).toBe('project_inactive');
  });
});

describe('restrictions', () => {
  it('admits an allowed method and path carrying the required header', async () => {
    expect((await call('/restricted/ok/1', { headers: { 'x-team': 'a' } })).status).toBe(200);
  });

  it('answers 405 for another method, 403 for another path or without the required header', async () => {
    const post = await call('/restricted/ok/1', { method: 'POST', headers: { 'x-team': 'a' } });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
    expect(errorCode((await call('/restricted/other', { headers: { 'x-team': 'a' } })).text)).toBe('forbidden');
    expect((await call('/restricted/ok/1')).status).toBe(403);
  });

  it('admits the loopback client where it is allowed and refuses it where it is denied', async () => {
    expect((await call('/local-only')).status).toBe(200);
    const denied = await call('/no-local');
    expect(denied.status).toBe(403);
    expect(errorCode(denied.text)).toBe('forbidden');
  });

  it('answers a CORS preflight at the gateway with 204, before key-auth and without the upstream', async () => {
    const before = echo.requests;
    const res = await call('/browser/v1/chat', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(echo.requests).toBe(before);
  });
});

describe('limits', () => {
  it('admits rpm requests per key, then answers 429 rate_limited with Retry-After; another key has its own count', async () => {
    const asA = { authorization: `Bearer ${TEAM_KEY}` };
    // The window is aligned to the minute: if it is about to end, wait for the next one so all 3 land in one.
    const msLeft = 60_000 - (Date.now() % 60_000);
    if (msLeft < 2_000) await new Promise((resolve) => setTimeout(resolve, msLeft + 50));
    expect((await call('/limited', { headers: asA })).status).toBe(200);
    expect((await call('/limited', { headers: asA })).status).toBe(200);
    const third = await call('/limited', { headers: asA });
    expect(third.status).toBe(429);
    expect(errorCode(third.text)).toBe('rate_limited');
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(third.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await call('/limited', { headers: { 'x-gw-token': CLEAR_KEY } })).status).toBe(200);
  });
});
