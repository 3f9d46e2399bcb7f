/**
 * Cluster-wide limits of the real binary (master + 2 workers): request windows counted exactly across
 * workers under concurrent load from many connections, token limits from the usage of streamed AI
 * responses (built-in mock provider), refused on every worker once reached, in the client's dialect, and
 * a global cap on requests in flight held across workers. The access log (`$pid $status $uri`) shows
 * which workers served.
 */
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowStartOf } from '../../src/limits/fixed-window.ts';
import { send, servingPids, streamChat, streamedTotalTokens, until } from './helpers/limit-traffic.ts';
import type { TimedResponse } from './helpers/limit-traffic.ts';
import { eventually } from './helpers/http.ts';
import { cleanupMasters, startMaster } from './helpers/master-fixture.ts';
import type { MasterFixture } from './helpers/master-fixture.ts';
import { startSseUpstream } from './helpers/sse-upstream.ts';
import type { SseUpstream } from './helpers/sse-upstream.ts';

const LIMIT = 60;
const WINDOW_MS = 2_000;
const WINDOWS = 3;
const CONNECTIONS = 24;
const TOKEN_LIMIT = 70;
const IN_FLIGHT = 4;
/** About 40 characters each: the mock provider counts ceil(chars / 4) = 10 prompt tokens, and 10 for its reply. */
const PROMPT = 'count the tokens of this prompt, please!';
const REPLY = 'these forty characters are the reply....';

let fixture: MasterFixture;
let upstream: SseUpstream;
const accessLog = () => join(fixture.dir.path, 'logs', 'access.log');

beforeAll(async () => {
  upstream = await startSseUpstream();
  fixture = await startMaster(
    (port) => `basic: { workers: 2, log_level: info }
servers:
  main: { listen: 127.0.0.1:${port}, locations: [ai, window, sse] }
locations:
  window: { path: =/window, plugins: [per-window, pong] }
  ai: { path: /v1, ai: {}, plugins: [ai-tokens] }
  sse: { path: /sse, upstream: sse, plugins: [gateway-cap] }
upstreams:
  sse: { targets: [127.0.0.1:${upstream.port}] }
plugins:
  pong: { type: mock, body: ok }
  gateway-cap: { type: limit, by: global, concurrency: ${IN_FLIGHT} }
  per-window: { type: limit, by: location, requests: ${LIMIT}, window: 2s }
  ai-tokens: { type: limit, by: location, tokens: ${TOKEN_LIMIT}, window: 1h }
providers:
  mock: { type: mock, chunk_delay: 1ms, reply: "${REPLY}" }
models:
  m: { providers: { mock: m } }
observability:
  access_log: { format: '$pid $status $uri', file: logs/access.log }
`,
    [],
  );
}, 60_000);

afterAll(async () => {
  await cleanupMasters();
  await upstream?.close();
});

interface OpenedStream {
  readonly status: number;
  readonly body: Promise<string>;
}

/** GET on a fresh connection, resolved at the response head (an admitted stream stays open). */
function openStream(port: number, path: string): Promise<OpenedStream> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      const body = new Promise<string>((done) => res.on('end', () => done(text)).on('error', () => done(text)));
      resolve({ status: res.statusCode ?? 0, body });
    });
    req.on('error', reject);
  });
}

/** `count` concurrent streams added to `open`; resolves once every head arrived and all admitted ones are open upstream. */
async function openStreams(count: number, open: readonly OpenedStream[] = []): Promise<OpenedStream[]> {
  const opened = [...open, ...(await Promise.all(Array.from({ length: count }, () => openStream(fixture.port, '/sse'))))];
  const admitted = opened.filter((o) => o.status === 200).length;
  expect(await eventually(async () => upstream.openStreams() === admitted, 10_000)).toBe(true);
  return opened;
}

describe('cluster-wide limits of the real binary (2 workers)', () => {
  it('admits exactly `requests` per window across both workers under concurrent load from many connections', async () => {
    const first = windowStartOf(Date.now(), WINDOW_MS) + WINDOW_MS;
    const results: TimedResponse[] = [];
    for (let w = 0; w < WINDOWS; w++) {
      const start = first + w * WINDOW_MS;
      // Load only from 150 ms to 1.4 s into each window, so every request is sent and answered in one window.
      await until(start + 150);
      const stopAt = start + 1_400;
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (Date.now() < stopAt) results.push(await send(fixture.port, 'GET', '/window'));
        }),
      );
    }
    const windowOf = (r: TimedResponse) => (windowStartOf(r.sentAtMs, WINDOW_MS) - first) / WINDOW_MS;
    expect(results.every((r) => windowStartOf(r.doneAtMs, WINDOW_MS) === windowStartOf(r.sentAtMs, WINDOW_MS))).toBe(true);
    const admitted = Array.from({ length: WINDOWS }, (_, w) => results.filter((r) => windowOf(r) === w && r.status === 200).length);
    const refused = Array.from({ length: WINDOWS }, (_, w) => results.filter((r) => windowOf(r) === w && r.status !== 200));
    expect(admitted).toEqual(Array.from({ length: WINDOWS }, () => LIMIT));
    for (const window of refused) {
      // The demand was above the limit in every window, and each refusal says when the window ends.
      expect(window.length).toBeGreaterThan(0);
      expect(window.every((r) => r.status === 429 && JSON.parse(r.body).error === 'rate_limited')).toBe(true);
      expect(window.every((r) => ['1', '2'].includes(String(r.headers['retry-after'])))).toBe(true);
    }
    const pids = await servingPids(accessLog(), 200, '/window', LIMIT * WINDOWS);
    expect(pids).toHaveLength(LIMIT * WINDOWS);
    expect(new Set(pids).size).toBe(2);
  }, 30_000);

  it('refuses AI requests on every worker once the streamed usage of admitted ones reaches the token limit, in the client dialect', async () => {
    // A window of an hour: do not straddle two.
    const msLeft = 3_600_000 - (Date.now() % 3_600_000);
    if (msLeft < 15_000) await until(Date.now() + msLeft + 50);
    let admitted = 0;
    let perRequest = 0;
    let refusal: TimedResponse | undefined;
    for (let i = 0; i < 10 && refusal === undefined; i++) {
      const answer = await streamChat(fixture.port, PROMPT);
      if (answer.status === 200) {
        admitted++;
        perRequest = streamedTotalTokens(answer.body) ?? 0;
      } else refusal = answer;
    }
    expect(perRequest).toBe(20);
    // Never refused before the limit was reached; at most one request may pass while the master's notice travels.
    const reachedAfter = Math.ceil(TOKEN_LIMIT / perRequest);
    expect(admitted).toBeGreaterThanOrEqual(reachedAfter);
    expect(admitted).toBeLessThanOrEqual(reachedAfter + 1);
    expect(refusal?.status).toBe(429);
    expect(Number(refusal?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(refusal?.body ?? '{}').error).toMatchObject({ code: 'rate_limited', type: 'rate_limit_exceeded' });
    // Both workers refuse from now on: concurrent requests on fresh connections (one worker alone may
    // accept a run of sequential ones) until each worker has answered some.
    const later: TimedResponse[] = [];
    let pids: number[] = [];
    for (let i = 0; i < 10 && new Set(pids).size < 2; i++) {
      later.push(...(await Promise.all(Array.from({ length: 6 }, () => streamChat(fixture.port, PROMPT)))));
      pids = await servingPids(accessLog(), 429, '/v1/chat/completions', later.length + 1);
    }
    expect(new Set(pids).size).toBe(2);
    expect(later.every((r) => r.status === 429)).toBe(true);
    const anthropic = await send(fixture.port, 'POST', '/v1/messages', { model: 'm', max_tokens: 16, messages: [{ role: 'user', content: PROMPT }] });
    expect(anthropic.status).toBe(429);
    expect(JSON.parse(anthropic.body)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  }, 30_000);

  it('caps requests in flight across both workers with by: global, and frees the slots as the streams end', async () => {
    // Groups of concurrent streams until both workers have answered some (one worker may accept a
    // whole burst): counted per worker, the second one would then admit requests above the cap.
    let first: OpenedStream[] = [];
    let refusedPids: number[] = [];
    for (let group = 0; group < 20 && (first.length < 12 || new Set(refusedPids).size < 2); group++) {
      first = await openStreams(4, first);
      const refusedSoFar = first.filter((o) => o.status !== 200).length;
      refusedPids = await servingPids(accessLog(), 503, '/sse', refusedSoFar);
      await until(Date.now() + 30);
    }
    expect(first.filter((o) => o.status === 200)).toHaveLength(IN_FLIGHT);
    const refused = first.filter((o) => o.status !== 200);
    expect(refused.every((o) => o.status === 503)).toBe(true);
    expect(await Promise.all(refused.map(async (o) => JSON.parse(await o.body).error))).toEqual(refused.map(() => 'concurrency_exceeded'));
    upstream.endAll();
    await Promise.all(first.map((o) => o.body));
    const admittedPids = await servingPids(accessLog(), 200, '/sse', IN_FLIGHT);
    expect(new Set([...admittedPids, ...refusedPids]).size).toBe(2);
    // The slots came back: idle ones held by either worker are taken back for the other one.
    const second = await openStreams(6);
    expect(second.filter((o) => o.status === 200)).toHaveLength(IN_FLIGHT);
    upstream.endAll();
    await Promise.all(second.map((o) => o.body));
  }, 30_000);
});
