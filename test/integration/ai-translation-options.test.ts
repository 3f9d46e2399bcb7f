/**
 * The translation options of providers and model targets, end to end with the Anthropic SDK (as Claude Code
 * uses it) in front of an OpenAI-compatible upstream: where thinking settings go, folded system messages,
 * cache breakpoints and reasoning replay, the output-token limits (configured, and stated by the upstream),
 * and the input-token estimate in `message_start`.
 */
import { BadRequestError } from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAiHarness, type AiHarness } from '../helpers/ai-harness.ts';
import { text, type RecordedRequest } from '../mock-upstreams/index.ts';

/** What Claude Code 2.1.197 sends about thinking (ai-gateways.md appendix). */
const CLAUDE_CODE_THINKING = { thinking: { type: 'adaptive' }, output_config: { effort: 'high' } } as const;
const DEEPSEEK_LIMIT = 'Invalid max_tokens value, the valid range of max_tokens is [1, 8192]';

/** The SDK refuses a non-streaming max_tokens of 64000 without an explicit timeout. */
const LONG = { timeout: 30_000 };

function ask(model: string, extra: Record<string, unknown> = {}): MessageCreateParamsNonStreaming {
  return { model, max_tokens: 64000, messages: [{ role: 'user', content: 'hi' }], ...extra } as MessageCreateParamsNonStreaming;
}

function lastUpstream(h: AiHarness): RecordedRequest | undefined {
  return h.openaiMock.requests.at(-1);
}

describe('translation options of providers and model targets', () => {
  let h: AiHarness;

  beforeAll(async () => {
    h = await startAiHarness({
      providers: ({ openai }) => ({
        openai: { type: 'openai', base_url: openai.url, keys: ['sk-opt-a'] },
        vllm: { type: 'openai', base_url: openai.url, keys: ['sk-opt-vllm'], system_messages: 'fold', max_output_tokens: 8192 },
        openrouter: { type: 'openai', base_url: openai.url, keys: ['sk-opt-or'], cache_control: true, reasoning: { param: 'reasoning', replay_content: true } },
        deepseek: { type: 'openai', base_url: openai.url, keys: ['sk-opt-ds'] },
      }),
      models: {
        o3: { providers: { openai: { model: 'o3', reasoning: { param: 'reasoning_effort' }, max_tokens_param: 'max_completion_tokens' } } },
        'gpt-4o': { providers: { openai: 'gpt-4o' } },
        qwen: { providers: { vllm: 'qwen3-coder' } },
        'or-claude': { providers: { openrouter: 'anthropic/claude-sonnet-4.5' } },
        'deepseek-chat': { providers: { deepseek: 'deepseek-chat' } },
        'deepseek-capped': { max_output_tokens: 16000, providers: { deepseek: 'deepseek-chat' } },
      },
    });
  });

  afterAll(() => h.close());

  beforeEach(() => h.openaiMock.reset());

  it("sends Claude Code's thinking and effort as reasoning_effort to a model configured for it, with max_completion_tokens", async () => {
    const { response } = await h.anthropic().messages.create(ask('o3', CLAUDE_CODE_THINKING), LONG).withResponse();
    expect(lastUpstream(h)?.body).toMatchObject({ model: 'o3', reasoning_effort: 'high', max_completion_tokens: 64000 });
    expect(lastUpstream(h)?.body).not.toHaveProperty('max_tokens');
    expect(response.headers.get('x-louai-dropped-params')).toBeNull();
  });

  it("drops them for the provider's other models and lists them in x-louai-dropped-params", async () => {
    const { response } = await h.anthropic().messages.create(ask('gpt-4o', CLAUDE_CODE_THINKING), LONG).withResponse();
    expect(lastUpstream(h)?.body).not.toHaveProperty('reasoning_effort');
    expect(response.headers.get('x-louai-dropped-params')).toBe('thinking,output_config.effort');
  });

  it('folds a mid-conversation system message into the user turn and clamps max_tokens to the provider limit', async () => {
    const { response } = await h.anthropic().messages.create(ask('qwen', {
      system: 'You are a coder.',
      messages: [{ role: 'user', content: 'Create hello.txt' }, { role: 'system', content: 'Available agents: none.' }],
    }), LONG).withResponse();
    expect(lastUpstream(h)?.body).toMatchObject({
      max_tokens: 8192,
      messages: [{ role: 'system', content: 'You are a coder.' }, { role: 'user', content: 'Create hello.txt\n\nAvailable agents: none.' }],
    });
    expect(response.headers.get('x-louai-dropped-params')).toBe('max_tokens');
  });

  it('keeps cache breakpoints, replays thinking and sends OpenRouter reasoning for a provider configured so', async () => {
    await h.anthropic().messages.create(ask('or-claude', {
      thinking: { type: 'enabled', budget_tokens: 3000 },
      system: [{ type: 'text', text: 'Prompt.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'Q1' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'Let me think.', signature: '' }, { type: 'text', text: 'A1' }] },
        { role: 'user', content: 'Q2' },
      ],
    }), LONG);
    expect(lastUpstream(h)?.body).toMatchObject({
      reasoning: { max_tokens: 3000 },
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Prompt.', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: 'Q1' },
        { role: 'assistant', content: 'A1', reasoning_content: 'Let me think.' },
        { role: 'user', content: 'Q2' },
      ],
    });
  });

  it('announces an input-token estimate in message_start and the upstream usage at the end', async () => {
    h.openaiMock.setScript(text('ok', { usage: { input: 321, output: 2 } }));
    const events = await h.anthropic().messages.create({ ...ask('gpt-4o'), stream: true });
    const inputs: number[] = [];
    for await (const event of events) {
      if (event.type === 'message_start') inputs.push(event.message.usage.input_tokens);
      if (event.type === 'message_delta') inputs.push(event.usage.input_tokens ?? -1);
    }
    const sent = lastUpstream(h)?.rawBody ?? '';
    expect(inputs).toEqual([Math.ceil(sent.length / 4), 321]);
    expect(inputs[0]).toBeGreaterThan(0);
  });

  it('remembers the output limit an upstream states and clamps later requests to it, also below a configured limit', async () => {
    h.openaiMock.respond((req) => ((req.body as { max_tokens?: number }).max_tokens ?? 0) > 8192
      ? { fault: { type: 'error', status: 400, message: DEEPSEEK_LIMIT } }
      : text('within the limit'));
    const { data: first, response: firstResponse } = await h.anthropic().messages.create(ask('deepseek-chat'), LONG).withResponse();
    expect(first.content).toEqual([{ type: 'text', text: 'within the limit' }]);
    expect(h.openaiMock.requests.map((r) => [(r.body as { max_tokens?: number }).max_tokens, r.status])).toEqual([[64000, 400], [8192, 200]]);
    expect(firstResponse.headers.get('x-louai-dropped-params')).toBe('max_tokens');
    for (const model of ['deepseek-chat', 'deepseek-capped']) {
      const { data, response } = await h.anthropic().messages.create(ask(model), LONG).withResponse();
      expect(data.content).toEqual([{ type: 'text', text: 'within the limit' }]);
      expect(lastUpstream(h)?.body).toMatchObject({ max_tokens: 8192 });
      expect(response.headers.get('x-louai-dropped-params')).toBe('max_tokens');
    }
  });
});

describe('translation options in strict mode', () => {
  let h: AiHarness;

  beforeAll(async () => {
    h = await startAiHarness({
      ai: { strict: true },
      providers: ({ openai }) => ({ openai: { type: 'openai', base_url: openai.url, keys: ['sk-opt-strict'] } }),
      models: { 'gpt-4o': { providers: { openai: 'gpt-4o' } }, o3: { providers: { openai: { model: 'o3', reasoning: { param: 'reasoning_effort' } } } } },
    });
  });

  afterAll(() => h.close());

  it('rejects thinking settings the upstream takes none of, before any upstream request', async () => {
    const err = await h.anthropic().messages.create(ask('gpt-4o', { thinking: { type: 'adaptive' } }), LONG).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(h.openaiMock.requests).toHaveLength(0);
  });

  it('passes them when the model takes reasoning_effort', async () => {
    await h.anthropic().messages.create(ask('o3', { thinking: { type: 'enabled', budget_tokens: 1024 } }), LONG);
    expect(h.openaiMock.requests.at(-1)?.body).toMatchObject({ reasoning_effort: 'low' });
  });
});
