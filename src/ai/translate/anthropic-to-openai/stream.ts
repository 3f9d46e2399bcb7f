/**
 * OpenAI `chat.completion.chunk` stream → Anthropic SSE events, for one request (ai-gateways.md §2.5).
 * Invariants, each one a bug class other gateways ship:
 * - block indices are contiguous from 0; every block is started before its deltas and stopped exactly
 *   once; only one block is open at a time (Anthropic blocks are strictly sequential);
 * - the OpenAI tool-call index is a key into this request's tool table, never an Anthropic block index;
 * - no argument fragment is dropped, including one in the same chunk as the tool's id and name; while a
 *   tool block is open, content for any other block (another tool index, or text) is queued and
 *   emitted as whole blocks after it, so interleaving upstreams still give well-formed blocks; a tool
 *   whose name has not arrived yet is queued too;
 * - a chunk carrying content and `finish_reason` is handled content first, then finish; one carrying
 *   reasoning, text and tool calls is split in that order;
 * - `message_delta` is held after the finish until usage arrives (or `[DONE]`/EOF); usage is
 *   overwritten by each report, never added;
 * - `[DONE]` or EOF without a finish reason is truncation: an `error` event, never a fake `end_turn`.
 */
import { anthropicErrorFromOpenAiError } from '../errors.ts';
import { isRecord } from '../json-values.ts';
import { stopReasonFromFinishReason } from '../stop-reasons.ts';
import type { ToolNameMap } from '../tool-names.ts';
import type { StreamOutcome } from '../translator.ts';
import { toAnthropicUsage, usageFromOpenAi, ZERO_USAGE, type TokenUsage } from '../usage.ts';
import { DONE, type AnthropicEventOut, type OpenAiUpstreamChunk, type StopReason } from '../wire-types.ts';
import { anthropicMessageId } from './response.ts';

/** A parsed upstream SSE payload: a chunk, an error object, or the `[DONE]` terminator. */
export type OpenAiEventIn = OpenAiUpstreamChunk | { error: unknown } | typeof DONE;

type TextKind = 'text' | 'thinking';
type ToolCallDelta = NonNullable<OpenAiUpstreamChunk['choices'][number]['delta']['tool_calls']>[number];

interface ToolState {
  readonly id: string;
  name: string;
  /** Arguments received while the tool was queued. */
  args: string;
  isLive: boolean;
}

type Queued = { kind: TextKind; text: string } | { kind: 'tool'; key: number };

export interface OpenAiToAnthropicStreamOptions {
  readonly clientModel: string;
  readonly toolNames: ToolNameMap;
  /** Input tokens estimated before dispatch, shown by Claude Code from `message_start`. */
  readonly inputTokensEstimate?: number;
}

export class OpenAiToAnthropicStream {
  readonly #model: string;
  readonly #toolNames: ToolNameMap;
  readonly #inputEstimate: number;
  #isStarted = false;
  #outcome: StreamOutcome = 'open';
  #nextBlockIndex = 0;
  #open: { kind: TextKind | 'tool'; index: number } | undefined = undefined;
  readonly #tools = new Map<number, ToolState>();
  #lastToolKey = -1;
  #queue: Queued[] = [];
  #stopReason: StopReason | undefined = undefined;
  #hasFinalUsage = false;
  #usage: TokenUsage = ZERO_USAGE;

  constructor(opts: OpenAiToAnthropicStreamOptions) {
    this.#model = opts.clientModel;
    this.#toolNames = opts.toolNames;
    this.#inputEstimate = opts.inputTokensEstimate ?? 0;
  }

  get outcome(): StreamOutcome {
    return this.#outcome;
  }

  get usage(): TokenUsage {
    return this.#usage;
  }

  push(event: OpenAiEventIn): AnthropicEventOut[] {
    if (this.#outcome !== 'open') return [];
    if (event === DONE) return this.#finishOrTruncate();
    if (!('choices' in event) && 'error' in event) {
      this.#outcome = 'error';
      const error = typeof event.error === 'string' ? { message: event.error } : event.error;
      return [anthropicErrorFromOpenAiError(error, statusOfStreamError(error))];
    }
    const chunk = event as OpenAiUpstreamChunk;
    const out: AnthropicEventOut[] = [];
    const hasUsage = isRecord(chunk.usage);
    if (hasUsage) this.#usage = usageFromOpenAi(chunk.usage);
    if (!this.#isStarted) this.#start(chunk.id, hasUsage, out);
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const choice = choices.find((c) => c.index === 0) ?? choices[0];
    if (choice !== undefined && this.#stopReason === undefined) {
      const delta = isRecord(choice.delta) ? choice.delta : {};
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (typeof reasoning === 'string' && reasoning !== '') this.#text('thinking', reasoning, out);
      if (typeof delta.content === 'string' && delta.content !== '') this.#text('text', delta.content, out);
      if (typeof delta.refusal === 'string' && delta.refusal !== '') this.#text('text', delta.refusal, out);
      if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) this.#toolDelta(call, out);
      if (isPresentReason(choice.finish_reason)) {
        this.#closeOpen(out);
        this.#flushQueue(out);
        this.#stopReason = stopReasonFromFinishReason(choice.finish_reason);
      }
    }
    if (this.#stopReason !== undefined && hasUsage) this.#hasFinalUsage = true;
    if (this.#hasFinalUsage) out.push(...this.#complete());
    return out;
  }

  /** The upstream body ended (EOF). A finished answer without `[DONE]` completes; anything else is truncation. */
  end(): AnthropicEventOut[] {
    if (this.#outcome !== 'open') return [];
    return this.#finishOrTruncate();
  }

  /** The upstream sent something unusable (an event that is not JSON): end with an error event. */
  fail(message: string): AnthropicEventOut[] {
    if (this.#outcome !== 'open') return [];
    this.#outcome = 'error';
    return [{ type: 'error', error: { type: 'api_error', message } }];
  }

  #start(upstreamId: unknown, hasUsage: boolean, out: AnthropicEventOut[]): void {
    this.#isStarted = true;
    const usage = hasUsage ? { ...toAnthropicUsage(this.#usage), output_tokens: 0 } : {
      input_tokens: this.#inputEstimate, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0,
    };
    out.push({
      type: 'message_start',
      message: { id: anthropicMessageId(upstreamId), type: 'message', role: 'assistant', model: this.#model, content: [], stop_reason: null, stop_sequence: null, usage },
    });
  }

  #text(kind: TextKind, text: string, out: AnthropicEventOut[]): void {
    if (this.#open?.kind === 'tool') {
      const last = this.#queue[this.#queue.length - 1];
      if (last !== undefined && last.kind === kind) last.text += text;
      else this.#queue.push({ kind, text });
      return;
    }
    if (this.#open?.kind !== kind) this.#openTextBlock(kind, out);
    out.push({ type: 'content_block_delta', index: this.#open?.index ?? 0, delta: textDelta(kind, text) });
  }

  #toolDelta(call: ToolCallDelta, out: AnthropicEventOut[]): void {
    const key = this.#toolKey(call);
    const args = call.function?.arguments ?? '';
    let state = this.#tools.get(key);
    if (state === undefined) {
      state = { id: call.id ?? `call_${key}`, name: this.#toolNames.toClient(call.function?.name ?? ''), args: '', isLive: false };
      this.#tools.set(key, state);
      // Another tool is open, or the name has not arrived yet (a block cannot be renamed once started).
      if (this.#open?.kind === 'tool' || state.name === '') {
        state.args = args;
        this.#queue.push({ kind: 'tool', key });
        return;
      }
      this.#openToolBlock(state, out);
    } else if (!state.isLive) {
      state.args += args;
      if (state.name === '' && typeof call.function?.name === 'string') state.name = this.#toolNames.toClient(call.function.name);
      return;
    }
    if (args !== '') out.push({ type: 'content_block_delta', index: this.#open?.index ?? 0, delta: { type: 'input_json_delta', partial_json: args } });
  }

  /** The OpenAI index; upstreams that omit it get one per new id, else the latest tool. */
  #toolKey(call: ToolCallDelta): number {
    if (typeof call.index === 'number') {
      this.#lastToolKey = call.index;
      return call.index;
    }
    const isNew = typeof call.id === 'string' && ![...this.#tools.values()].some((tool) => tool.id === call.id);
    if (isNew || this.#lastToolKey === -1) this.#lastToolKey = Math.max(-1, ...this.#tools.keys()) + 1;
    return this.#lastToolKey;
  }

  #openTextBlock(kind: TextKind, out: AnthropicEventOut[]): void {
    this.#closeOpen(out);
    const index = this.#nextBlockIndex++;
    this.#open = { kind, index };
    out.push({
      type: 'content_block_start',
      index,
      content_block: kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' },
    });
  }

  #openToolBlock(state: ToolState, out: AnthropicEventOut[]): void {
    this.#closeOpen(out);
    const index = this.#nextBlockIndex++;
    this.#open = { kind: 'tool', index };
    state.isLive = true;
    out.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: state.id, name: state.name, input: {} } });
  }

  #closeOpen(out: AnthropicEventOut[]): void {
    if (this.#open === undefined) return;
    out.push({ type: 'content_block_stop', index: this.#open.index });
    this.#open = undefined;
  }

  /** Emits the queued content as whole blocks, in arrival order. */
  #flushQueue(out: AnthropicEventOut[]): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const item of queue) {
      if (item.kind === 'tool') {
        const state = this.#tools.get(item.key);
        if (state === undefined) continue;
        this.#openToolBlock(state, out);
        if (state.args !== '') out.push({ type: 'content_block_delta', index: this.#open?.index ?? 0, delta: { type: 'input_json_delta', partial_json: state.args } });
      } else {
        this.#openTextBlock(item.kind, out);
        out.push({ type: 'content_block_delta', index: this.#open?.index ?? 0, delta: textDelta(item.kind, item.text) });
      }
      this.#closeOpen(out);
    }
  }

  #finishOrTruncate(): AnthropicEventOut[] {
    if (this.#stopReason !== undefined) return this.#complete();
    this.#outcome = 'truncated';
    return [{ type: 'error', error: { type: 'api_error', message: 'upstream stream ended early' } }];
  }

  #complete(): AnthropicEventOut[] {
    this.#outcome = 'complete';
    return [
      { type: 'message_delta', delta: { stop_reason: this.#stopReason ?? 'end_turn', stop_sequence: null }, usage: toAnthropicUsage(this.#usage) },
      { type: 'message_stop' },
    ];
  }
}

function textDelta(kind: TextKind, text: string): { type: 'text_delta'; text: string } | { type: 'thinking_delta'; thinking: string } {
  return kind === 'text' ? { type: 'text_delta', text } : { type: 'thinking_delta', thinking: text };
}

function isPresentReason(reason: unknown): reason is string {
  return typeof reason === 'string' && reason !== '';
}

/** Streamed OpenAI errors carry no status; their type or code tells a rate limit or quota apart. */
function statusOfStreamError(error: unknown): number {
  if (!isRecord(error)) return 500;
  const tag = `${String(error.type)} ${String(error.code)}`;
  if (tag.includes('insufficient_quota')) return 402;
  if (tag.includes('rate_limit')) return 429;
  if (tag.includes('overloaded')) return 529;
  return 500;
}
