/**
 * Wire shapes the translators read and write, taken type-only from the official SDKs and extended where
 * the SDK types and the wire differ:
 * - de-facto OpenAI-compatible extensions (DeepSeek, vLLM, OpenRouter, LiteLLM): `reasoning_content`,
 *   `reasoning`, `thinking_blocks`, cache-token fields of other vendors;
 * - the Anthropic objects the gateway *emits*: the documented minimal shape (the SDK marks fields such as
 *   `container` or `stop_details` required although the API omits them);
 * - request fields Claude Code sends that the SDK does not type (ai-gateways.md appendix).
 */
import type {
  MessageCreateParamsBase,
  RedactedThinkingBlockParam,
  SignatureDelta,
  StopReason,
  TextDelta,
  ThinkingBlockParam,
  ThinkingDelta,
  InputJSONDelta,
} from '@anthropic-ai/sdk/resources/messages';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessage,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';

export type { StopReason };

/** Thinking history as LiteLLM exposes it to OpenAI clients, replayed byte for byte to Claude. */
export type ThinkingBlockOut = ThinkingBlockParam | RedactedThinkingBlockParam;

/** OpenAI usage as OpenAI-compatible vendors send it. */
export interface OpenAiUsageIn extends Partial<Omit<CompletionUsage, 'prompt_tokens_details'>> {
  prompt_tokens_details?: (CompletionUsage.PromptTokensDetails & { cache_creation_tokens?: number }) | null;
  /** LiteLLM / Portkey style top-level cache fields. */
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  /** DeepSeek. */
  prompt_cache_hit_tokens?: number | null;
}

/** The usage object the gateway sends to OpenAI clients: OpenAI's meaning, cache fields kept for cost. */
export interface OpenAiUsageOut extends CompletionUsage {
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** A `chat.completion` message with the reasoning extensions. */
export interface OpenAiMessageOut extends ChatCompletionMessage {
  reasoning_content?: string;
  thinking_blocks?: ThinkingBlockOut[];
}

export interface OpenAiCompletionOut extends Omit<ChatCompletion, 'choices' | 'usage'> {
  choices: Array<Omit<ChatCompletion.Choice, 'message'> & { message: OpenAiMessageOut }>;
  usage: OpenAiUsageOut;
}

export type OpenAiDeltaOut = ChatCompletionChunk.Choice.Delta & {
  reasoning_content?: string;
  thinking_blocks?: ThinkingBlockOut[];
};

export interface OpenAiChunkOut extends Omit<ChatCompletionChunk, 'choices' | 'usage'> {
  choices: Array<Omit<ChatCompletionChunk.Choice, 'delta'> & { delta: OpenAiDeltaOut }>;
  usage?: OpenAiUsageOut;
}

/** What an OpenAI-compatible upstream may put in a message or delta besides the SDK fields. */
export interface ReasoningExtensions {
  reasoning_content?: string | null;
  /** OpenRouter. */
  reasoning?: string | null;
}

export type OpenAiUpstreamCompletion = Omit<ChatCompletion, 'usage' | 'choices'> & {
  choices: Array<Omit<ChatCompletion.Choice, 'message'> & { message: ChatCompletionMessage & ReasoningExtensions }>;
  usage?: OpenAiUsageIn | null;
};

export type OpenAiUpstreamChunk = Omit<ChatCompletionChunk, 'usage' | 'choices'> & {
  choices: Array<Omit<ChatCompletionChunk.Choice, 'delta'> & { delta: ChatCompletionChunk.Choice.Delta & ReasoningExtensions }>;
  usage?: OpenAiUsageIn | null;
};

/** OpenAI error body: `{"error":{message,type,param,code}}`. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** The OpenAI stream terminator (`data: [DONE]`). */
export const DONE = '[DONE]';

/** One SSE `data:` payload for an OpenAI client: a chunk, an error, or the `[DONE]` terminator. */
export type OpenAiFrame = OpenAiChunkOut | OpenAiErrorBody | typeof DONE;

/** Anthropic error body: `{"type":"error","error":{type,message}}`. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/** Anthropic usage as the gateway emits it (cache fields always present so clients see caching exists). */
export interface AnthropicUsageOut {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** Anthropic usage as an upstream sends it: in `message_delta` every field may be null or absent. */
export interface AnthropicUsageIn {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export type AnthropicBlockOut =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

export interface AnthropicMessageOut {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicBlockOut[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsageOut;
}

/** The Anthropic SSE events the gateway emits; the SSE `event:` name is the object's `type`. */
export type AnthropicEventOut =
  | { type: 'message_start'; message: AnthropicMessageOut }
  | { type: 'content_block_start'; index: number; content_block: AnthropicBlockOut }
  | { type: 'content_block_delta'; index: number; delta: TextDelta | InputJSONDelta | ThinkingDelta | SignatureDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: StopReason | null; stop_sequence: string | null }; usage: AnthropicUsageOut }
  | { type: 'message_stop' }
  | AnthropicErrorBody;

/** The Anthropic request as Claude Code sends it: fields newer than or beside the SDK's types. */
export interface AnthropicRequestIn extends Omit<MessageCreateParamsBase, 'output_config' | 'stream'> {
  stream?: boolean | null;
  context_management?: unknown;
  output_config?: MessageCreateParamsBase['output_config'] & { format?: { type: 'json_schema'; schema: Record<string, unknown> } | null };
  /** Older structured-output beta. */
  output_format?: { type: 'json_schema'; schema: Record<string, unknown> } | null;
  top_k?: number | null;
  temperature?: number | null;
  top_p?: number | null;
}

/** The OpenAI request with the non-standard fields an OpenAI client may send through the gateway. */
export interface OpenAiRequestIn extends ChatCompletionCreateParamsBase {
  top_k?: number | null;
}

/** OpenRouter's reasoning switch (https://openrouter.ai/docs/use-cases/reasoning-tokens): one of effort, max_tokens or enabled. */
export interface OpenRouterReasoning {
  effort?: 'low' | 'medium' | 'high';
  max_tokens?: number;
  enabled?: boolean;
}

/** The OpenAI request the gateway sends; `reasoning` only to upstreams configured for it (OpenRouter). */
export interface OpenAiRequestOut extends ChatCompletionCreateParamsBase {
  reasoning?: OpenRouterReasoning;
}

/**
 * The Anthropic request the gateway sends. The SDK no longer types the sampling parameters, which the
 * API still accepts for the models that support them.
 */
export interface AnthropicRequestOut extends MessageCreateParamsBase {
  temperature?: number;
  top_p?: number;
  top_k?: number;
}
