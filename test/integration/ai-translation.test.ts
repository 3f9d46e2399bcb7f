/**
 * Cross-dialect traffic through louailink: the OpenAI SDK in front of an Anthropic upstream and the
 * Anthropic SDK (as Claude Code uses it) in front of an OpenAI-compatible upstream, text and tools,
 * streaming and not; plus the endpoints every client probes (models, HEAD, count_tokens, unknown model).
 */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { NotFoundError as AnthropicNotFoundError } from '@anthropic-ai/sdk';
import { NotFoundError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAiHarness, type AiHarness } from '../helpers/ai-harness.ts';
import { text, toolCalls } from '../mock-upstreams/index.ts';

let h: AiHarness;

beforeAll(async () => {
  h = await startAiHarness({
    providers: ({ openai, anthropic }) => ({
      oai: { type: 'openai', base_url: openai.url, keys: ['sk-tr-a'] },
      claude: { type: 'anthropic', base_url: anthropic.url, keys: ['ak-tr-1'] },
    }),
    models: {
      'claude-sonnet': { aliases: ['sonnet'], max_output_tokens: 16000, providers: { claude: 'claude-sonnet-4-5' } },
      'glm': { max_output_tokens: 4096, providers: { oai: 'glm-4.6' } },
    },
  });
});

afterAll(() => h.close());

beforeEach(() => {
  h.openaiMock.reset();
  h.anthropicMock.reset();
});

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('OpenAI client → Anthropic provider', () => {
  it('translates a text completion and sends max_tokens from the catalogue', async () => {
    h.anthropicMock.setScript(text('Hello from Claude', { usage: { input: 20, output: 4, cacheRead: 10 } }));
    const completion = await h.openai().chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }],
    });
    expect(completion.model).toBe('sonnet');
    expect(completion.choices[0]?.message.content).toBe('Hello from Claude');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 10 } });
    const upstream = h.anthropicMock.requests[0];
    expect(upstream?.path).toBe('/v1/messages');
    expect(upstream?.body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 16000, system: [{ type: 'text', text: 'be brief' }] });
    expect(upstream?.headers['x-api-key']).toBe('ak-tr-1');
    expect(upstream?.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('streams a tool call with every argument fragment and reports dropped parameters', async () => {
    h.anthropicMock.setScript(toolCalls([{ name: 'get_weather', arguments: ['{"ci', 'ty":"Par', 'is"}'] }]));
    const { data: stream, response } = await h.openai().chat.completions
      .create({ model: 'sonnet', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool], stream: true, seed: 7 })
      .withResponse();
    expect(response.headers.get('x-louai-dropped-params')).toBe('seed');
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse(calls.map((c) => c.function?.arguments ?? '').join(''))).toEqual({ city: 'Paris' });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });
});

describe('OpenAI client → Anthropic provider, the other halves', () => {
  it('streams text with the usage chunk the client asked for', async () => {
    h.anthropicMock.setScript(text(['Bon', 'jour'], { usage: { input: 8, output: 2, cacheCreation: 2 } }));
    const stream = await h.openai().chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Bonjour');
    expect(chunks.every((c) => c.model === 'sonnet')).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 2 } });
    expect(h.anthropicMock.requests[0]?.body).toMatchObject({ stream: true, max_tokens: 16000 });
  });

  it('carries a tool call and its result across a non-streaming round trip', async () => {
    h.anthropicMock.setScript(toolCalls([{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Rome"}' }]));
    const first = await h.openai().chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ id: 'toolu_1', type: 'function', function: { name: 'get_weather' } });
    h.anthropicMock.setScript(text('Sunny in Rome'));
    const second = await h.openai().chat.completions.create({
      model: 'sonnet',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: first.choices[0]?.message.tool_calls ?? [] },
        { role: 'tool', tool_call_id: 'toolu_1', content: '25C' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('Sunny in Rome');
    const messages = (h.anthropicMock.requests[1]?.body as { messages: unknown[] }).messages;
    expect(messages[1]).toMatchObject({ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Rome' } }] });
    expect(messages[2]).toMatchObject({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '25C' }] });
  });
});

describe('Anthropic client → OpenAI-compatible provider', () => {
  it('streams a tool call whose first argument fragment rides with the name', async () => {
    h.openaiMock.setScript(toolCalls([{ name: 'get_weather', arguments: ['{"city":', '"Lima"}'], firstFragmentWithName: true }]));
    const stream = h.anthropic().messages.stream({
      model: 'glm',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'weather in Lima?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    });
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'Lima' } });
  });

  it('translates a tool-using turn and its tool result, non-streaming', async () => {
    h.openaiMock.setScript(toolCalls([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }]));
    const first = await h.anthropic().messages.create({
      model: 'glm',
      max_tokens: 8000,
      messages: [{ role: 'user', content: 'weather in Oslo?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const toolUse = first.content.find((b) => b.type === 'tool_use');
    expect(toolUse).toMatchObject({ id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } });
    // The client's 8000 is clamped to the model's 4096 limit.
    expect(h.openaiMock.requests[0]?.body).toMatchObject({ model: 'glm-4.6', max_tokens: 4096 });

    h.openaiMock.setScript(text('It is sunny'));
    const second = await h.anthropic().messages.create({
      model: 'glm',
      max_tokens: 1000,
      messages: [
        { role: 'user', content: 'weather in Oslo?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'sunny, 20C' }] },
      ],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    });
    expect(second.content).toMatchObject([{ type: 'text', text: 'It is sunny' }]);
    const messages = (h.openaiMock.requests[1]?.body as { messages: unknown[] }).messages;
    expect(messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_1', content: 'sunny, 20C' });
  });

  it('streams text as Claude Code receives it, with usage requested upstream', async () => {
    h.openaiMock.setScript(text(['Hel', 'lo', '!'], { usage: { input: 12, output: 3 } }));
    const stream = h.anthropic().messages.stream(
      { model: 'glm', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }], thinking: { type: 'adaptive' } as never },
      { query: { beta: 'true' } },
    );
    const message = await stream.finalMessage();
    expect(message.content).toMatchObject([{ type: 'text', text: 'Hello!' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 3 });
    expect(h.openaiMock.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(h.openaiMock.requests[0]?.headers['authorization']).toBe('Bearer sk-tr-a');
  });

  it('answers count_tokens locally when the model has no Anthropic provider', async () => {
    const count = await h.anthropic().messages.countTokens({ model: 'glm', messages: [{ role: 'user', content: 'x'.repeat(40) }] });
    expect(count.input_tokens).toBe(10);
    expect(h.openaiMock.requests).toHaveLength(0);
  });
});

describe('endpoints every client probes', () => {
  it('lists the models to both SDKs', async () => {
    const openaiIds: string[] = [];
    for await (const model of h.openai().models.list()) openaiIds.push(model.id);
    const anthropicIds: string[] = [];
    for await (const model of h.anthropic().models.list()) anthropicIds.push(model.id);
    expect(openaiIds).toEqual(['claude-sonnet', 'glm']);
    expect(anthropicIds).toEqual(['claude-sonnet', 'glm']);
  });

  it('answers HEAD probes with 200 on any AI path', async () => {
    for (const path of ['/', '/messages', '/chat/completions']) {
      const response = await fetch(`${h.baseUrl}${path}`, { method: 'HEAD' });
      expect(response.status).toBe(200);
    }
    expect(h.openaiMock.requests).toHaveLength(0);
  });

  it('answers an unknown model with a 404 in each client dialect', async () => {
    const openaiError = await h.openai().chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(openaiError).toBeInstanceOf(NotFoundError);
    expect((openaiError as NotFoundError).code).toBe('model_not_found');
    const anthropicError = await h.anthropic().messages.create({ model: 'gpt-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(anthropicError).toBeInstanceOf(AnthropicNotFoundError);
    expect((anthropicError as AnthropicNotFoundError).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect(JSON.stringify((anthropicError as AnthropicNotFoundError).error)).not.toMatch(/claude-sonnet-4-5|glm-4\.6|sk-|ak-/);
  });
});
