/**
 * Anthropic Messages request (Claude Code, the Anthropic SDK) → OpenAI chat-completions request
 * (ai-gateways.md §2.2 and appendix). Streaming requests always ask for `stream_options.include_usage`,
 * or the upstream's streamed usage would be zero. Tool names over 64 characters are shortened through a
 * ToolNameMap that the response and stream translators use to restore them. Every parameter that is
 * dropped or changed is reported by name (or rejected in strict mode).
 */
import { createHash } from 'node:crypto';
import type {
  ChatCompletionFunctionTool,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import { isPresent, isRecord } from '../json-values.ts';
import { ParamReport } from '../param-report.ts';
import { ToolNameMap } from '../tool-names.ts';
import type { TranslatedRequest } from '../translator.ts';
import type { AnthropicRequestIn, OpenAiRequestOut } from '../wire-types.ts';
import { foldSystemMessages } from './fold-system-messages.ts';
import { convertMessages, requestToolNames } from './messages.ts';
import { applyReasoning, type ReasoningParam } from './reasoning.ts';

export interface AnthropicToOpenAiRequestOptions {
  /** The model name the upstream knows (after alias and provider map). */
  readonly upstreamModel: string;
  /** The model's maximum output tokens: the ceiling of `max_tokens`. */
  readonly maxOutputTokens: number;
  /** Reject dropped or clamped parameters instead of reporting them. */
  readonly strict: boolean;
  /** The upstream wants `max_completion_tokens` (OpenAI reasoning models) instead of `max_tokens`. */
  readonly useMaxCompletionTokens?: boolean;
  /** Where thinking settings go (reasoning.ts); default `none`: dropped and reported. */
  readonly reasoningParam?: ReasoningParam;
  /** The upstream wants earlier thinking back as `reasoning_content` (DeepSeek-style tool loops). */
  readonly replaysReasoningContent?: boolean;
  /** The upstream is Claude behind an OpenAI-compatible API (OpenRouter, LiteLLM): keep `cache_control` on parts. */
  readonly keepsCacheControl?: boolean;
  /** One leading system message, later ones merged into the adjacent user message (fold-system-messages.ts). */
  readonly foldsSystemMessages?: boolean;
}

export interface TranslatedAnthropicRequest extends TranslatedRequest<OpenAiRequestOut> {
  /** Restores shortened tool names in the upstream's answer. */
  readonly toolNames: ToolNameMap;
}

/** OpenAI accepts at most 4 stop strings. */
const MAX_STOP = 4;

/**
 * OpenAI's `user` (and its successor `safety_identifier`) takes at most 64 characters; Claude Code's
 * `metadata.user_id` is a ~150-character JSON string (device, account, session) that OpenAI answers with a 400.
 */
const MAX_USER_CHARS = 64;

/** The client's user id, or an opaque and stable stand-in of exactly 64 characters (its sha256) when it is longer. */
function upstreamUser(userId: string): string {
  return userId.length <= MAX_USER_CHARS ? userId : createHash('sha256').update(userId).digest('hex');
}

/** Fields mapped here; `cache_control` is a caching hint left out silently; anything else is reported. */
const HANDLED = new Set([
  'model', 'messages', 'system', 'max_tokens', 'stop_sequences', 'stream', 'temperature', 'top_p', 'top_k',
  'metadata', 'tools', 'tool_choice', 'thinking', 'output_config', 'output_format', 'cache_control',
]);

export function translateAnthropicRequest(body: AnthropicRequestIn, opts: AnthropicToOpenAiRequestOptions): TranslatedAnthropicRequest {
  const report = new ParamReport(opts.strict);
  for (const [key, value] of Object.entries(body)) {
    if (!HANDLED.has(key) && isPresent(value)) report.drop(key);
  }
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const toolNames = new ToolNameMap(requestToolNames(body.tools, body.tool_choice, messages));
  const convertOptions = { report, toolNames, isReplayingReasoning: opts.replaysReasoningContent === true, isKeepingCacheControl: opts.keepsCacheControl === true };
  const converted = convertMessages(body.system, messages, convertOptions);
  const out: OpenAiRequestOut = { model: opts.upstreamModel, messages: opts.foldsSystemMessages === true ? foldSystemMessages(converted) : converted };

  let maxTokens = typeof body.max_tokens === 'number' && body.max_tokens >= 1 ? Math.floor(body.max_tokens) : opts.maxOutputTokens;
  if (maxTokens > opts.maxOutputTokens) {
    report.clamp('max_tokens');
    maxTokens = opts.maxOutputTokens;
  }
  if (opts.useMaxCompletionTokens === true) out.max_completion_tokens = maxTokens;
  else out.max_tokens = maxTokens;

  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) {
    if (body.stop_sequences.length > MAX_STOP) report.clamp('stop_sequences');
    out.stop = body.stop_sequences.slice(0, MAX_STOP);
  }
  if (isPresent(body.temperature)) out.temperature = body.temperature;
  if (isPresent(body.top_p)) out.top_p = body.top_p;
  if (isPresent(body.top_k)) report.drop('top_k');

  if (isRecord(body.metadata)) {
    for (const [key, value] of Object.entries(body.metadata)) {
      if (key === 'user_id' && typeof value === 'string' && value !== '') out.user = upstreamUser(value);
      else if (isPresent(value)) report.drop(`metadata.${key}`);
    }
  }

  const tools = translateTools(body.tools, report, toolNames);
  if (tools.length > 0) {
    out.tools = tools;
    applyToolChoice(out, body.tool_choice, toolNames);
  }

  applyReasoning(out, body, opts.reasoningParam ?? 'none', report);
  const format = body.output_config?.format ?? body.output_format;
  if (isPresent(format) && format.type === 'json_schema') {
    out.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema } };
  }

  if (body.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return { body: out, dropped: report.names, toolNames };
}

function translateTools(tools: AnthropicRequestIn['tools'], report: ParamReport, toolNames: ToolNameMap): ChatCompletionFunctionTool[] {
  if (!Array.isArray(tools)) return [];
  const out: ChatCompletionFunctionTool[] = [];
  for (const tool of tools as unknown[]) {
    if (!isRecord(tool) || typeof tool.name !== 'string') continue;
    const isCustom = tool.type === undefined || tool.type === null || tool.type === 'custom';
    if (!isCustom || !isRecord(tool.input_schema)) {
      report.drop(`tools[].${String(tool.type)}`); // server tools (web_search_…, bash_…) run at Anthropic only
      continue;
    }
    // The schema is the parameters object as is: the Anthropic tool `type` is not part of it.
    const fn: ChatCompletionFunctionTool['function'] = { name: toolNames.toUpstream(tool.name), parameters: tool.input_schema };
    if (typeof tool.description === 'string') fn.description = tool.description;
    if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
    out.push({ type: 'function', function: fn });
  }
  return out;
}

function applyToolChoice(out: OpenAiRequestOut, choice: AnthropicRequestIn['tool_choice'], toolNames: ToolNameMap): void {
  if (!isPresent(choice)) return;
  let mapped: ChatCompletionToolChoiceOption;
  switch (choice.type) {
    case 'any': mapped = 'required'; break;
    case 'tool': mapped = { type: 'function', function: { name: toolNames.toUpstream(choice.name) } }; break;
    case 'none': mapped = 'none'; break;
    default: mapped = 'auto';
  }
  out.tool_choice = mapped;
  if (choice.type !== 'none' && choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
}
