/**
 * Anthropic `system` + `messages` → OpenAI `messages` (ai-gateways.md §2.2). A user turn's tool_result
 * blocks become one `tool` message each, placed before the rest of the turn (LiteLLM's order), their
 * images moved to the user message that follows (tool messages carry text only);
 * mid-conversation system messages (Claude Code's beta) stay where they are, as OpenAI allows; thinking
 * history is left out (an OpenAI-compatible upstream cannot verify Claude's signatures) unless the
 * upstream wants it back as `reasoning_content`; `cache_control` is a caching hint that OpenAI does not
 * have: it is left out silently, except for Claude-compatible upstreams (OpenRouter, LiteLLM in front of
 * Claude), which take it on content parts. Long tool names go through the request's ToolNameMap.
 * Claude Code's per-conversation attribution line is removed from system prompts (billing-header.ts).
 */
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionContentPart,
  ChatCompletionContentPartText,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { contentText } from '../../chat-request.ts';
import { isRecord } from '../json-values.ts';
import type { ParamReport } from '../param-report.ts';
import type { ToolNameMap } from '../tool-names.ts';
import { stripBillingHeader } from './billing-header.ts';

/** Text blocks of system prompts and tool results are joined with a newline. */
const JOIN = '\n';

export interface ConvertOptions {
  readonly report: ParamReport;
  readonly toolNames: ToolNameMap;
  /** Send thinking history as `reasoning_content` (DeepSeek-style thinking with tool calls) instead of leaving it out. */
  readonly isReplayingReasoning: boolean;
  /** Keep `cache_control` on content parts (Claude-compatible upstreams); system and text then go as parts. */
  readonly isKeepingCacheControl: boolean;
}

function systemText(system: unknown): string {
  return contentText(system);
}

function cacheControlOf(block: unknown): unknown {
  return isRecord(block) && isRecord(block.cache_control) ? block.cache_control : undefined;
}

function hasCacheControl(content: unknown): boolean {
  return Array.isArray(content) && content.some((block) => cacheControlOf(block) !== undefined);
}

/** Text blocks as text parts carrying their `cache_control` (an extension Claude-compatible upstreams read). */
function cachedTextParts(content: unknown): ChatCompletionContentPartText[] {
  const parts: ChatCompletionContentPartText[] = [];
  for (const block of Array.isArray(content) ? content : []) {
    if (!isRecord(block) || block.type !== 'text' || typeof block.text !== 'string') continue;
    parts.push(withCacheControl({ type: 'text', text: block.text }, block));
  }
  return parts;
}

function withCacheControl<Part extends ChatCompletionContentPart>(part: Part, block: unknown): Part {
  const cacheControl = cacheControlOf(block);
  return cacheControl === undefined ? part : { ...part, cache_control: cacheControl };
}

/** A system prompt as OpenAI message content: joined text, or parts when its cache breakpoints are kept. */
function systemContent(system: unknown, opts: ConvertOptions): string | ChatCompletionContentPartText[] {
  return opts.isKeepingCacheControl && hasCacheControl(system) ? cachedTextParts(system) : systemText(system);
}

/**
 * A tool result's text for the `tool` message. OpenAI tool messages carry text only, so its images are
 * handed to `images` and go in the user message that follows the tool messages.
 */
function toolResultText(content: unknown, report: ParamReport, images: ChatCompletionContentPart[]): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') {
      texts.push(block.text);
    } else if (block.type === 'image' && isRecord(block.source)) {
      const part = imagePart(block.source, report);
      if (part !== undefined) images.push(part);
    } else {
      report.drop(`messages[].content[].tool_result.${String(block.type)}`);
    }
  }
  return texts.join(JOIN);
}

function imagePart(source: Record<string, unknown>, report: ParamReport): ChatCompletionContentPart | undefined {
  if (source.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') {
    return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  }
  if (source.type === 'url' && typeof source.url === 'string') return { type: 'image_url', image_url: { url: source.url } };
  report.drop('messages[].content[].image.source');
  return undefined;
}

function documentPart(block: Record<string, unknown>, report: ParamReport): ChatCompletionContentPart | undefined {
  const source = isRecord(block.source) ? block.source : {};
  if (source.type === 'base64' && typeof source.data === 'string') {
    const filename = typeof block.title === 'string' ? block.title : 'document.pdf';
    return { type: 'file', file: { filename, file_data: `data:${String(source.media_type)};base64,${source.data}` } };
  }
  if (source.type === 'text' && typeof source.data === 'string') return { type: 'text', text: source.data };
  if (source.type === 'content') return { type: 'text', text: systemText(source.content) };
  report.drop('messages[].content[].document.source');
  return undefined;
}

function userParts(blocks: readonly unknown[], opts: ConvertOptions, out: ChatCompletionMessageParam[]): void {
  const { report } = opts;
  const keep = (part: ChatCompletionContentPart, block: unknown) => (opts.isKeepingCacheControl ? withCacheControl(part, block) : part);
  const parts: ChatCompletionContentPart[] = [];
  for (const block of blocks) {
    if (!isRecord(block)) continue;
    switch (block.type) {
      case 'tool_result': {
        const text = toolResultText(block.content, report, parts);
        const isCached = opts.isKeepingCacheControl && cacheControlOf(block) !== undefined;
        out.push({ role: 'tool', tool_call_id: String(block.tool_use_id), content: isCached ? [withCacheControl<ChatCompletionContentPartText>({ type: 'text', text }, block)] : text });
        break;
      }
      case 'text':
        if (typeof block.text === 'string') parts.push(keep({ type: 'text', text: block.text }, block));
        break;
      case 'image': {
        const part = isRecord(block.source) ? imagePart(block.source, report) : undefined;
        if (part !== undefined) parts.push(keep(part, block));
        break;
      }
      case 'document': {
        const part = documentPart(block, report);
        if (part !== undefined) parts.push(part);
        break;
      }
      default:
        report.drop(`messages[].content[].${String(block.type)}`);
    }
  }
  if (parts.length === 0) return;
  // Text-only turns go as one string: not every OpenAI-compatible server takes part arrays.
  const isTextOnly = parts.every((part) => part.type === 'text' && !('cache_control' in part));
  out.push({ role: 'user', content: isTextOnly ? parts.map((part) => (part.type === 'text' ? part.text : '')).join(JOIN) : parts });
}

/** The assistant message with the de-facto reasoning field of DeepSeek-style upstreams. */
type AssistantMessageOut = ChatCompletionAssistantMessageParam & { reasoning_content?: string };

function assistantMessage(blocks: readonly unknown[], opts: ConvertOptions): AssistantMessageOut | undefined {
  const { report, toolNames } = opts;
  const texts: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
  for (const block of blocks) {
    if (!isRecord(block)) continue;
    switch (block.type) {
      case 'text':
        if (typeof block.text === 'string') texts.push(block.text);
        break;
      case 'tool_use':
        toolCalls.push({
          id: String(block.id),
          type: 'function',
          function: { name: toolNames.toUpstream(String(block.name)), arguments: JSON.stringify(block.input ?? {}) },
        });
        break;
      case 'thinking':
        if (opts.isReplayingReasoning && typeof block.thinking === 'string') reasoning.push(block.thinking);
        break;
      case 'redacted_thinking':
        break; // opaque to anyone but Claude
      default:
        report.drop(`messages[].content[].${String(block.type)}`);
    }
  }
  if (texts.length === 0 && toolCalls.length === 0) return undefined;
  const message: AssistantMessageOut = { role: 'assistant', content: texts.length === 0 ? null : texts.join('') };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('');
  return message;
}

export function convertMessages(system: unknown, messages: readonly unknown[], opts: ConvertOptions): ChatCompletionMessageParam[] {
  const { report } = opts;
  const out: ChatCompletionMessageParam[] = [];
  const prompt = systemContent(stripBillingHeader(system), opts);
  if (prompt.length > 0) out.push({ role: 'system', content: prompt });
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const content = message.content;
    switch (message.role) {
      case 'system': {
        const text = systemContent(stripBillingHeader(content), opts);
        if (text.length > 0) out.push({ role: 'system', content: text });
        break;
      }
      case 'user':
        if (typeof content === 'string') out.push({ role: 'user', content });
        else if (Array.isArray(content)) userParts(content, opts, out);
        break;
      case 'assistant': {
        const converted = typeof content === 'string'
          ? { role: 'assistant' as const, content }
          : assistantMessage(Array.isArray(content) ? content : [], opts);
        if (converted !== undefined) out.push(converted);
        break;
      }
      default:
        report.drop(`messages[].role=${String(message.role)}`);
    }
  }
  return out;
}

/** Every tool name the request mentions: definitions, tool_choice and tool_use history. */
export function requestToolNames(tools: unknown, toolChoice: unknown, messages: readonly unknown[]): string[] {
  const names: string[] = [];
  if (Array.isArray(tools)) for (const tool of tools) if (isRecord(tool) && typeof tool.name === 'string') names.push(tool.name);
  if (isRecord(toolChoice) && typeof toolChoice.name === 'string') names.push(toolChoice.name);
  for (const message of messages) {
    if (!isRecord(message) || !Array.isArray(message.content)) continue;
    for (const block of message.content) {
      if (isRecord(block) && block.type === 'tool_use' && typeof block.name === 'string') names.push(block.name);
    }
  }
  return names;
}
