/**
 * OpenAI Chat Completions wire format, typed with the SDK's own types: `chat.completion` bodies, the
 * `chat.completion.chunk` stream (role chunk, content, reasoning_content as DeepSeek/vLLM send it, tool-call
 * deltas with a stable `index`, a separate finish chunk, the `choices: []` usage chunk, `data: [DONE]`),
 * embeddings, models and the `{"error":{message,type,param,code}}` shape.
 */
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessage, ChatCompletionMessageFunctionToolCall } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings';
import type { Model } from 'openai/resources/models';
import type { Reply, ToolCallScript } from './script.ts';
import { fragmentsOf, joined, resolveUsage } from './reply-parts.ts';
import type { ErrorFault, StreamErrorFault } from './play-step.ts';

export interface OpenAiRenderContext {
  /** `chatcmpl-…` */
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  readonly model: string;
  readonly promptChars: number;
  /** The request's `stream_options.include_usage`. */
  readonly includeUsage: boolean;
}

/** DeepSeek / vLLM / OpenRouter extension carried next to the standard fields. */
export type ReasoningDelta = ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null };
export type ReasoningMessage = ChatCompletionMessage & { reasoning_content?: string };

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function toolCallId(ctx: { readonly id: string }, index: number, call: ToolCallScript): string {
  return call.id ?? `call_${ctx.id.replace(/^chatcmpl-/, '')}_${index}`;
}

function finishReasonOf(reply: Reply): ChatCompletion.Choice['finish_reason'] {
  return reply.finishReason ?? ((reply.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop');
}

export function buildOpenAiUsage(reply: Reply, promptChars: number): CompletionUsage {
  const usage = resolveUsage(reply, promptChars);
  const promptTokens = usage.input + usage.cacheRead + usage.cacheCreation;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: usage.output,
    total_tokens: promptTokens + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export function buildChatCompletion(reply: Reply, ctx: OpenAiRenderContext): ChatCompletion {
  const calls = reply.toolCalls ?? [];
  const text = joined(reply.text);
  const message: ReasoningMessage = {
    role: 'assistant',
    content: text === '' && calls.length > 0 ? null : text,
    refusal: null,
    annotations: [],
  };
  if (reply.thinking) message.reasoning_content = joined(reply.thinking.text);
  if (calls.length > 0) {
    message.tool_calls = calls.map((call, index): ChatCompletionMessageFunctionToolCall => ({
      id: toolCallId(ctx, index, call),
      type: 'function',
      function: { name: call.name, arguments: joined(call.arguments) },
    }));
  }
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(reply) }],
    usage: buildOpenAiUsage(reply, ctx.promptChars),
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
  };
}

/** Tool-call deltas in OpenAI's order: per tool its name chunk then its fragments (or round-robin). */
function toolCallDeltas(reply: Reply, ctx: OpenAiRenderContext): ChatCompletionChunk.Choice.Delta.ToolCall[][] {
  const perTool = (reply.toolCalls ?? []).map((call, index) => {
    const fragments = fragmentsOf(call.arguments);
    const withName = call.firstFragmentWithName === true && fragments.length > 0;
    const deltas: ChatCompletionChunk.Choice.Delta.ToolCall[] = [
      { index, id: toolCallId(ctx, index, call), type: 'function', function: { name: call.name, arguments: withName ? (fragments[0] ?? '') : '' } },
    ];
    for (const fragment of withName ? fragments.slice(1) : fragments) deltas.push({ index, function: { arguments: fragment } });
    return deltas;
  });
  if (reply.quirks?.interleaveToolCalls !== true) return perTool.flat().map((delta) => [delta]);
  const rounds: ChatCompletionChunk.Choice.Delta.ToolCall[][] = [];
  for (let round = 0; perTool.some((deltas) => round < deltas.length); round++) {
    for (const deltas of perTool) {
      const delta = deltas[round];
      if (delta) rounds.push([delta]);
    }
  }
  return rounds;
}

export function buildChatCompletionChunks(reply: Reply, ctx: OpenAiRenderContext): ChatCompletionChunk[] {
  const chunk = (delta: ReasoningDelta, finish: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
    id: ctx.id,
    object: 'chat.completion.chunk',
    created: ctx.created,
    model: ctx.model,
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(ctx.includeUsage ? { usage: null } : {}),
  });
  // OpenAI opens with content "" for a text answer and null when the answer is only tool calls.
  const onlyTools = reply.text === undefined && reply.thinking === undefined && (reply.toolCalls?.length ?? 0) > 0;
  const chunks: ChatCompletionChunk[] = [chunk({ role: 'assistant', content: onlyTools ? null : '', refusal: null })];
  for (const fragment of fragmentsOf(reply.thinking?.text)) chunks.push(chunk({ content: null, reasoning_content: fragment }));
  for (const fragment of fragmentsOf(reply.text)) chunks.push(chunk({ content: fragment }));
  for (const toolCalls of toolCallDeltas(reply, ctx)) chunks.push(chunk({ tool_calls: toolCalls }));
  const finish = finishReasonOf(reply);
  const last = chunks[chunks.length - 1];
  const lastChoice = last?.choices[0];
  if (reply.quirks?.finishWithLastContent === true && chunks.length > 1 && lastChoice) lastChoice.finish_reason = finish;
  else chunks.push(chunk({}, finish));
  if (ctx.includeUsage && reply.quirks?.omitUsage !== true) {
    chunks.push({ ...chunk({}), choices: [], usage: buildOpenAiUsage(reply, ctx.promptChars) });
  }
  return chunks;
}

export function encodeOpenAiEvents(chunks: readonly ChatCompletionChunk[]): string[] {
  return [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n'];
}

const INVALID_REQUEST = { type: 'invalid_request_error', code: null, message: 'Invalid request.' };
const DEFAULT_ERRORS: Record<number, { type: string; code: string | null; message: string }> = {
  400: INVALID_REQUEST,
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.' },
  403: { type: 'permission_error', code: 'insufficient_permissions', message: 'You have insufficient permissions for this operation.' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests. Please try again later.' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' },
};
const SERVER_ERROR = { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' };
const QUOTA_ERROR = { type: 'insufficient_quota', code: 'insufficient_quota', message: 'You exceeded your current quota, please check your plan and billing details.' };

export function buildOpenAiError(fault: Pick<ErrorFault, 'status' | 'errorType' | 'message' | 'code' | 'quota'>): OpenAiErrorBody {
  const base = fault.quota ? QUOTA_ERROR : (DEFAULT_ERRORS[fault.status] ?? (fault.status >= 500 ? SERVER_ERROR : INVALID_REQUEST));
  return {
    error: {
      message: fault.message ?? base.message,
      type: fault.errorType ?? base.type,
      param: null,
      code: fault.code !== undefined ? fault.code : base.code,
    },
  };
}

export function encodeOpenAiStreamError(fault: StreamErrorFault): string {
  const body = buildOpenAiError({ status: 500, ...(fault.errorType ? { errorType: fault.errorType } : {}), ...(fault.message ? { message: fault.message } : {}) });
  return `data: ${JSON.stringify(body)}\n\n`;
}

export function buildModelList(ids: readonly string[], created: number): { object: 'list'; data: Model[] } {
  return { object: 'list', data: ids.map((id) => buildModel(id, created)) };
}

export function buildModel(id: string, created: number): Model {
  return { id, object: 'model', created, owned_by: 'mock' };
}

/** Deterministic unit-ish vectors derived from the input text (FNV-1a seeded), so equal inputs embed equally. */
function vectorFor(text: string, dimensions: number): number[] {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return Array.from({ length: dimensions }, (_, i) => {
    hash = Math.imul(hash ^ (i + 1), 0x01000193) >>> 0;
    return Math.fround((hash / 0xffffffff) * 2 - 1);
  });
}

export type MockEmbeddingResponse = Omit<CreateEmbeddingResponse, 'data'> & {
  data: Array<Omit<CreateEmbeddingResponse['data'][number], 'embedding'> & { embedding: number[] | string }>;
};

export function buildEmbeddings(body: Record<string, unknown>, model: string): MockEmbeddingResponse {
  const input = body['input'];
  const items: unknown[] = Array.isArray(input) && !input.every((x) => typeof x === 'number') ? input : [input];
  const dimensions = typeof body['dimensions'] === 'number' ? body['dimensions'] : 8;
  const base64 = body['encoding_format'] === 'base64';
  let promptTokens = 0;
  const data = items.map((item, index) => {
    const text = typeof item === 'string' ? item : JSON.stringify(item);
    promptTokens += Math.max(1, Math.ceil(text.length / 4));
    const vector = vectorFor(text, dimensions);
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding' as const, index, embedding };
  });
  return { object: 'list', data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } };
}
