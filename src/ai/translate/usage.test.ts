import { describe, expect, it } from 'vitest';
import { mergeAnthropicUsage, toAnthropicUsage, toOpenAiUsage, usageFromAnthropic, usageFromOpenAi } from './usage.ts';

describe('usage', () => {
  it('adds Anthropic cache reads and writes into prompt tokens (OpenAI meaning) and breaks them out', () => {
    expect(usageFromAnthropic({ input_tokens: 10, cache_read_input_tokens: 3, cache_creation_input_tokens: 5, output_tokens: 12 }))
      .toEqual({ promptTokens: 18, completionTokens: 12, cacheReadTokens: 3, cacheCreationTokens: 5, reasoningTokens: 0 });
  });

  it('gives OpenAI clients totals that add up, cached tokens included once', () => {
    const usage = toOpenAiUsage(usageFromAnthropic({ input_tokens: 10, cache_read_input_tokens: 3, cache_creation_input_tokens: 0, output_tokens: 12 }));
    expect(usage.prompt_tokens).toBe(13);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.prompt_tokens_details?.cached_tokens).toBe(3);
  });

  it('gives Anthropic clients only the uncached share as input_tokens, never below zero', () => {
    expect(toAnthropicUsage(usageFromOpenAi({ prompt_tokens: 100, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 60, cache_write_tokens: 30 } })))
      .toEqual({ input_tokens: 10, output_tokens: 7, cache_creation_input_tokens: 30, cache_read_input_tokens: 60 });
    expect(toAnthropicUsage({ promptTokens: 5, completionTokens: 0, cacheReadTokens: 9, cacheCreationTokens: 0, reasoningTokens: 0 }).input_tokens).toBe(0);
  });

  it('round-trips Anthropic usage through the internal shape', () => {
    const wire = { input_tokens: 25, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000, output_tokens: 15 };
    expect(toAnthropicUsage(usageFromAnthropic(wire))).toEqual(wire);
  });

  it('reads cache fields of LiteLLM-style gateways and DeepSeek', () => {
    expect(usageFromOpenAi({ prompt_tokens: 50, completion_tokens: 1, cache_read_input_tokens: 20, cache_creation_input_tokens: 4 }))
      .toMatchObject({ cacheReadTokens: 20, cacheCreationTokens: 4 });
    expect(usageFromOpenAi({ prompt_tokens: 50, completion_tokens: 1, prompt_cache_hit_tokens: 32 })).toMatchObject({ cacheReadTokens: 32 });
  });

  it('overwrites streamed Anthropic usage with the cumulative message_delta values instead of adding', () => {
    const start = usageFromAnthropic({ input_tokens: 25, cache_read_input_tokens: 2000, cache_creation_input_tokens: 100, output_tokens: 1 });
    const afterDelta = mergeAnthropicUsage(start, { output_tokens: 15 });
    expect(afterDelta).toEqual({ promptTokens: 2125, completionTokens: 15, cacheReadTokens: 2000, cacheCreationTokens: 100, reasoningTokens: 0 });
    const repeated = mergeAnthropicUsage(afterDelta, { input_tokens: 25, cache_read_input_tokens: 2000, cache_creation_input_tokens: 100, output_tokens: 15 });
    expect(repeated).toEqual(afterDelta);
  });

  it('treats missing or null usage as zero', () => {
    expect(usageFromOpenAi(null)).toEqual({ promptTokens: 0, completionTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0 });
    expect(usageFromAnthropic({ input_tokens: null, output_tokens: 2 }).promptTokens).toBe(0);
  });
});
