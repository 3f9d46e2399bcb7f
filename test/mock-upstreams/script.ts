/**
 * What a mock upstream answers, described independently of the dialect. A `Step` is one answer: a reply
 * (text, reasoning, tool calls), an optional fault, and timing. The same step drives both mocks; each renders
 * it in its own wire format (OpenAI chunks / Anthropic events). `ScriptBook` decides which step answers a
 * request: the key's queue, then the key's default, then the shared queue, then the shared default.
 */
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { StopReason } from '@anthropic-ai/sdk/resources/messages';
import type { RecordedRequest } from './mock-server.ts';

export interface ToolCallScript {
  /** Tool call id; defaults to `call_mock_<n>` (OpenAI) / `toolu_mock_<n>` (Anthropic). */
  readonly id?: string;
  readonly name: string;
  /** The JSON arguments, whole or as the fragments to stream (joined, they must be valid JSON). */
  readonly arguments: string | readonly string[];
  /**
   * OpenAI streams only: send the first fragment in the same chunk as the name (xAI and Gemini do this)
   * instead of the `arguments: ""` that OpenAI sends with the name.
   */
  readonly firstFragmentWithName?: boolean;
}

export interface UsageScript {
  /** Uncached input tokens (Anthropic meaning); OpenAI's prompt_tokens = input + cacheRead + cacheCreation. */
  readonly input?: number;
  readonly output?: number;
  readonly cacheRead?: number;
  readonly cacheCreation?: number;
  /** OpenAI completion_tokens_details.reasoning_tokens; Anthropic output_tokens_details.thinking_tokens. */
  readonly reasoning?: number;
}

export interface Reply {
  /** Answer text, whole or as streamed fragments. */
  readonly text?: string | readonly string[];
  /**
   * Anthropic: a thinking block (before the text) with its signature. OpenAI-compatible: `reasoning_content`
   * as DeepSeek and vLLM send it (the signature is not sent).
   */
  readonly thinking?: { readonly text: string | readonly string[]; readonly signature?: string };
  /** One or several (parallel) tool calls, after the text. */
  readonly toolCalls?: readonly ToolCallScript[];
  /** OpenAI finish_reason; default `tool_calls` when there are tool calls, else `stop`. */
  readonly finishReason?: ChatCompletion.Choice['finish_reason'];
  /** Anthropic stop_reason; default `tool_use` when there are tool calls, else `end_turn`. */
  readonly stopReason?: StopReason;
  readonly stopSequence?: string;
  /** Defaults: input estimated from the request body (chars / 4), output from the reply's characters. */
  readonly usage?: UsageScript;
  /** Response `model`; defaults to the request's model. */
  readonly model?: string;
  /** OpenAI-compatible stream quirks seen in the wild (the defaults are OpenAI's own behaviour). */
  readonly quirks?: {
    /** Fragments of parallel tool calls interleaved round-robin instead of one tool after the other. */
    readonly interleaveToolCalls?: boolean;
    /** The last content chunk also carries finish_reason (fake-streamed providers). */
    readonly finishWithLastContent?: boolean;
    /** No usage chunk even when `stream_options.include_usage` is true. */
    readonly omitUsage?: boolean;
  };
}

export type Fault =
  /** An HTTP error in the dialect's shape. `errorType`/`message`/`code` override the defaults for the status. */
  | {
      readonly type: 'error';
      readonly status: number;
      readonly errorType?: string;
      readonly message?: string;
      readonly code?: string | null;
      /** Word the error as an exhausted quota / credit balance, in the dialect's usual phrasing. */
      readonly quota?: boolean;
      /** Sent as `retry-after` (seconds or an HTTP date). */
      readonly retryAfter?: number | string;
    }
  /** TCP reset. Without `afterEvents` before any response byte; with it after the head and N SSE events. */
  | { readonly type: 'reset'; readonly afterEvents?: number }
  /** A clean close (FIN) after N SSE events with no terminator: a truncated stream. */
  | { readonly type: 'truncate'; readonly afterEvents: number }
  /** The dialect's mid-stream error event after N SSE events, then close. */
  | { readonly type: 'stream-error'; readonly afterEvents: number; readonly errorType?: string; readonly message?: string }
  /** Never answer (the request stays open until the client gives up or the mock closes). */
  | { readonly type: 'hang' };

export interface Step {
  readonly reply?: Reply;
  /** Serve a file of test/fixtures/providers/ verbatim (`.sse` as paced events, `.json` as a body). */
  readonly replay?: string;
  readonly fault?: Fault;
  /** Delay before the response head (slow first byte). */
  readonly firstByteDelayMs?: number;
  /** Delay between SSE events. */
  readonly paceMs?: number;
  /** Extra response headers (lower-case names). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ScriptTarget {
  /** Only requests authenticated with this key. */
  readonly key?: string;
  /** Queue the step for the next N matching requests instead of making it the default. */
  readonly times?: number;
}

export type StepSource = 'responder' | 'key-queue' | 'key-default' | 'queue' | 'default' | 'builtin';

/**
 * Decides the answer from what the request contains (a model playing an agent loop: a tool call first, a
 * final text once the tool result is back). `undefined` falls through to the scripted steps.
 */
export type Responder = (request: RecordedRequest) => Step | undefined;

/** The reply of a step that scripts none (e.g. a bare fault): three text fragments. */
export const DEFAULT_REPLY: Reply = { text: ['Hello', ' from', ' the mock.'] };
export const BUILTIN_STEP: Step = { reply: DEFAULT_REPLY };

/** Step selection shared by both mocks: responder → key queue → key default → queue → default → built-in text. */
export class ScriptBook {
  #responder: Responder | undefined;
  #default: Step | undefined;
  readonly #queue: Step[] = [];
  readonly #keyDefault = new Map<string, Step>();
  readonly #keyQueue = new Map<string, Step[]>();

  set(step: Step, target: ScriptTarget = {}): void {
    if (target.times === undefined) {
      if (target.key === undefined) this.#default = step;
      else this.#keyDefault.set(target.key, step);
      return;
    }
    this.enqueue(Array.from({ length: target.times }, () => step), target.key);
  }

  /** Queue different steps for the next requests, in order (optionally only for one key). */
  enqueue(steps: readonly Step[], key?: string): void {
    if (key === undefined) {
      this.#queue.push(...steps);
      return;
    }
    const queue = this.#keyQueue.get(key) ?? [];
    queue.push(...steps);
    this.#keyQueue.set(key, queue);
  }

  /** Consulted first for every scripted request; `undefined` removes it. */
  respond(responder: Responder | undefined): void {
    this.#responder = responder;
  }

  take(key: string | undefined, request?: RecordedRequest): { step: Step; source: StepSource } {
    const answer = request === undefined ? undefined : this.#responder?.(request);
    if (answer !== undefined) return { step: answer, source: 'responder' };
    if (key !== undefined) {
      const fromKeyQueue = this.#keyQueue.get(key)?.shift();
      if (fromKeyQueue) return { step: fromKeyQueue, source: 'key-queue' };
      const keyDefault = this.#keyDefault.get(key);
      if (keyDefault) return { step: keyDefault, source: 'key-default' };
    }
    const queued = this.#queue.shift();
    if (queued) return { step: queued, source: 'queue' };
    if (this.#default) return { step: this.#default, source: 'default' };
    return { step: BUILTIN_STEP, source: 'builtin' };
  }

  clear(): void {
    this.#responder = undefined;
    this.#default = undefined;
    this.#queue.length = 0;
    this.#keyDefault.clear();
    this.#keyQueue.clear();
  }
}

// Shorthands so tests read as what the upstream does.
export const text = (value: string | readonly string[], extra: Omit<Reply, 'text'> = {}): Step => ({ reply: { ...extra, text: value } });
export const toolCalls = (calls: readonly ToolCallScript[], extra: Omit<Reply, 'toolCalls'> = {}): Step => ({ reply: { ...extra, toolCalls: calls } });
export const rateLimited = (retryAfterSeconds = 1): Step => ({ fault: { type: 'error', status: 429, retryAfter: retryAfterSeconds } });
export const serverError = (status = 500): Step => ({ fault: { type: 'error', status } });
export const overloaded = (): Step => ({ fault: { type: 'error', status: 529 } });
export const unauthorized = (): Step => ({ fault: { type: 'error', status: 401 } });
export const forbidden = (): Step => ({ fault: { type: 'error', status: 403 } });
/** A 400 whose message says the quota or balance is exhausted (how many OpenAI-compatible vendors report it). */
export const quotaExceeded = (): Step => ({ fault: { type: 'error', status: 400, quota: true } });
export const resetConnection = (afterEvents?: number): Step => ({ fault: afterEvents === undefined ? { type: 'reset' } : { type: 'reset', afterEvents } });
export const truncateStream = (afterEvents: number): Step => ({ fault: { type: 'truncate', afterEvents } });
export const streamError = (afterEvents: number): Step => ({ fault: { type: 'stream-error', afterEvents } });
export const hang = (): Step => ({ fault: { type: 'hang' } });
export const slowFirstByte = (delayMs: number, step: Step = BUILTIN_STEP): Step => ({ ...step, firstByteDelayMs: delayMs });
