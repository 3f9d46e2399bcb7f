/**
 * Quotas of the real binary (master + 2 workers) across a SIGHUP reload: the master's counts outlive the
 * worker generation, so the new workers go on from what the old ones spent (requests and tokens), and
 * admissions the old workers had leased but not spent are given back when they drain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, streamChat, until } from './helpers/limit-traffic.ts';
import type { TimedResponse } from './helpers/limit-traffic.ts';
import { cleanupMasters, startMaster } from './helpers/master-fixture.ts';
import type { MasterFixture } from './helpers/master-fixture.ts';

const REQUEST_QUOTA = 5;
const TOKEN_QUOTA = 50;
/** 40 characters each way: 10 + 10 tokens per request from the mock provider (ceil(chars / 4)). */
const PROMPT = 'count the tokens of this prompt, please!';
const REPLY = 'these forty characters are the reply....';
const DAY_MS = 86_400_000;

const config = (version: string) => (port: number) => `basic: { workers: 2, log_level: info }
servers:
  main: { listen: 127.0.0.1:${port}, locations: [ai, quota, v] }
locations:
  v: { path: =/v, plugins: [version] }
  quota: { path: =/q, plugins: [daily, pong] }
  ai: { path: /v1, ai: {}, plugins: [ai-daily] }
plugins:
  version: { type: mock, body: ${version} }
  pong: { type: mock, body: ok }
  daily: { type: limit, by: location, quota: { requests: ${REQUEST_QUOTA}, period: day } }
  ai-daily: { type: limit, by: location, quota: { tokens: ${TOKEN_QUOTA}, period: day } }
providers:
  mock: { type: mock, chunk_delay: 1ms, reply: "${REPLY}" }
models:
  m: { providers: { mock: m } }
`;

let fixture: MasterFixture;

beforeAll(async () => {
  // Daily quotas: do not straddle UTC midnight.
  const msLeft = DAY_MS - (Date.now() % DAY_MS);
  if (msLeft < 30_000) await until(Date.now() + msLeft + 50);
  fixture = await startMaster(config('one'), []);
}, 90_000);

afterAll(cleanupMasters);

async function reload(version: string): Promise<void> {
  const { master, dir, port } = fixture;
  const seen = master.logs.length;
  await dir.write(config(version)(port));
  master.signal('SIGHUP');
  const done = await master.waitForLog((line) => line.event === 'reload_config' && Array.isArray(line['pids']) && master.logs.indexOf(line) >= seen);
  // The old generation has drained (and given back its leases): every later request reaches a new worker.
  await master.waitForLog((line) => line.event === 'generation_exit' && line.generation === (done.generation ?? 0) - 1);
}

/** Sends `count` requests one after another on fresh connections; statuses in order. */
async function statuses(count: number, one: () => Promise<TimedResponse>): Promise<TimedResponse[]> {
  const answers: TimedResponse[] = [];
  for (let i = 0; i < count; i++) answers.push(await one());
  return answers;
}

describe('quotas across a reload (2 workers)', () => {
  it('keeps the request and token counts of the day when SIGHUP replaces the workers', async () => {
    const { port } = fixture;
    const getQuota = () => send(port, 'GET', '/q');
    const chat = () => streamChat(port, PROMPT);
    expect((await statuses(3, getQuota)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await statuses(2, chat)).map((r) => r.status)).toEqual([200, 200]);

    await reload('two');
    expect((await send(port, 'GET', '/v')).body).toBe('two');

    // Requests: exactly what was left of the quota (leases are exact), then 429 quota_exceeded until midnight.
    const after = await statuses(4, getQuota);
    expect(after.map((r) => r.status)).toEqual([200, 200, 429, 429]);
    const refusal = after[2];
    expect(JSON.parse(refusal?.body ?? '{}').error).toBe('quota_exceeded');
    const secondsToMidnight = (DAY_MS - (Date.now() % DAY_MS)) / 1000;
    expect(Math.abs(Number(refusal?.headers['retry-after']) - secondsToMidnight)).toBeLessThan(60);

    // Tokens: 40 of 50 were spent before the reload, so the first request passes (40 < 50) and brings the
    // count to 60; fresh counters would have admitted three. One more may pass while its charge travels.
    const chats = await statuses(4, chat);
    const admitted = chats.filter((r) => r.status === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(admitted).toBeLessThanOrEqual(2);
    const over = chats.at(-1);
    expect(over?.status).toBe(429);
    expect(JSON.parse(over?.body ?? '{}').error).toMatchObject({ code: 'quota_exceeded' });
  }, 60_000);
});
