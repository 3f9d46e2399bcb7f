/**
 * Provider and location options end to end: the azure-openai provider's URL and header, extra provider
 * headers, `allow_providers`, `strict`, and count_tokens falling back to the local estimate.
 */
import { BadRequestError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startAiHarness, type AiHarness } from '../helpers/ai-harness.ts';
import { serverError, text } from '../mock-upstreams/index.ts';

let h: AiHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('provider types and options', () => {
  it('calls an azure-openai deployment with api-version and the api-key header, plus extra headers', async () => {
    h = await startAiHarness({
      providers: ({ openai }) => ({
        azure: {
          type: 'azure-openai',
          base_url: openai.url.replace(/\/v1$/, ''),
          api_version: '2024-10-21',
          keys: ['az-key-1'],
          headers: { 'X-Team': 'search' },
        },
      }),
      models: { 'gpt-4o': { providers: { azure: 'my-gpt4o-deployment' } } },
    });
    h.openaiMock.setScript(text('from azure'));
    const completion = await h.openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('from azure');
    const [upstream] = h.openaiMock.requests;
    expect(upstream?.path).toBe('/openai/deployments/my-gpt4o-deployment/chat/completions');
    expect(upstream?.query).toEqual({ 'api-version': '2024-10-21' });
    expect(upstream?.headers['api-key']).toBe('az-key-1');
    expect(upstream?.headers['authorization']).toBeUndefined();
    expect(upstream?.headers['x-team']).toBe('search');
  });

  it('keeps a location to its allow_providers, even past the default provider', async () => {
    h = await startAiHarness({
      ai: { allow_providers: ['claude'] },
      providers: ({ openai, anthropic }) => ({
        oai: { type: 'openai', base_url: openai.url, keys: ['sk-allow'] },
        claude: { type: 'anthropic', base_url: anthropic.url, keys: ['ak-allow'] },
      }),
      models: { dual: { default_provider: 'oai', providers: { oai: 'gpt-4o-mini', claude: 'claude-sonnet-4-5' } } },
    });
    await h.openai().chat.completions.create({ model: 'dual', messages: [{ role: 'user', content: 'hi' }] });
    expect(h.openaiMock.requests).toHaveLength(0);
    expect(h.anthropicMock.requests).toHaveLength(1);
  });

  it('rejects a parameter the translation would drop in strict mode, naming it', async () => {
    h = await startAiHarness({
      ai: { strict: true },
      providers: ({ anthropic }) => ({ claude: { type: 'anthropic', base_url: anthropic.url, keys: ['ak-strict'] } }),
      models: { sonnet: { providers: { claude: 'claude-sonnet-4-5' } } },
    });
    const error = await h
      .openai()
      .chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }], logit_bias: { '50256': -100 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain('logit_bias');
    expect(h.anthropicMock.requests).toHaveLength(0);
  });

  it('serves Anthropic clients from the built-in mock provider, streamed and not', async () => {
    h = await startAiHarness({
      providers: () => ({ mock: { type: 'mock', chunk_delay: '0ms', reply: 'offline answer here' } }),
      models: { 'mock-model': { aliases: ['claude-opus-4-8'], providers: { mock: 'm' } } },
    });
    const message = await h.anthropic().messages.create({ model: 'claude-opus-4-8', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    expect(message).toMatchObject({ model: 'claude-opus-4-8', stop_reason: 'end_turn', content: [{ type: 'text', text: 'offline answer here' }] });
    const streamed = await h.anthropic().messages.stream({ model: 'mock-model', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(streamed.content).toMatchObject([{ type: 'text', text: 'offline answer here' }]);
    expect(streamed.usage.output_tokens).toBeGreaterThan(0);
  });

  it('answers count_tokens with the local estimate when the Anthropic upstream fails', async () => {
    h = await startAiHarness({
      providers: ({ anthropic }) => ({ claude: { type: 'anthropic', base_url: anthropic.url, keys: ['ak-count'] } }),
      models: { sonnet: { providers: { claude: 'claude-sonnet-4-5' } } },
    });
    h.anthropicMock.setScript(serverError(500));
    const count = await h.anthropic().messages.countTokens({ model: 'sonnet', messages: [{ role: 'user', content: 'y'.repeat(80) }] });
    expect(count.input_tokens).toBe(20);
    expect(h.anthropicMock.requests.length).toBeGreaterThan(0);
  });
});
