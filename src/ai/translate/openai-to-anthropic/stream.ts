/**
 * Anthropic SSE events → OpenAI `chat.completion.chunk` frames, for one request (ai-gateways.md §2.5).
 * Invariants: tool calls are numbered by their own counter from 0 (the Anthropic block index also counts
 * text and thinking blocks) and every tool delta carries that index; usage is taken from
 * `message_start` and overwritten — never added — by the cumulative `message_delta`; the usage chunk
 * (`choices: []`) comes after the finish chunk and only when the client asked for it; an upstream
 * `error` event becomes an OpenAI error frame with no `[DONE]`, and so does a stream that ends before
 * `message_stop` (truncation is never passed off as a clean end). Thinking goes out as the de-facto
 * `delta.reasoning_content`; at its `signature_delta` the whole signed block follows as LiteLLM's
 * `delta.thinking_blocks`, which the request translator replays to Claude on the next turn.
 */
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { openAiErrorFromAnthropicError } from '../errors.ts';
import type { StreamOutcome } from '../translator.ts';
import { finishReasonFromStopReason, type FinishReason } from '../stop-reasons.ts';
import { mergeAnthropicUsage, toOpenAiUsage, usageFromAnthropic, ZERO_USAGE, type TokenUsage } from '../usage.ts';
import { DONE, type AnthropicErrorBody, type OpenAiChunkOut, type OpenAiDeltaOut, type OpenAiFrame } from '../wire-types.ts';

export type AnthropicEventIn = RawMessageStreamEvent | { type: 'ping' } | AnthropicErrorBody;


export interface AnthropicToOpenAiStreamOptions {
  readonly clientModel: string;
  /** `stream_options.include_usage` of the client request. */
  readonly includeUsage: boolean;
  readonly nowMs?: number;
}

export class AnthropicToOpenAiStream {
  readonly #model: string;
  readonly #includeUsage: boolean;
  readonly #created: number;
  #id = '';
  #usage: TokenUsage = ZERO_USAGE;
  #outcome: StreamOutcome = 'open';
  #finishReason: FinishReason | undefined = undefined;
  /** Anthropic block index → OpenAI tool-call index. */
  readonly #toolIndexByBlock = new Map<number, number>();
  /** Text of the open thinking block, repeated whole with its signature (LiteLLM's `thinking_blocks`). */
  #thinking = '';
  #nextToolIndex = 0;

  constructor(opts: AnthropicToOpenAiStreamOptions) {
    this.#model = opts.clientModel;
    this.#includeUsage = opts.includeUsage;
    this.#created = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  }

  get outcome(): StreamOutcome {
    return this.#outcome;
  }

  /** Usage so far (final once the outcome is `complete`). */
  get usage(): TokenUsage {
    return this.#usage;
  }

  push(event: AnthropicEventIn): OpenAiFrame[] {
    if (this.#outcome !== 'open') return [];
    switch (event.type) {
      case 'message_start':
        this.#id = event.message.id;
        this.#usage = usageFromAnthropic(event.message.usage);
        return [this.#chunk({ role: 'assistant', content: '' })];
      case 'content_block_start':
        return this.#blockStart(event);
      case 'content_block_delta':
        return this.#blockDelta(event);
      case 'message_delta':
        this.#usage = mergeAnthropicUsage(this.#usage, event.usage);
        if (this.#finishReason !== undefined) return [];
        this.#finishReason = finishReasonFromStopReason(event.delta.stop_reason);
        return [this.#chunk({}, this.#finishReason)];
      case 'message_stop':
        return this.#finish();
      case 'error': {
        this.#outcome = 'error';
        return [openAiErrorFromAnthropicError(event.error).body];
      }
      default:
        return []; // ping, content_block_stop, unknown future events
    }
  }

  /** The upstream stream ended (EOF). Returns the truncation error when `message_stop` never came. */
  end(): OpenAiFrame[] {
    if (this.#outcome !== 'open') return [];
    this.#outcome = 'truncated';
    return [{ error: { message: 'upstream stream ended early', type: 'server_error', param: null, code: 'stream_truncated' } }];
  }

  /** The upstream sent something unusable (e.g. an event that is not JSON): end with an error frame. */
  fail(message: string): OpenAiFrame[] {
    if (this.#outcome !== 'open') return [];
    this.#outcome = 'error';
    return [{ error: { message, type: 'server_error', param: null, code: 'upstream_error' } }];
  }

  #blockStart(event: Extract<RawMessageStreamEvent, { type: 'content_block_start' }>): OpenAiFrame[] {
    const block = event.content_block;
    switch (block.type) {
      case 'tool_use': {
        const index = this.#nextToolIndex++;
        this.#toolIndexByBlock.set(event.index, index);
        const input = block.input;
        const hasInput = typeof input === 'object' && input !== null && Object.keys(input).length > 0;
        return [this.#chunk({
          tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: hasInput ? JSON.stringify(input) : '' } }],
        })];
      }
      case 'text':
        return block.text === '' ? [] : [this.#chunk({ content: block.text })];
      case 'thinking':
        this.#thinking = block.thinking;
        return block.thinking === '' ? [] : [this.#chunk({ reasoning_content: block.thinking })];
      case 'redacted_thinking':
        return [this.#chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: block.data }] })];
      default:
        return []; // server tool blocks have no OpenAI equivalent
    }
  }

  #blockDelta(event: Extract<RawMessageStreamEvent, { type: 'content_block_delta' }>): OpenAiFrame[] {
    const delta = event.delta;
    switch (delta.type) {
      case 'text_delta':
        return delta.text === '' ? [] : [this.#chunk({ content: delta.text })];
      case 'input_json_delta': {
        const index = this.#toolIndexByBlock.get(event.index);
        if (index === undefined || delta.partial_json === '') return [];
        return [this.#chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] })];
      }
      case 'thinking_delta':
        this.#thinking += delta.thinking;
        return delta.thinking === '' ? [] : [this.#chunk({ reasoning_content: delta.thinking })];
      case 'signature_delta':
        // The whole signed block, so a client can replay it to Claude on its next tool turn.
        return [this.#chunk({ thinking_blocks: [{ type: 'thinking', thinking: this.#thinking, signature: delta.signature }] })];
      default:
        return []; // citations
    }
  }

  #finish(): OpenAiFrame[] {
    const frames: OpenAiFrame[] = [];
    if (this.#finishReason === undefined) {
      this.#finishReason = 'stop';
      frames.push(this.#chunk({}, this.#finishReason));
    }
    if (this.#includeUsage) frames.push({ ...this.#base(), choices: [], usage: toOpenAiUsage(this.#usage) });
    frames.push(DONE);
    this.#outcome = 'complete';
    return frames;
  }

  #base(): Omit<OpenAiChunkOut, 'choices'> {
    return { id: this.#id, object: 'chat.completion.chunk', created: this.#created, model: this.#model };
  }

  #chunk(delta: OpenAiDeltaOut, finishReason: FinishReason | null = null): OpenAiChunkOut {
    return { ...this.#base(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
  }
}
