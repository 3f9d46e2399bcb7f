import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  Anthropic,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  OverloadedError,
  PermissionDeniedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { startAnthropicMock } from './anthropic-mock.ts';
import type { MockUpstream } from './mock-server.ts';
import {
  forbidden,
  hang,
  overloaded,
  quotaExceeded,
  rateLimited,
  resetConnection,
  serverError,
  slowFirstByte,
  streamError,
  text,
  toolCalls,
  truncateStream,
  unauthorized,
} from './script.ts';

let mock: MockUpstream;
let client: Anthropic;
const base = { model: 'claude-sonnet-5-5', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Hi' }] };

beforeAll(async () => {
  mock = await startAnthropicMock({ keys: ['ak-1', 'ak-2'] });
  client = new Anthropic({ baseURL: mock.url, apiKey: 'ak-1', maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

async function collect(stream: AsyncIterable<RawMessageStreamEvent>, into: RawMessageStreamEvent[] = []): Promise<RawMessageStreamEvent[]> {
  for await (const event of stream) into.push(event);
  return into;
}

describe('Anthropic mock: replies', () => {
  it('answers a non-streaming message and records the credential and version the SDK sent', async () => {
    mock.setScript(text('Bonjour', { usage: { input: 5, output: 2, cacheRead: 3 } }));
    const message = await client.messages.create(base);
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-sonnet-5-5', stop_reason: 'end_turn', content: [{ type: 'text', text: 'Bonjour' }] });
    expect(message.usage).toMatchObject({ input_tokens: 5, output_tokens: 2, cache_read_input_tokens: 3 });
    const [request] = mock.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/messages', key: 'ak-1', stepSource: 'default' });
    // SDK 1.x sends the API key as a bearer token; Claude Code and older SDKs send x-api-key (tested below).
    expect(request?.headers['authorization']).toBe('Bearer ak-1');
    expect(request?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(request?.body).toMatchObject(base);
  });

  it('streams the documented event sequence with contiguous block indices and a ping', async () => {
    mock.setScript(text(['Hel', 'lo']));
    const events = await collect(await client.messages.create({ ...base, stream: true }));
    expect(events.map((e) => e.type)).toEqual([
      'message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ]);
    const raw = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'ak-1', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...base, stream: true }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await raw.text()).toContain('event: ping\ndata: {"type":"ping"}\n\n');
  });

  it('streams a thinking block with its signature, then text; the SDK accumulates both', async () => {
    mock.setScript(text('21', { thinking: { text: ['Euclid: ', '1071 mod 462…'], signature: 'sig-abc' } }));
    const final = await client.messages.stream({ ...base, thinking: { type: 'enabled', budget_tokens: 1024 } }).finalMessage();
    expect(final.content).toMatchObject([
      { type: 'thinking', thinking: 'Euclid: 1071 mod 462…', signature: 'sig-abc' },
      { type: 'text', text: '21' },
    ]);
  });

  it('streams parallel tool_use blocks whose input_json_delta fragments the SDK parses', async () => {
    mock.setScript(toolCalls([
      { name: 'get_weather', arguments: ['', '{"location":', ' "Paris"}'] },
      { id: 'toolu_2', name: 'get_time', arguments: ['{"tz":"CET"}'] },
    ], { text: 'Checking.' }));
    const final = await client.messages.stream(base).finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toMatchObject([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'get_weather', input: { location: 'Paris' } },
      { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: { tz: 'CET' } },
    ]);
    const message = await client.messages.create(base);
    expect(message.content[1]).toMatchObject({ type: 'tool_use', input: { location: 'Paris' } });
  });

  it('reports message_delta usage cumulatively, input and cache included', async () => {
    mock.setScript(text('x', { usage: { input: 10, output: 4, cacheRead: 6, cacheCreation: 2 } }));
    const events = await collect(await client.messages.create({ ...base, stream: true }));
    const delta = events.find((e) => e.type === 'message_delta');
    expect(delta?.usage).toMatchObject({ input_tokens: 10, output_tokens: 4, cache_read_input_tokens: 6, cache_creation_input_tokens: 2 });
  });

  it('replays documented transcripts verbatim: tool use, thinking, a mid-stream error, a JSON body', async () => {
    mock.enqueue([
      { replay: 'anthropic/messages-tool-use-stream.sse' },
      { replay: 'anthropic/messages-thinking-stream.sse' },
      { replay: 'anthropic/messages-error-midstream.sse' },
      { replay: 'anthropic/message-tool-use.json' },
    ]);
    const toolUse = await client.messages.stream(base).finalMessage();
    expect(toolUse.content[1]).toMatchObject({ type: 'tool_use', input: { location: 'San Francisco, CA', unit: 'fahrenheit' } });
    const thinking = await client.messages.stream(base).finalMessage();
    expect(thinking.content[0]).toMatchObject({ type: 'thinking', signature: expect.stringMatching(/^EqQB/) });
    const err = await collect(await client.messages.create({ ...base, stream: true })).catch((e: unknown) => e);
    expect((err as APIError).type).toBe('overloaded_error');
    expect((await client.messages.create(base)).stop_reason).toBe('tool_use');
  });

  it('accepts Claude Code\'s x-api-key, anthropic-version 2023-06-01 and ?beta=true, and records them', async () => {
    const res = await fetch(`${mock.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'x-api-key': 'ak-2', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'claude-code-20250219', 'content-type': 'application/json' },
      body: JSON.stringify(base),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toBe(`req_mock_${mock.requests[0]?.seq}`);
    expect(mock.requests[0]).toMatchObject({ path: '/v1/messages', query: { beta: 'true' }, key: 'ak-2' });
    expect(mock.requests[0]?.headers['anthropic-beta']).toBe('claude-code-20250219');
  });
});

describe('Anthropic mock: request checks, count_tokens, models', () => {
  it('rejects a request without max_tokens or anthropic-version, as the API does', async () => {
    const { max_tokens: _dropped, ...noMax } = base;
    const err = await client.messages.create(noMax as typeof base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toMatch(/max_tokens/);
    const res = await fetch(`${mock.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'ak-1' }, body: JSON.stringify(base) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('counts tokens and lists or retrieves models', async () => {
    const count = await client.messages.countTokens({ model: base.model, messages: base.messages });
    expect(count.input_tokens).toBeGreaterThan(0);
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toContain('claude-sonnet-5-5');
    expect((await client.models.retrieve('claude-haiku-4-5')).type).toBe('model');
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('Anthropic mock: faults surface as the SDK typed errors', () => {
  it('429 with Retry-After → RateLimitError carrying the header and the request id', async () => {
    mock.setScript(rateLimited(3));
    const err = await client.messages.create(base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).headers?.get('retry-after')).toBe('3');
    expect((err as RateLimitError).requestID).toBe(`req_mock_${mock.requests[0]?.seq}`);
  });

  it('529 → OverloadedError; 500 → InternalServerError', async () => {
    mock.enqueue([overloaded(), serverError(500)]);
    await expect(client.messages.create(base)).rejects.toBeInstanceOf(OverloadedError);
    await expect(client.messages.create(base)).rejects.toBeInstanceOf(InternalServerError);
  });

  it('401 or 403 for one key only; keys outside the list are refused', async () => {
    mock.setScript(unauthorized(), { key: 'ak-2' });
    mock.setScript(forbidden(), { key: 'ak-1', times: 1 });
    const second = new Anthropic({ baseURL: mock.url, apiKey: 'ak-2', maxRetries: 0 });
    await expect(second.messages.create(base)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(client.messages.create(base)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(client.messages.create(base)).resolves.toBeDefined();
    const stranger = new Anthropic({ baseURL: mock.url, apiKey: 'ak-x', maxRetries: 0 });
    await expect(stranger.messages.create(base)).rejects.toBeInstanceOf(AuthenticationError);
    expect(mock.requests.map((r) => [r.key, r.status])).toEqual([['ak-2', 401], ['ak-1', 403], ['ak-1', 200], ['ak-x', 401]]);
  });

  it('a quota-worded 400 → BadRequestError mentioning the credit balance', async () => {
    mock.setScript(quotaExceeded());
    const err = await client.messages.create(base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toMatch(/credit balance/);
  });

  it('reset before the response → APIConnectionError; reset after N events → iteration fails', async () => {
    mock.enqueue([resetConnection(), resetConnection(3)]);
    await expect(client.messages.create(base)).rejects.toBeInstanceOf(APIConnectionError);
    const events: RawMessageStreamEvent[] = [];
    const err = await collect(await client.messages.create({ ...base, stream: true }), events).catch((e: unknown) => e);
    expect((err as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNRESET');
    expect(events.map((e) => e.type)).toEqual(['message_start', 'content_block_start']); // the third event was the ping
  });

  it('a mid-stream error event → APIError; a truncated stream ends with no message_stop', async () => {
    mock.enqueue([streamError(3), truncateStream(4)]);
    const err = await collect(await client.messages.create({ ...base, stream: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).type).toBe('overloaded_error');
    const events = await collect(await client.messages.create({ ...base, stream: true }));
    expect(events.map((e) => e.type)).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
  });

  it('slow first byte delays the head; a hang leaves the client to time out', async () => {
    mock.enqueue([slowFirstByte(150), hang()]);
    const arrived = mock.waitForRequests(2);
    const started = performance.now();
    await client.messages.create(base);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    await expect(client.messages.create(base, { timeout: 150 })).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    expect((await arrived).map((r) => r.stepSource)).toEqual(['queue', 'queue']);
  });
});
