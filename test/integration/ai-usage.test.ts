/**
 * Usage records: every AI request hands one UsageRecord to the handler's sink — who served it (provider,
 * upstream model, key id), tokens in OpenAI's meaning with cache shares broken out, time to first byte,
 * duration and outcome. The handler runs behind a plain node:http server so the test can give it a
 * recording sink and its own key store.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAiHandler, type AiHandler } from '../../src/ai/ai-handler.ts';
import { LocalKeyStateStore } from '../../src/ai/routing/key-state-store.ts';
import { RecordingUsageSink } from '../../src/ai/usage/usage-record.ts';
import { configSchema } from '../../src/config/schema.ts';
import { serverError, startAnthropicMock, startOpenAiMock, text, type MockUpstream } from '../mock-upstreams/index.ts';

let openaiMock: MockUpstream;
let anthropicMock: MockUpstream;
let handler: AiHandler;
let server: Server;
let origin: string;
let keyStates: LocalKeyStateStore;
const sink = new RecordingUsageSink();
let nextId = 0;

beforeAll(async () => {
  openaiMock = await startOpenAiMock();
  anthropicMock = await startAnthropicMock();
  keyStates = new LocalKeyStateStore();
  handler = createAiHandler(
    configSchema.parse({
      servers: { main: { listen: '127.0.0.1:8080', locations: ['ai'] } },
      locations: { ai: { path: '/v1', ai: {} } },
      providers: {
        oai: { type: 'openai', base_url: openaiMock.url, keys: ['sk-usage'] },
        claude: { type: 'anthropic', base_url: anthropicMock.url, keys: ['ak-usage'] },
      },
      models: { dual: { default_provider: 'oai', providers: { oai: 'gpt-4o-mini', claude: 'claude-sonnet-4-5' } } },
    }),
    { usageSink: sink, keyStates },
  );
  server = createServer((req, res) => {
    void handler(req, res, { requestId: `req-${++nextId}`, locationName: 'ai', pathPrefix: '/v1', maxBodyBytes: 1 << 20 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await handler.close();
  await Promise.all([openaiMock.close(), anthropicMock.close()]);
});

beforeEach(() => {
  sink.records.length = 0;
  openaiMock.reset();
  anthropicMock.reset();
});

describe('usage records', () => {
  it('records a streamed answer with cache tokens in OpenAI meaning and a time to first byte', async () => {
    openaiMock.setScript(text(['a', 'b'], { usage: { input: 7, output: 2, cacheRead: 3 } }));
    const client = new OpenAI({ baseURL: `${origin}/v1`, apiKey: 'x', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'dual', messages: [{ role: 'user', content: 'hi' }], stream: true });
    for await (const _ of stream) void _;
    await waitForRecords(1);
    const [record] = sink.records;
    expect(record).toMatchObject({
      requestId: 'req-1',
      endpoint: 'chat_completions',
      clientDialect: 'openai',
      clientModel: 'dual',
      model: 'dual',
      provider: 'oai',
      upstreamModel: 'gpt-4o-mini',
      keyId: expect.stringMatching(/^oai:[0-9a-f]{8}$/),
      attempts: 1,
      status: 200,
      isStream: true,
      inputTokens: 10,
      outputTokens: 2,
      cacheReadTokens: 3,
      cacheWriteTokens: 0,
      outcome: 'ok',
    });
    expect(record?.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(record?.durationMs).toBeGreaterThanOrEqual(record?.timeToFirstTokenMs ?? 0);
  });

  it('records the provider that answered after a failover, with both attempts counted', async () => {
    openaiMock.setScript(serverError(500), { times: 1 });
    anthropicMock.setScript(text('ok', { usage: { input: 5, output: 1, cacheCreation: 4 } }));
    const client = new Anthropic({ baseURL: origin, apiKey: 'x', maxRetries: 0 });
    await client.messages.create({ model: 'dual', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    await waitForRecords(1);
    expect(sink.records[0]).toMatchObject({
      endpoint: 'messages',
      clientDialect: 'anthropic',
      provider: 'claude',
      attempts: 2,
      inputTokens: 9,
      cacheWriteTokens: 4,
      outputTokens: 1,
      outcome: 'ok',
    });
  });

  it('records a client that leaves mid-stream as client_aborted, after the first byte', async () => {
    openaiMock.setScript({ ...text(['one', ' two', ' three', ' four']), paceMs: 300 });
    const client = new OpenAI({ baseURL: `${origin}/v1`, apiKey: 'x', maxRetries: 0 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'dual', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { signal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    await waitForRecords(1);
    expect(sink.records[0]).toMatchObject({ provider: 'oai', status: 200, outcome: 'client_aborted' });
    expect(sink.records[0]?.timeToFirstTokenMs).toBeDefined();
    expect(sink.records[0]?.durationMs).toBeLessThan(900);
  });

  it('records a refused request as a client error without an attempt', async () => {
    const client = new OpenAI({ baseURL: `${origin}/v1`, apiKey: 'x', maxRetries: 0 });
    await client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined);
    await waitForRecords(1);
    expect(sink.records[0]).toMatchObject({ clientModel: 'nope', model: undefined, attempts: 0, status: 404, outcome: 'client_error' });
  });
});

/** The record is written when the handler finishes, which may be just after the client saw the end. */
async function waitForRecords(count: number): Promise<void> {
  for (let i = 0; i < 100 && sink.records.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(sink.records).toHaveLength(count);
}
