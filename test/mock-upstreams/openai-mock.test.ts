import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  AzureOpenAI,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  OpenAI,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { startOpenAiMock } from './openai-mock.ts';
import type { MockUpstream } from './mock-server.ts';
import {
  forbidden,
  hang,
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
let client: OpenAI;
const messages = [{ role: 'user' as const, content: 'Hi' }];

beforeAll(async () => {
  mock = await startOpenAiMock({ keys: ['sk-a', 'sk-b'] });
  client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-a', maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

async function collect(stream: AsyncIterable<ChatCompletionChunk>, into: ChatCompletionChunk[] = []): Promise<ChatCompletionChunk[]> {
  for await (const chunk of stream) into.push(chunk);
  return into;
}

function contentOf(chunks: readonly ChatCompletionChunk[]): string {
  return chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
}

describe('OpenAI mock: replies', () => {
  it('answers a non-streaming chat completion and records what was sent', async () => {
    mock.setScript(text('Bonjour', { usage: { input: 5, output: 2, cacheRead: 3 } }));
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toBe('Bonjour');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 2, total_tokens: 10, prompt_tokens_details: { cached_tokens: 3 } });
    const [request] = mock.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions', key: 'sk-a', stepSource: 'default' });
    expect(request?.headers['authorization']).toBe('Bearer sk-a');
    expect(request?.body).toMatchObject({ model: 'gpt-4o-mini', messages });
  });

  it('streams chunks, then a choices-less usage chunk when include_usage is requested, then [DONE]', async () => {
    mock.setScript(text(['Hel', 'lo']));
    const chunks = await collect(await client.chat.completions.create({ model: 'm', messages, stream: true, stream_options: { include_usage: true } }));
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(contentOf(chunks)).toBe('Hello');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
    expect(mock.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('sends no usage chunk when include_usage is not requested', async () => {
    const chunks = await collect(await client.chat.completions.create({ model: 'm', messages, stream: true }));
    expect(chunks.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
  });

  it('streams parallel tool calls whose fragments the SDK accumulates, including one sent with the name', async () => {
    mock.setScript(toolCalls([
      { name: 'get_weather', arguments: ['{"location":', ' "Paris"}'] },
      { id: 'call_2', name: 'get_time', arguments: ['{"tz":', '"CET"', '}'], firstFragmentWithName: true },
    ], { text: 'Checking.' }));
    const final = await client.chat.completions.stream({ model: 'm', messages }).finalChatCompletion();
    const message = final.choices[0]?.message;
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message?.content).toBe('Checking.');
    expect(message?.tool_calls?.map((c) => (c.type === 'function' ? [c.id, c.function.name, JSON.parse(c.function.arguments)] : c)))
      .toEqual([[expect.stringMatching(/^call_/), 'get_weather', { location: 'Paris' }], ['call_2', 'get_time', { tz: 'CET' }]]);
  });

  it('interleaves parallel tool-call fragments on request, keeping each index stable', async () => {
    mock.setScript(toolCalls([
      { name: 'a', arguments: ['{"x"', ':1}'] },
      { name: 'b', arguments: ['{"y"', ':2}'] },
    ], { quirks: { interleaveToolCalls: true } }));
    const chunks = await collect(await client.chat.completions.create({ model: 'm', messages, stream: true }));
    const indices = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls?.map((t) => t.index) ?? []);
    expect(indices).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('sends reasoning_content before the answer, as DeepSeek and vLLM do', async () => {
    mock.setScript(text('42', { thinking: { text: ['Let me ', 'think.'] } }));
    const chunks = await collect(await client.chat.completions.create({ model: 'deepseek-reasoner', messages, stream: true }));
    const reasoning = chunks.map((c) => (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '').join('');
    expect(reasoning).toBe('Let me think.');
    expect(contentOf(chunks)).toBe('42');
    const completion = await client.chat.completions.create({ model: 'deepseek-reasoner', messages });
    expect((completion.choices[0]?.message as { reasoning_content?: string }).reasoning_content).toBe('Let me think.');
  });

  it('puts finish_reason on the last content chunk when the quirk is scripted', async () => {
    mock.setScript(text(['a', 'b'], { quirks: { finishWithLastContent: true } }));
    const chunks = await collect(await client.chat.completions.create({ model: 'm', messages, stream: true }));
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ delta: { content: 'b' }, finish_reason: 'stop' });
  });

  it('paces events apart when asked to', async () => {
    mock.setScript({ ...text(['a', 'b', 'c']), paceMs: 25 });
    const started = performance.now();
    const arrivals: number[] = [];
    for await (const _chunk of await client.chat.completions.create({ model: 'm', messages, stream: true })) arrivals.push(performance.now());
    // role, 3 contents, finish: the last chunk leaves the mock after 4 pauses of 25 ms (timers may round by 1 ms).
    expect(arrivals).toHaveLength(5);
    expect((arrivals.at(-1) ?? 0) - started).toBeGreaterThanOrEqual(95);
  });

  it('replays provider transcripts verbatim: tool calls, DeepSeek reasoning, a JSON body', async () => {
    mock.enqueue([{ replay: 'openai/chat-tool-calls-stream.sse' }, { replay: 'openai/chat-reasoning-stream.sse' }, { replay: 'openai/chat-text.json' }]);
    const final = await client.chat.completions.stream({ model: 'm', messages }).finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls).toHaveLength(2);
    const chunks = await collect(await client.chat.completions.create({ model: 'm', messages, stream: true }));
    expect(contentOf(chunks)).toBe('Hi there!');
    expect(chunks.at(-1)?.usage?.completion_tokens_details?.reasoning_tokens).toBe(5);
    expect((await client.chat.completions.create({ model: 'm', messages })).id).toBe('chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT');
  });
});

describe('OpenAI mock: scripts', () => {
  it('answers queued steps first, then per-key steps, then the default', async () => {
    mock.setScript(text('default'));
    mock.enqueue([text('first'), text('second')]);
    mock.setScript(text('for b'), { key: 'sk-b' });
    const clientB = new OpenAI({ baseURL: mock.url, apiKey: 'sk-b', maxRetries: 0 });
    const answers = [
      await client.chat.completions.create({ model: 'm', messages }),
      await clientB.chat.completions.create({ model: 'm', messages }),
      await client.chat.completions.create({ model: 'm', messages }),
      await client.chat.completions.create({ model: 'm', messages }),
    ].map((c) => c.choices[0]?.message.content);
    expect(answers).toEqual(['first', 'for b', 'second', 'default']);
    expect(mock.requests.map((r) => [r.key, r.stepSource])).toEqual([['sk-a', 'queue'], ['sk-b', 'key-default'], ['sk-a', 'queue'], ['sk-a', 'default']]);
  });
});

describe('OpenAI mock: faults surface as the SDK typed errors', () => {
  it('429 with Retry-After → RateLimitError carrying the header', async () => {
    mock.setScript(rateLimited(7));
    const err = await client.chat.completions.create({ model: 'm', messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).headers.get('retry-after')).toBe('7');
    expect((err as RateLimitError).code).toBe('rate_limit_exceeded');
  });

  it('5xx → InternalServerError', async () => {
    mock.setScript(serverError(502));
    await expect(client.chat.completions.create({ model: 'm', messages })).rejects.toBeInstanceOf(InternalServerError);
  });

  it('401 for one key only, and for keys outside the configured list', async () => {
    mock.setScript(unauthorized(), { key: 'sk-b' });
    const clientB = new OpenAI({ baseURL: mock.url, apiKey: 'sk-b', maxRetries: 0 });
    await expect(clientB.chat.completions.create({ model: 'm', messages })).rejects.toBeInstanceOf(AuthenticationError);
    await expect(client.chat.completions.create({ model: 'm', messages })).resolves.toBeDefined();
    const stranger = new OpenAI({ baseURL: mock.url, apiKey: 'sk-zzz', maxRetries: 0 });
    const err = await stranger.models.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).code).toBe('invalid_api_key');
  });

  it('403 → PermissionDeniedError; quota-worded 400 → BadRequestError with code insufficient_quota', async () => {
    mock.enqueue([forbidden(), quotaExceeded()]);
    await expect(client.chat.completions.create({ model: 'm', messages })).rejects.toBeInstanceOf(PermissionDeniedError);
    const err = await client.chat.completions.create({ model: 'm', messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).code).toBe('insufficient_quota');
    expect((err as BadRequestError).message).toMatch(/quota/);
  });

  it('reset before the response → APIConnectionError', async () => {
    mock.setScript(resetConnection());
    await expect(client.chat.completions.create({ model: 'm', messages })).rejects.toBeInstanceOf(APIConnectionError);
    expect(mock.requests[0]?.status).toBeUndefined();
  });

  it('reset after N events: the N chunks arrive, then iteration fails (never a clean end)', async () => {
    mock.setScript({ ...text(['a', 'b', 'c', 'd']), fault: { type: 'reset', afterEvents: 2 } });
    const chunks: ChatCompletionChunk[] = [];
    const err = await collect(await client.chat.completions.create({ model: 'm', messages, stream: true }), chunks).catch((e: unknown) => e);
    // The SDK does not wrap a body read error: undici's "terminated" TypeError, caused by the RST.
    expect((err as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNRESET');
    expect(chunks).toHaveLength(2);
  });

  it('a mid-stream error event → APIError thrown by the iterator', async () => {
    mock.setScript(streamError(2));
    const chunks: ChatCompletionChunk[] = [];
    const err = await collect(await client.chat.completions.create({ model: 'm', messages, stream: true }), chunks).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(chunks).toHaveLength(2);
  });

  it('a truncated stream ends without finish_reason and without [DONE]', async () => {
    mock.setScript(truncateStream(2));
    const chunks = await collect(await client.chat.completions.create({ model: 'm', messages, stream: true }));
    expect(chunks).toHaveLength(2);
    expect(chunks.some((c) => c.choices[0]?.finish_reason)).toBe(false);
  });

  it('slow first byte delays the head; a hang leaves the client to time out', async () => {
    mock.setScript(slowFirstByte(150));
    const started = performance.now();
    await client.chat.completions.create({ model: 'm', messages });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    mock.setScript(hang());
    await expect(client.chat.completions.create({ model: 'm', messages }, { timeout: 150 })).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  });
});

describe('OpenAI mock: embeddings, models, Azure', () => {
  it('answers embeddings in float and base64 (the SDK default) encodings alike', async () => {
    const viaBase64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    const viaFloat = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float' });
    expect(viaBase64.data).toHaveLength(2);
    expect(viaBase64.data[0]?.embedding).toHaveLength(8);
    expect(viaBase64.data[0]?.embedding).toEqual(viaFloat.data[0]?.embedding);
    expect(viaBase64.usage.prompt_tokens).toBe(2);
  });

  it('lists and retrieves models; an unknown model is a NotFoundError', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toContain('gpt-4o-mini');
    expect((await client.models.retrieve('gpt-4o')).object).toBe('model');
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('serves Azure deployment routes with the api-key header and api-version', async () => {
    const azure = new AzureOpenAI({ endpoint: `http://127.0.0.1:${mock.port}`, apiKey: 'sk-b', apiVersion: '2024-10-21', deployment: 'prod-4o', maxRetries: 0 });
    const completion = await azure.chat.completions.create({ model: 'prod-4o', messages });
    expect(completion.choices[0]?.message.content).toBe('Hello from the mock.');
    expect(mock.requests[0]).toMatchObject({ path: '/openai/deployments/prod-4o/chat/completions', query: { 'api-version': '2024-10-21' }, key: 'sk-b' });
    expect(mock.requests[0]?.headers['api-key']).toBe('sk-b');
  });
});
