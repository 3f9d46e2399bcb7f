/**
 * Failover, key cooldown and mid-stream failures through louailink, observed at the mock upstreams'
 * request logs and through the SDKs' typed errors. Each test starts its own gateway with its own key
 * strings, because key cooldowns live in the process-wide store.
 */
import { APIError as AnthropicAPIError, RateLimitError as AnthropicRateLimitError } from '@anthropic-ai/sdk';
import { APIError, InternalServerError, RateLimitError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startAiHarness, type AiHarness, type AiHarnessOptions } from '../helpers/ai-harness.ts';
import { freePort } from '../helpers/ports.ts';
import {
  overloaded,
  rateLimited,
  resetConnection,
  serverError,
  slowFirstByte,
  text,
  truncateStream,
  unauthorized,
} from '../mock-upstreams/index.ts';

let h: AiHarness | undefined;
let run = 0;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Model `dual`: the OpenAI-compatible provider first (default), the Anthropic one second. */
async function dual(overrides: Partial<AiHarnessOptions> = {}, openaiKeys?: string[]): Promise<AiHarness> {
  run++;
  h = await startAiHarness({
    providers: ({ openai, anthropic }) => ({
      oai: { type: 'openai', base_url: openai.url, keys: openaiKeys ?? [`sk-fo-${run}`] },
      claude: { type: 'anthropic', base_url: anthropic.url, keys: [`ak-fo-${run}`] },
    }),
    models: {
      dual: { default_provider: 'oai', providers: { oai: 'gpt-4o-mini', claude: 'claude-sonnet-4-5' } },
      'claude-only': { providers: { claude: 'claude-sonnet-4-5' } },
      'oai-only': { providers: { oai: 'gpt-4o-mini' } },
    },
    ...overrides,
  });
  return h;
}

const ask = (gateway: AiHarness, model = 'dual') =>
  gateway.openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('failover before the first byte', () => {
  it('moves to the next provider on a 5xx', async () => {
    const g = await dual();
    g.openaiMock.setScript(serverError(502), { times: 1 });
    g.anthropicMock.setScript(text('from claude'));
    const completion = await ask(g);
    expect(completion.choices[0]?.message.content).toBe('from claude');
    expect(g.openaiMock.requests).toHaveLength(1);
    expect(g.anthropicMock.requests).toHaveLength(1);
  });

  it('moves to the next provider when the first refuses connections', async () => {
    const closedPort = await freePort();
    run++;
    h = await startAiHarness({
      providers: ({ anthropic }) => ({
        dead: { type: 'openai', base_url: `http://127.0.0.1:${closedPort}/v1`, keys: [`sk-dead-${run}`] },
        claude: { type: 'anthropic', base_url: anthropic.url, keys: [`ak-dead-${run}`] },
      }),
      models: { dual: { default_provider: 'dead', providers: { dead: 'x', claude: 'claude-sonnet-4-5' } } },
    });
    h.anthropicMock.setScript(text('still here'));
    expect((await ask(h)).choices[0]?.message.content).toBe('still here');
  });

  it.each([
    { kind: 'stream', timeouts: { response_header: '200ms' }, isStream: true },
    { kind: 'non-streaming answer', timeouts: { total: '200ms' }, isStream: false },
  ])('moves to the next provider when the first is too slow for a $kind', async ({ timeouts, isStream }) => {
    run++;
    h = await startAiHarness({
      providers: ({ openai, anthropic }) => ({
        oai: { type: 'openai', base_url: openai.url, keys: [`sk-slow-${run}`], timeouts },
        claude: { type: 'anthropic', base_url: anthropic.url, keys: [`ak-slow-${run}`] },
      }),
      models: { dual: { default_provider: 'oai', providers: { oai: 'gpt-4o-mini', claude: 'claude-sonnet-4-5' } } },
    });
    h.openaiMock.setScript(slowFirstByte(3000), { times: 1 });
    h.anthropicMock.setScript(text('fast one'));
    const started = performance.now();
    const client = h.openai();
    if (isStream) {
      const stream = await client.chat.completions.create({ model: 'dual', messages: [{ role: 'user', content: 'hi' }], stream: true });
      let answer = '';
      for await (const chunk of stream) answer += chunk.choices[0]?.delta.content ?? '';
      expect(answer).toBe('fast one');
    } else {
      expect((await ask(h)).choices[0]?.message.content).toBe('fast one');
    }
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('cools a rate-limited key so the next request skips its provider', async () => {
    const g = await dual();
    g.openaiMock.setScript(rateLimited(60));
    g.anthropicMock.setScript(text('claude answers'));
    await ask(g);
    await ask(g);
    expect(g.openaiMock.requests).toHaveLength(1);
    expect(g.anthropicMock.requests).toHaveLength(2);
  });

  it('waits out a short Retry-After when no other target is left', async () => {
    const g = await dual();
    g.openaiMock.enqueue([{ fault: { type: 'error', status: 429, retryAfter: '0.2' } }, text('after the wait')]);
    const started = performance.now();
    expect((await ask(g, 'oai-only')).choices[0]?.message.content).toBe('after the wait');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(g.openaiMock.requests).toHaveLength(2);
  });
});

describe('key rotation', () => {
  it('skips a key that got a 401 on the next request, observed at the upstream', async () => {
    const keys = [`sk-rot-${run}-1`, `sk-rot-${run}-2`];
    const g = await dual({}, keys);
    g.openaiMock.setScript(unauthorized(), { key: keys[0] });
    g.openaiMock.setScript(text('ok'));
    expect((await ask(g, 'oai-only')).choices[0]?.message.content).toBe('ok');
    expect((await ask(g, 'oai-only')).choices[0]?.message.content).toBe('ok');
    expect(g.openaiMock.requests.map((r) => r.key)).toEqual([keys[0], keys[1], keys[1]]);
  });

  it('names the provider and key id, never the key, with expose_selection', async () => {
    const g = await dual({ ai: { expose_selection: true } });
    const { response } = await ask(g).withResponse();
    expect(response.headers.get('x-louai-provider')).toBe('oai');
    expect(response.headers.get('x-louai-key-id')).toMatch(/^oai:[0-9a-f]{8}$/);
    expect([...response.headers.values()].join(' ')).not.toContain('sk-fo-');
  });
});

describe('errors in the client dialect when every target failed', () => {
  it('raises RateLimitError with the upstream Retry-After for an OpenAI client of an Anthropic upstream', async () => {
    const g = await dual();
    g.anthropicMock.setScript(rateLimited(30));
    const error = await ask(g, 'claude-only').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).headers.get('retry-after')).toBe('30');
  });

  it('raises the Anthropic SDK RateLimitError for an OpenAI-compatible upstream 429', async () => {
    const g = await dual();
    g.openaiMock.setScript(rateLimited(45));
    const error = await g.anthropic().messages.create({ model: 'oai-only', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnthropicRateLimitError);
    expect((error as AnthropicRateLimitError).headers.get('retry-after')).toBe('45');
    expect((error as AnthropicRateLimitError).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('answers 503 with the time until a key is usable when every key of the model cools down', async () => {
    const g = await dual();
    g.openaiMock.setScript(unauthorized());
    const first = await ask(g, 'oai-only').catch((e: unknown) => e);
    // The provider refused the gateway's key: not the client's 401.
    expect(first).toBeInstanceOf(InternalServerError);
    expect((first as InternalServerError).status).toBe(502);
    const error = await ask(g, 'oai-only').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(503);
    expect(Number((error as InternalServerError).headers.get('retry-after'))).toBeGreaterThan(590);
    expect(g.openaiMock.requests).toHaveLength(1);
  });

  it('turns an Anthropic 529 into a 503 for an OpenAI client', async () => {
    const g = await dual();
    g.anthropicMock.setScript(overloaded());
    const error = await ask(g, 'claude-only').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(503);
  });
});

describe('failures after the first byte', () => {
  it('ends a passthrough stream cut by a reset with an error event, never a clean end', async () => {
    const g = await dual();
    g.openaiMock.setScript({ ...resetConnection(2), reply: { text: ['one', ' two', ' three', ' four'] } });
    const stream = await g.openai().chat.completions.create({ model: 'oai-only', messages: [{ role: 'user', content: 'x' }], stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(seen.length).toBeGreaterThan(0);
    expect(g.anthropicMock.requests).toHaveLength(0);
  });

  it('ends a translated stream cut short with an Anthropic error event', async () => {
    const g = await dual();
    g.openaiMock.setScript({ ...truncateStream(2), reply: { text: ['one', ' two', ' three'] } });
    const stream = g.anthropic().messages.stream({ model: 'oai-only', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] });
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnthropicAPIError);
  });
});
