/**
 * A provider's circuit breaker through real sockets: consecutive 5xx open it and routing skips the
 * provider (the mock stops seeing requests; a model with no other provider gets 503 with Retry-After);
 * after the cooldown one request probes it: a failed probe opens it again, a successful one closes it.
 * Every transition shows in /metrics.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { serverError, startOpenAiMock, text, type MockUpstream } from '../mock-upstreams/index.ts';

let flaky: MockUpstream;
let backup: MockUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  flaky = await startOpenAiMock({ script: text('from flaky') });
  backup = await startOpenAiMock({ script: text('from backup') });
  gateway = await startTestGateway({
    servers: { main: { locations: ['ai'] } },
    locations: { ai: { path: '/v1', ai: { expose_selection: true } } },
    providers: {
      flaky: { type: 'openai', base_url: flaky.url, keys: ['sk-circuit-flaky'], circuit_breaker: { failures: 2, cooldown: '300ms' } },
      backup: { type: 'openai', base_url: backup.url, keys: ['sk-circuit-backup'] },
    },
    models: {
      m: { default_provider: 'flaky', providers: { flaky: 'gpt-4o-mini', backup: 'gpt-4o-mini' } },
      solo: { providers: { flaky: 'gpt-4o-mini' } },
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([flaky?.close(), backup?.close()]);
});

async function chat(model = 'm'): Promise<{ status: number; provider: unknown; retryAfter: unknown; body: string }> {
  const res = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  return { status: res.statusCode, provider: res.headers['x-louai-provider'], retryAfter: res.headers['retry-after'], body: await res.body.text() };
}

/** Requests until the flaky mock has seen `count` requests (each one is answered, by backup until then). */
async function chatUntilFlakySees(count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (flaky.requests.length < count) {
    if (Date.now() > deadline) throw new Error(`flaky saw ${flaky.requests.length} requests, expected ${count}`);
    expect((await chat()).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function metric(name: string): Promise<number | undefined> {
  const res = await request(`${gateway.url}/metrics`);
  const line = (await res.body.text()).split('\n').find((l) => l.startsWith(name));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const STATE = 'louailink_ai_provider_circuit_state{provider="flaky"}';
const transitions = (to: string): string => `louailink_ai_provider_circuit_transitions_total{provider="flaky",to="${to}"}`;

describe('circuit breaker per AI provider', () => {
  it('opens after consecutive provider failures and leaves the provider out while open', async () => {
    expect(await metric(STATE)).toBe(0);
    flaky.setScript(serverError(500));
    for (let i = 0; i < 2; i++) expect(await chat()).toMatchObject({ status: 200, provider: 'backup' });
    expect(flaky.requests).toHaveLength(2);
    expect(await metric(STATE)).toBe(1);
    for (let i = 0; i < 3; i++) expect(await chat()).toMatchObject({ status: 200, provider: 'backup' });
    expect(flaky.requests).toHaveLength(2);
    const refused = await chat('solo');
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'no_upstream_available' } });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(flaky.requests).toHaveLength(2);
  });

  it('lets one probe through after the cooldown and opens again when it fails', async () => {
    await chatUntilFlakySees(3);
    expect(flaky.requests[2]?.status).toBe(500);
    expect(await metric(STATE)).toBe(1);
    expect(await metric(transitions('open'))).toBe(2);
    expect(await metric(transitions('half-open'))).toBe(1);
  });

  it('closes when a probe succeeds, and the default provider serves again', async () => {
    flaky.setScript(text('from flaky'));
    await chatUntilFlakySees(4);
    expect(flaky.requests[3]?.status).toBe(200);
    expect(await metric(STATE)).toBe(0);
    expect(await metric(transitions('closed'))).toBe(1);
    expect(await chat()).toMatchObject({ status: 200, provider: 'flaky' });
  });
});
