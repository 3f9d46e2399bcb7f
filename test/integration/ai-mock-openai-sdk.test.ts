/**
 * The AI handler with the mock provider behind a plain node:http server, driven by the official OpenAI
 * SDK (what users point at louailink) and by raw undici requests for malformed input.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotFoundError, OpenAI } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiHandler } from '../../src/ai/ai-handler.ts';
import { configSchema } from '../../src/config/schema.ts';

const MAX_BODY_BYTES = 4096;

let server: Server;
let origin: string;
let client: OpenAI;
let nextRequestId = 0;

beforeAll(async () => {
  const handle = createAiHandler(
    configSchema.parse({
      servers: { main: { listen: '127.0.0.1:8080', locations: ['ai'] } },
      locations: { ai: { path: '/v1', ai: {} } },
      providers: {
        echo: { type: 'mock', chunk_delay: '1ms' },
        fixed: { type: 'mock', chunk_delay: '0ms', reply: 'one two three four five six seven' },
      },
      models: {
        'mock-echo': { aliases: ['gpt-4o-mini'], providers: { echo: 'echo-upstream' } },
        'mock-fixed': { providers: { fixed: 'fixed-upstream' } },
      },
    }),
  );
  server = createServer((req, res) => {
    void handle(req, res, { requestId: `req-${++nextRequestId}`, locationName: 'ai', pathPrefix: '/v1', maxBodyBytes: MAX_BODY_BYTES });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new OpenAI({ baseURL: `${origin}/v1`, apiKey: 'none', maxRetries: 0 });
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
});

describe('AI mock provider through the OpenAI SDK', () => {
  it('lists the configured models by name', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) {
      expect(model.object).toBe('model');
      expect(typeof model.created).toBe('number');
      ids.push(model.id);
    }
    expect(ids).toEqual(['mock-echo', 'mock-fixed']);
  });

  it('retrieves a model by alias with the alias as its id', async () => {
    const model = await client.models.retrieve('gpt-4o-mini');
    expect(model).toMatchObject({ id: 'gpt-4o-mini', object: 'model', owned_by: 'echo' });
  });

  it('answers a non-streaming completion echoing the last user message', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'what is louailink?' }] },
      ],
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.message).toEqual({ role: 'assistant', content: 'mock reply to: what is louailink?', refusal: null });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    // ceil(chars / 4): prompt "be brief" (8) + "what is louailink?" (18) = 26 → 7; completion 33 → 9.
    expect(completion.usage).toEqual({ prompt_tokens: 7, completion_tokens: 9, total_tokens: 16 });
  });

  it('streams role, content, finish and usage chunks', async () => {
    const stream = await client.chat.completions.create({
      model: 'mock-fixed',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'mock-fixed')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    const contentChunks = chunks.slice(1, -2);
    expect(contentChunks.length).toBeGreaterThan(1);
    expect(contentChunks.map((c) => c.choices[0]?.delta.content).join('')).toBe('one two three four five six seven');
    expect(contentChunks.every((c) => c.choices[0]?.finish_reason === null)).toBe(true);
    const finish = chunks.at(-2);
    expect(finish?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    const usage = chunks.at(-1);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage).toEqual({ prompt_tokens: 1, completion_tokens: 9, total_tokens: 10 });
  });

  it('streams without a usage chunk unless include_usage is set', async () => {
    const stream = await client.chat.completions.create({ model: 'mock-echo', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.some((c) => c.usage !== undefined)).toBe(false);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('mock reply to: hi');
  });

  it('raises NotFoundError with code model_not_found for an unknown model', async () => {
    const error = await client.chat.completions
      .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })
      .then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).status).toBe(404);
    expect((error as NotFoundError).code).toBe('model_not_found');
    expect((error as NotFoundError).headers.get('x-request-id')).toMatch(/^req-/);
  });

  it('raises NotFoundError when retrieving an unknown model', async () => {
    const error = await client.models.retrieve('no-such-model').then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('model_not_found');
  });
});

describe('AI handler errors on the wire', () => {
  async function post(path: string, body: string): Promise<{ status: number; headers: Record<string, unknown>; json: unknown }> {
    const res = await request(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: res.statusCode, headers: res.headers, json: await res.body.json() };
  }

  it('answers invalid JSON with a 400 OpenAI error', async () => {
    const res = await post('/v1/chat/completions', '{"model": "mock-echo", "messages": [');
    expect(res.status).toBe(400);
    expect(res.headers['x-request-id']).toMatch(/^req-/);
    expect(res.json).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: 'bad_request' } });
  });

  it('answers a body without messages with a 400 bad_request', async () => {
    const res = await post('/v1/chat/completions', '{"model":"mock-echo"}');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('answers a body over the limit with 413 body_too_large', async () => {
    const content = 'x'.repeat(MAX_BODY_BYTES);
    const res = await post('/v1/chat/completions', JSON.stringify({ model: 'mock-echo', messages: [{ role: 'user', content }] }));
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: { code: 'body_too_large' } });
  });

  it('answers chat completions on any base path ending in /chat/completions', async () => {
    const res = await post('/v1/beta/openai/chat/completions', '{"model":"mock-echo","messages":[{"role":"user","content":"x"}]}');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ object: 'chat.completion', model: 'mock-echo' });
  });

  it('answers GET on chat/completions with 405 and an allow header', async () => {
    const res = await request(`${origin}/v1/chat/completions`);
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(await res.body.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
  });

  it('answers an unknown AI path with 404 route_not_found', async () => {
    const res = await request(`${origin}/v1/audio/speech`, { method: 'POST', body: '{}' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toMatch(/^req-/);
    expect(await res.body.json()).toMatchObject({ error: { code: 'route_not_found' } });
  });
});
