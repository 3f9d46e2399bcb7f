/**
 * Anthropic Messages wire format, typed with the SDK's own types: `message` bodies and the event stream
 * (message_start, content_block_start / delta / stop with text_delta, input_json_delta, thinking_delta and
 * signature_delta, a ping after the first block start, message_delta with cumulative usage, message_stop),
 * count_tokens, models and the `{"type":"error","error":{type,message}}` shape.
 */
import type {
  ContentBlock,
  Message,
  MessageDeltaUsage,
  MessageTokensCount,
  RawContentBlockDelta,
  RawContentBlockStartEvent,
  RawMessageStreamEvent,
  StopReason,
  Usage,
} from '@anthropic-ai/sdk/resources/messages';
import type { ModelInfo } from '@anthropic-ai/sdk/resources/models';
import type { ErrorType } from '@anthropic-ai/sdk/resources/shared';
import type { Reply, ToolCallScript } from './script.ts';
import { estimateTokens, fragmentsOf, joined, resolveUsage } from './reply-parts.ts';
import type { ResolvedUsage } from './reply-parts.ts';
import type { ErrorFault, StreamErrorFault } from './play-step.ts';

export interface AnthropicRenderContext {
  /** `msg_…` */
  readonly id: string;
  readonly model: string;
  readonly promptChars: number;
}

/** Not in the SDK's event union (the SDK skips it), but on the wire. */
export interface PingEvent {
  type: 'ping';
}
export type AnthropicSseEvent = RawMessageStreamEvent | PingEvent;

/** Like the SDK's `ErrorResponse`, with the error type open (413 `request_too_large` is not in its union). */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: ErrorType | 'request_too_large'; message: string };
  request_id: string | null;
}

/** A well-formed placeholder used when a script gives a thinking block no signature. */
export const MOCK_SIGNATURE = 'EqQBCkgIBhABGAIiQL0mockSignatureForTestsOnlyDoNotTrustAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==';

export function toolUseId(ctx: { readonly id: string }, index: number, call: ToolCallScript): string {
  return call.id ?? `toolu_${ctx.id.replace(/^msg_/, '')}_${index}`;
}

function stopReasonOf(reply: Reply): StopReason {
  return reply.stopReason ?? ((reply.toolCalls?.length ?? 0) > 0 ? 'tool_use' : 'end_turn');
}

function parseInput(call: ToolCallScript): unknown {
  try {
    return JSON.parse(joined(call.arguments)) as unknown;
  } catch {
    return {};
  }
}

function messageUsage(usage: ResolvedUsage, outputTokens: number): Usage {
  return {
    input_tokens: usage.input,
    output_tokens: outputTokens,
    cache_creation_input_tokens: usage.cacheCreation,
    cache_read_input_tokens: usage.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: usage.cacheCreation, ephemeral_1h_input_tokens: 0 },
    output_tokens_details: usage.reasoning > 0 ? { thinking_tokens: usage.reasoning } : null,
    server_tool_use: null,
    service_tier: 'standard',
    inference_geo: null,
    speed: null,
  };
}

/** The content blocks in Anthropic's order: thinking, text, tool_use… */
function contentBlocks(reply: Reply, ctx: AnthropicRenderContext): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  if (reply.thinking) blocks.push({ type: 'thinking', thinking: joined(reply.thinking.text), signature: reply.thinking.signature ?? MOCK_SIGNATURE });
  if (reply.text !== undefined) blocks.push({ type: 'text', text: joined(reply.text), citations: null });
  (reply.toolCalls ?? []).forEach((call, index) => {
    blocks.push({ type: 'tool_use', id: toolUseId(ctx, index, call), name: call.name, input: parseInput(call), caller: { type: 'direct' } });
  });
  return blocks;
}

function baseMessage(reply: Reply, ctx: AnthropicRenderContext): Omit<Message, 'content' | 'stop_reason' | 'stop_sequence' | 'usage'> {
  return { id: ctx.id, type: 'message', role: 'assistant', model: ctx.model, container: null, diagnostics: null, stop_details: null };
}

export function buildMessage(reply: Reply, ctx: AnthropicRenderContext): Message {
  const usage = resolveUsage(reply, ctx.promptChars);
  return {
    ...baseMessage(reply, ctx),
    content: contentBlocks(reply, ctx),
    stop_reason: stopReasonOf(reply),
    stop_sequence: reply.stopSequence ?? null,
    usage: messageUsage(usage, usage.output),
  };
}

/** Per block: its start (with empty content) and the deltas that fill it. */
function blockEvents(reply: Reply, ctx: AnthropicRenderContext): Array<{ start: RawContentBlockStartEvent['content_block']; deltas: RawContentBlockDelta[] }> {
  const blocks: Array<{ start: RawContentBlockStartEvent['content_block']; deltas: RawContentBlockDelta[] }> = [];
  if (reply.thinking) {
    const deltas: RawContentBlockDelta[] = fragmentsOf(reply.thinking.text).map((thinking) => ({ type: 'thinking_delta', thinking }));
    deltas.push({ type: 'signature_delta', signature: reply.thinking.signature ?? MOCK_SIGNATURE });
    blocks.push({ start: { type: 'thinking', thinking: '', signature: '' }, deltas });
  }
  if (reply.text !== undefined) {
    blocks.push({ start: { type: 'text', text: '', citations: null }, deltas: fragmentsOf(reply.text).map((text) => ({ type: 'text_delta', text })) });
  }
  (reply.toolCalls ?? []).forEach((call, index) => {
    blocks.push({
      start: { type: 'tool_use', id: toolUseId(ctx, index, call), name: call.name, input: {}, caller: { type: 'direct' } },
      deltas: fragmentsOf(call.arguments).map((partial_json) => ({ type: 'input_json_delta', partial_json })),
    });
  });
  return blocks;
}

export function buildMessageEvents(reply: Reply, ctx: AnthropicRenderContext): AnthropicSseEvent[] {
  const usage = resolveUsage(reply, ctx.promptChars);
  const events: AnthropicSseEvent[] = [{
    type: 'message_start',
    message: { ...baseMessage(reply, ctx), content: [], stop_reason: null, stop_sequence: null, usage: messageUsage(usage, 1) },
  }];
  const blocks = blockEvents(reply, ctx);
  if (blocks.length === 0) events.push({ type: 'ping' });
  blocks.forEach(({ start, deltas }, index) => {
    events.push({ type: 'content_block_start', index, content_block: start });
    if (index === 0) events.push({ type: 'ping' });
    for (const delta of deltas) events.push({ type: 'content_block_delta', index, delta });
    events.push({ type: 'content_block_stop', index });
  });
  const deltaUsage: MessageDeltaUsage = {
    input_tokens: usage.input,
    output_tokens: usage.output,
    cache_creation_input_tokens: usage.cacheCreation,
    cache_read_input_tokens: usage.cacheRead,
    output_tokens_details: usage.reasoning > 0 ? { thinking_tokens: usage.reasoning } : null,
    server_tool_use: null,
  };
  events.push({
    type: 'message_delta',
    delta: { stop_reason: stopReasonOf(reply), stop_sequence: reply.stopSequence ?? null, container: null, stop_details: null },
    usage: deltaUsage,
  });
  events.push({ type: 'message_stop' });
  return events;
}

export function encodeAnthropicEvents(events: readonly AnthropicSseEvent[]): string[] {
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
}

const INVALID_REQUEST: AnthropicErrorBody['error'] = { type: 'invalid_request_error', message: 'Invalid request.' };
const API_ERROR: AnthropicErrorBody['error'] = { type: 'api_error', message: 'Internal server error' };
const DEFAULT_ERRORS: Record<number, AnthropicErrorBody['error']> = {
  400: INVALID_REQUEST,
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'Not found.' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit.' },
  500: API_ERROR,
  504: { type: 'timeout_error', message: 'Request timed out.' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};
const QUOTA_ERROR: AnthropicErrorBody['error'] = {
  type: 'invalid_request_error',
  message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
};

function errorObject(fault: Pick<ErrorFault, 'status' | 'errorType' | 'message' | 'quota'>): AnthropicErrorBody['error'] {
  const base = fault.quota ? QUOTA_ERROR : (DEFAULT_ERRORS[fault.status] ?? (fault.status >= 500 ? API_ERROR : INVALID_REQUEST));
  // errorType is free text in scripts so tests can send types a future API adds.
  return { type: (fault.errorType ?? base.type) as AnthropicErrorBody['error']['type'], message: fault.message ?? base.message };
}

export function buildAnthropicError(fault: Pick<ErrorFault, 'status' | 'errorType' | 'message' | 'quota'>, requestId: string | null): AnthropicErrorBody {
  return { type: 'error', error: errorObject(fault), request_id: requestId };
}

/** Anthropic's mid-stream failure: `event: error` (overloaded_error unless scripted otherwise). */
export function encodeAnthropicStreamError(fault: StreamErrorFault): string {
  const error = errorObject({ status: 529, ...(fault.errorType ? { errorType: fault.errorType } : {}), ...(fault.message ? { message: fault.message } : {}) });
  return `event: error\ndata: ${JSON.stringify({ type: 'error', error })}\n\n`;
}

export function buildCountTokens(promptChars: number): MessageTokensCount {
  return { input_tokens: estimateTokens(promptChars) };
}

export function buildModelInfo(id: string): ModelInfo {
  return {
    id,
    type: 'model',
    display_name: id,
    created_at: '2025-09-29T00:00:00Z',
    capabilities: null,
    deprecated_at: null,
    lifecycle: 'active',
    line: null,
    max_input_tokens: 200_000,
    max_tokens: 64_000,
    retires_at: null,
  };
}
