/**
 * `max_concurrency_per_key: 1` held across the workers of the real binary (master + 2 workers): an
 * OpenAI mock with two keys holds every stream open (no first byte), so at most 2 requests may ever
 * reach it, whichever worker accepted them; the others get 503 upstream_concurrency_exceeded from both
 * workers (a worker that counted alone would admit 2 of its own). Once the clients abort, the slots come
 * back and both workers serve again. The access log (`$pid $status $uri`) shows which workers answered.
 */
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hang, startOpenAiMock, text, type MockUpstream } from '../mock-upstreams/index.ts';
import { eventually, httpGet } from './helpers/http.ts';
import { servingPids } from './helpers/limit-traffic.ts';
import { cleanupMasters, startMaster, type MasterFixture } from './helpers/master-fixture.ts';

const KEYS = ['sk-e2e-keycap-1', 'sk-e2e-keycap-2'];
const PATH = '/v1/chat/completions';
const BODY = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });

let fixture: MasterFixture;
let mock: MockUpstream;
const accessLog = (): string => join(fixture.dir.path, 'logs', 'access.log');

beforeAll(async () => {
  mock = await startOpenAiMock({ keys: KEYS, script: hang() });
  fixture = await startMaster(
    (port) => `basic: { workers: 2, log_level: info }
servers:
  main: { listen: 127.0.0.1:${port}, locations: [ai] }
locations:
  ai: { path: /v1, ai: {} }
providers:
  capped: { type: openai, base_url: "${mock.url}", keys: [${KEYS.join(', ')}], max_concurrency_per_key: 1 }
models:
  m: { providers: { capped: gpt-4o-mini } }
observability:
  access_log: { format: '$pid $status $uri', file: logs/access.log }
`,
    [],
  );
}, 60_000);

afterAll(async () => {
  await cleanupMasters();
  await mock?.close();
});

interface OpenChat {
  readonly req: http.ClientRequest;
  /** Set once the response has fully arrived (refusals); admitted streams never get a head here. */
  answer: { status: number; body: string } | undefined;
}

/** A streamed chat completion on a fresh connection (so it lands on whichever worker accepts next). */
function openChat(port: number): OpenChat {
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: PATH,
    agent: false,
    headers: { connection: 'close', 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) },
  });
  const chat: OpenChat = { req, answer: undefined };
  req.on('response', (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('end', () => (chat.answer = { status: res.statusCode ?? 0, body }));
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end(BODY);
  return chat;
}

/** Concurrent requests on fresh connections; resolves with their answers once all arrived. */
async function chatConcurrently(count: number): Promise<{ status: number; body: string }[]> {
  const chats = Array.from({ length: count }, () => openChat(fixture.port));
  expect(await eventually(async () => chats.every((c) => c.answer !== undefined), 10_000, 20)).toBe(true);
  return chats.map((c) => c.answer ?? { status: 0, body: '' });
}

describe('max_concurrency_per_key across 2 workers of the real binary', () => {
  it('lets at most one request per key reach the upstream whichever worker accepts, and frees the slots on abort', async () => {
    // Groups of concurrent streams until both workers have refused some (one worker may accept a whole burst).
    const open: OpenChat[] = [];
    let refusedPids: number[] = [];
    const refused = (): OpenChat[] => open.filter((c) => c.answer !== undefined);
    for (let group = 0; group < 20 && (open.length < 12 || new Set(refusedPids).size < 2); group++) {
      open.push(...Array.from({ length: 4 }, () => openChat(fixture.port)));
      // Every request is either answered (refused) or held by the upstream.
      expect(await eventually(async () => refused().length + mock.requests.length >= open.length, 10_000, 20)).toBe(true);
      refusedPids = await servingPids(accessLog(), 503, PATH, refused().length);
    }
    expect(new Set(refusedPids).size).toBe(2);
    expect(mock.requests).toHaveLength(2);
    expect(new Set(mock.requests.map((r) => r.key))).toEqual(new Set(KEYS));
    for (const chat of refused()) {
      expect(chat.answer?.status).toBe(503);
      expect(JSON.parse(chat.answer?.body ?? '{}')).toMatchObject({ error: { code: 'upstream_concurrency_exceeded' } });
    }

    mock.setScript(text('free again'));
    for (const chat of open) chat.req.destroy();
    // The aborted streams' slots come back to the master; both workers are admitted again. The gateway learns
    // of the aborts asynchronously: wait until no attempt is in flight on any key before asking again.
    const isIdle = async (): Promise<boolean> => {
      const metrics = (await httpGet(fixture.port, '/metrics')).body;
      return metrics.includes('louailink_ai_key_in_flight{') && !/louailink_ai_key_in_flight\{[^}]*\} [1-9]/.test(metrics);
    };
    expect(await eventually(isIdle, 10_000, 50)).toBe(true);
    let servedPids: number[] = [];
    let served = 0;
    for (let group = 0; group < 20 && new Set(servedPids).size < 2; group++) {
      const answers = await chatConcurrently(2);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      served += 2;
      servedPids = await servingPids(accessLog(), 200, PATH, served);
    }
    expect(new Set(servedPids).size).toBe(2);
  }, 60_000);
});
