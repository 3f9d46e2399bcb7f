/**
 * The one internal usage shape (ai-gateways.md §2.3). It has OpenAI's meaning: `promptTokens` counts
 * every input token, cached ones included; the cache-read and cache-write shares are broken out so cost
 * can price them separately: cost = (prompt − cacheRead − cacheCreation)·p_in + cacheRead·p_read +
 * cacheCreation·p_write + completion·p_out. Anthropic counts the three input shares disjointly, so the
 * conversions add them up on the way in and subtract them on the way out.
 */
import type { AnthropicUsageIn, AnthropicUsageOut, OpenAiUsageIn, OpenAiUsageOut } from './wire-types.ts';

export interface TokenUsage {
  /** All input tokens, cache reads and cache writes included. */
  readonly promptTokens: number;
  /** All output tokens, reasoning included. */
  readonly completionTokens: number;
  /** Input tokens served from the prompt cache (part of promptTokens). */
  readonly cacheReadTokens: number;
  /** Input tokens written to the prompt cache (part of promptTokens). */
  readonly cacheCreationTokens: number;
  /** Reasoning share of completionTokens when the upstream reports it. */
  readonly reasoningTokens: number;
}

export const ZERO_USAGE: TokenUsage = { promptTokens: 0, completionTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0 };

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** Anthropic `usage` (message, message_start or a complete message_delta) → internal. */
export function usageFromAnthropic(usage: AnthropicUsageIn | null | undefined): TokenUsage {
  if (usage === null || usage === undefined) return ZERO_USAGE;
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheCreation = count(usage.cache_creation_input_tokens);
  const details = (usage as { output_tokens_details?: { thinking_tokens?: unknown } | null }).output_tokens_details;
  return {
    promptTokens: count(usage.input_tokens) + cacheRead + cacheCreation,
    completionTokens: count(usage.output_tokens),
    cacheReadTokens: cacheRead,
    cacheCreationTokens: cacheCreation,
    reasoningTokens: count(details?.thinking_tokens),
  };
}

/**
 * Applies a streamed Anthropic usage update. Anthropic's `message_delta` usage is cumulative and its
 * input fields may be null: a present value replaces the one from `message_start`, it is never added.
 */
export function mergeAnthropicUsage(current: TokenUsage, update: AnthropicUsageIn | null | undefined): TokenUsage {
  if (update === null || update === undefined) return current;
  const present = (value: unknown): value is number => typeof value === 'number';
  const cacheRead = present(update.cache_read_input_tokens) ? count(update.cache_read_input_tokens) : current.cacheReadTokens;
  const cacheCreation = present(update.cache_creation_input_tokens) ? count(update.cache_creation_input_tokens) : current.cacheCreationTokens;
  const input = present(update.input_tokens)
    ? count(update.input_tokens)
    : Math.max(current.promptTokens - current.cacheReadTokens - current.cacheCreationTokens, 0);
  const details = (update as { output_tokens_details?: { thinking_tokens?: unknown } | null }).output_tokens_details;
  return {
    promptTokens: input + cacheRead + cacheCreation,
    completionTokens: present(update.output_tokens) ? count(update.output_tokens) : current.completionTokens,
    cacheReadTokens: cacheRead,
    cacheCreationTokens: cacheCreation,
    reasoningTokens: details?.thinking_tokens === undefined ? current.reasoningTokens : count(details.thinking_tokens),
  };
}

/** OpenAI-compatible `usage` → internal; reads the cache fields of OpenAI, LiteLLM-style gateways and DeepSeek. */
export function usageFromOpenAi(usage: OpenAiUsageIn | null | undefined): TokenUsage {
  if (usage === null || usage === undefined) return ZERO_USAGE;
  const details = usage.prompt_tokens_details;
  const cacheRead = count(details?.cached_tokens ?? usage.cache_read_input_tokens ?? usage.prompt_cache_hit_tokens);
  const cacheCreation = count(details?.cache_creation_tokens ?? details?.cache_write_tokens ?? usage.cache_creation_input_tokens);
  return {
    promptTokens: count(usage.prompt_tokens),
    completionTokens: count(usage.completion_tokens),
    cacheReadTokens: cacheRead,
    cacheCreationTokens: cacheCreation,
    reasoningTokens: count(usage.completion_tokens_details?.reasoning_tokens),
  };
}

/** Internal → OpenAI `usage`, with the cache shares also as top-level fields (LiteLLM, Portkey) for cost. */
export function toOpenAiUsage(usage: TokenUsage): OpenAiUsageOut {
  const out: OpenAiUsageOut = {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens },
    cache_creation_input_tokens: usage.cacheCreationTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
  };
  if (usage.reasoningTokens > 0) out.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return out;
}

/** Internal → Anthropic `usage`: input_tokens is the uncached share only (never below zero). */
export function toAnthropicUsage(usage: TokenUsage): AnthropicUsageOut {
  return {
    input_tokens: Math.max(usage.promptTokens - usage.cacheReadTokens - usage.cacheCreationTokens, 0),
    output_tokens: usage.completionTokens,
    cache_creation_input_tokens: usage.cacheCreationTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
  };
}
