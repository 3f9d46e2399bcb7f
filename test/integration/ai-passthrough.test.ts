/**
 * Same-dialect traffic through louailink: the OpenAI SDK in front of an OpenAI-compatible upstream and the
 * Anthropic SDK in front of an Anthropic upstream. The body reaches the upstream as sent except `model`
 * (and what the gateway must add), the provider key replaces the client's credential, and usage is kept.
 */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_KEY, startAiHarness, type AiHarness } from '../helpers/ai-harness.ts';
import { text, toolCalls } from '../mock-upstreams/index.ts';

let h: AiHarness;

beforeAll(async () => {
  h = await startAiHarness({
    providers: ({ openai, anthropic }) => ({
      oai: { type: 'openai', base_url: openai.url, keys: ['sk-pass-a'] },
      claude: { type: 'anthropic', base_url: anthropic.url, keys: ['ak-pass-1'] },
    }),
    models: {
      'gpt-4o-mini': { aliases: ['mini'], providers: { oai: 'gpt-4o-mini-2024-07-18' } },
      'claude-sonnet': { aliases: ['sonnet'], max_output_tokens: 12000, providers: { claude: 'claude-sonnet-4-5' } },
    },
  });
});

afterAll(() => h.close());

beforeEach(() => {
  h.openaiMock.reset();
  h.anthropicMock.reset();
});

/** POSTs a chat-completions body exactly as given (the SDK would serialize it anew); the response status. */
async function postChat(body: string): Promise<number> {
  const response = await fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

function expectNoClientCredential(headers: Readonly<Record<string, string>>): void {
  expect(JSON.stringify(headers)).not.toContain(CLIENT_KEY);
}

describe('OpenAI client → OpenAI-compatible provider', () => {
  it('passes the body through with only the model rewritten and the provider key injected', async () => {
    h.openaiMock.setScript(text('Hi there'));
    const completion = await h.openai().chat.completions.create({
      model: 'mini',
      messages: [{ role: 'user', content: 'hello' }],
      temperature: 0.3,
      seed: 42,
    });
    expect(completion.choices[0]?.message.content).toBe('Hi there');
    const [upstream] = h.openaiMock.requests;
    expect(upstream?.path).toBe('/v1/chat/completions');
    expect(upstream?.body).toEqual({ model: 'gpt-4o-mini-2024-07-18', messages: [{ role: 'user', content: 'hello' }], temperature: 0.3, seed: 42 });
    expect(upstream?.headers['authorization']).toBe('Bearer sk-pass-a');
    expectNoClientCredential(upstream?.headers ?? {});
  });

  it('streams tool calls through and always asks the upstream for usage', async () => {
    h.openaiMock.setScript(toolCalls([{ name: 'get_weather', arguments: ['{"city":', '"Paris"}'] }]));
    const stream = await h.openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      stream: true,
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const args = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((t) => t.function?.arguments ?? '').join('');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
    // The client did not ask for usage: the upstream was asked anyway, and its usage chunk is not relayed.
    expect(h.openaiMock.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(chunks.some((c) => c.usage !== undefined && c.usage !== null)).toBe(false);
  });

  it('relays the usage chunk when the client asks for it', async () => {
    h.openaiMock.setScript(text(['a', 'b'], { usage: { input: 11, output: 2, cacheRead: 5 } }));
    const stream = await h.openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 16, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 5 } });
  });

  it('sends the client body on with only the model value replaced: layout and numbers as sent', async () => {
    h.openaiMock.setScript(text('ok'));
    // A number no float holds exactly (JSON.parse + JSON.stringify would send 12345678901234567000) and the client layout.
    const sent = '{\n  "model": "mini",\n  "messages": [ {"role": "user", "content": "say \\"hi\\""} ],\n  "seed": 12345678901234567890\n}';
    expect(await postChat(sent)).toBe(200);
    expect(h.openaiMock.requests[0]?.rawBody).toBe(sent.replace('"mini"', '"gpt-4o-mini-2024-07-18"'));
  });

  it('sends a large body (edited as bytes) on with only the model value replaced', async () => {
    h.openaiMock.setScript(text('ok'));
    const messages = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: `Schritt ${i}: "grüße" \\ ✓ `.repeat(40) }));
    const sent = JSON.stringify({ messages, model: 'mini', seed: 12345678901234567890n.toString() }, null, 1).replace('"12345678901234567890"', '12345678901234567890');
    expect(Buffer.byteLength(sent)).toBeGreaterThan(32 * 1024);
    expect(await postChat(sent)).toBe(200);
    expect(h.openaiMock.requests[0]?.rawBody).toBe(sent.replace('"mini"', '"gpt-4o-mini-2024-07-18"'));
  });

  it('sends one model member when the client repeats the key, the one it was routed by', async () => {
    h.openaiMock.setScript(text('ok'));
    // JSON.parse routes on the last copy; an upstream that kept the first must not see the client's other name.
    expect(await postChat('{"model":"gpt-4o-2024-11-20","messages":[{"role":"user","content":"x"}],"model":"mini"}')).toBe(200);
    expect(h.openaiMock.requests[0]?.rawBody).toBe('{"model":"gpt-4o-mini-2024-07-18","messages":[{"role":"user","content":"x"}]}');
  });

  it('passes embeddings through with the model rewritten', async () => {
    const result = await h.openai().embeddings.create({ model: 'mini', input: ['one', 'two'] });
    expect(result.data).toHaveLength(2);
    expect(h.openaiMock.requests[0]).toMatchObject({ path: '/v1/embeddings', body: { model: 'gpt-4o-mini-2024-07-18', input: ['one', 'two'] } });
  });
});

describe('Anthropic client → Anthropic provider', () => {
  it('forwards the body, query, anthropic-version and anthropic-beta untouched except the model', async () => {
    h.anthropicMock.setScript(text('Bonjour'));
    const message = await h.anthropic().messages.create(
      { model: 'sonnet', max_tokens: 300, system: 'be brief', messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' }, query: { beta: 'true' } },
    );
    expect(message.content).toMatchObject([{ type: 'text', text: 'Bonjour' }]);
    const [upstream] = h.anthropicMock.requests;
    expect(upstream?.query).toEqual({ beta: 'true' });
    expect(upstream?.body).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 300, system: 'be brief', messages: [{ role: 'user', content: 'hi' }] });
    expect(upstream?.headers['x-api-key']).toBe('ak-pass-1');
    expect(upstream?.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(upstream?.headers['authorization']).toBeUndefined();
    expectNoClientCredential(upstream?.headers ?? {});
  });

  it('adds max_tokens from the catalogue when the client sends none', async () => {
    const response = await fetch(`${h.baseUrl}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    expect(h.anthropicMock.requests[0]?.body).toMatchObject({ max_tokens: 12000 });
    expect(h.anthropicMock.requests[0]?.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('streams thinking, text and tool use through event for event', async () => {
    h.anthropicMock.setScript({
      reply: { thinking: { text: 'Let me think', signature: 'sig-1' }, text: 'Calling', toolCalls: [{ name: 'lookup', arguments: ['{"q":', '"x"}'] }] },
    });
    const stream = h.anthropic().messages.stream({ model: 'sonnet', max_tokens: 1000, messages: [{ role: 'user', content: 'go' }] });
    const message = await stream.finalMessage();
    expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use']);
    expect(message.content[0]).toMatchObject({ thinking: 'Let me think', signature: 'sig-1' });
    expect(message.content[2]).toMatchObject({ name: 'lookup', input: { q: 'x' } });
    expect(message.stop_reason).toBe('tool_use');
  });

  it('answers count_tokens from the Anthropic upstream', async () => {
    const count = await h.anthropic().messages.countTokens({ model: 'sonnet', messages: [{ role: 'user', content: 'count me please' }] });
    expect(count.input_tokens).toBeGreaterThan(0);
    expect(h.anthropicMock.requests[0]).toMatchObject({ path: '/v1/messages/count_tokens', body: { model: 'claude-sonnet-4-5' } });
  });
});
