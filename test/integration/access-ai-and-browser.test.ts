/**
 * Access plugins where they need the response or the kind of route: gateway-key refusals in the client's
 * dialect on an AI location (seen through both SDKs), CORS headers on a proxied answer and on the
 * gateway's own 401, and the in-flight cap released when a response ends.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { startUpstream } from '../helpers/upstream.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

const KEY = 'ai-team-gateway-key-0001';
const APP = 'https://app.example.com';

let gateway: TestGateway;
let slow: TestUpstream;
/** Responses the slow upstream holds until the test lets them go. */
const held: ServerResponse[] = [];

beforeAll(async () => {
  slow = await startUpstream((req, res) => {
    (req as IncomingMessage).resume();
    if (req.url === '/slow/hold') held.push(res as ServerResponse);
    else res.end('ok');
  });
  gateway = await startTestGateway({
    servers: { main: { locations: ['ai', 'app', 'slow'] } },
    locations: {
      ai: { path: '/v1', ai: {}, plugins: ['auth'] },
      app: { path: '/app', upstream: 'slow', plugins: ['cors', 'auth'] },
      slow: { path: '/slow', upstream: 'slow', plugins: ['one-at-a-time'] },
    },
    upstreams: { slow: { targets: [slow.hostPort] } },
    providers: { mock: { type: 'mock', chunk_delay: '0ms', reply: 'hello from the mock' } },
    models: { 'mock-model': { providers: { mock: 'mock-upstream' } } },
    plugins: {
      auth: { type: 'key-auth', consumers: { team: { keys: [{ key: KEY }] } } },
      cors: { type: 'cors', allow_origins: [APP], expose_headers: ['x-request-id'] },
      'one-at-a-time': { type: 'limit', by: 'location', concurrency: 1 },
    },
  });
});

afterAll(async () => {
  for (const res of held) res.end();
  await gateway?.close();
  await slow?.close();
});

describe('gateway keys on an AI location', () => {
  it('serves an OpenAI client with a valid key and refuses a wrong one with an OpenAI AuthenticationError', async () => {
    const ok = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const answer = await ok.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]?.message.content).toBeTruthy();
    const wrong = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'not-a-gateway-key-at-all', maxRetries: 0 });
    const err = await wrong.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('unauthorized');
  });

  it('serves an Anthropic client sending its key as x-api-key and refuses a wrong one in the Anthropic error shape', async () => {
    const ok = new Anthropic({ baseURL: gateway.url, apiKey: KEY, maxRetries: 0 });
    const answer = await ok.messages.create({ model: 'mock-model', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.content.length).toBeGreaterThan(0);
    const wrong = new Anthropic({ baseURL: gateway.url, apiKey: 'not-a-gateway-key-at-all', maxRetries: 0 });
    const err = await wrong.messages.create({ model: 'mock-model', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });
});

describe('CORS on answers', () => {
  it('adds allow-origin and exposed headers to a proxied answer for an allowed origin', async () => {
    const res = await request(`${gateway.url}/app/x`, { headers: { origin: APP, authorization: `Bearer ${KEY}` } });
    await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-expose-headers']).toBe('x-request-id');
  });

  it("adds allow-origin to the gateway's own 401, so the page can read why", async () => {
    const res = await request(`${gateway.url}/app/x`, { headers: { origin: APP } });
    await res.body.text();
    expect(res.statusCode).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
  });

  it('adds nothing for another origin', async () => {
    const res = await request(`${gateway.url}/app/x`, { headers: { origin: 'https://evil.test', authorization: `Bearer ${KEY}` } });
    await res.body.text();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('requests in flight', () => {
  it('answers 503 concurrency_exceeded while one request is in flight, and admits again once it has ended', async () => {
    const first = request(`${gateway.url}/slow/hold`);
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const busy = await request(`${gateway.url}/slow/other`);
    expect(busy.statusCode).toBe(503);
    expect((JSON.parse(await busy.body.text()) as { error: string }).error).toBe('concurrency_exceeded');
    held.shift()?.end('done');
    expect(await (await first).body.text()).toBe('done');
    // The slot is released on the gateway's 'close' of that response, which may trail the client's last byte.
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const again = await request(`${gateway.url}/slow/other`);
      status = again.statusCode;
      await again.body.text();
    }
    expect(status).toBe(200);
  });
});
