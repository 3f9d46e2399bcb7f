/**
 * The translator for one request from an OpenAI client to an Anthropic upstream: request, response,
 * error and stream (SSE bytes in, SSE text out) behind the AiTranslator contract.
 */
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import { GatewayError } from '../../../core/errors.ts';
import { translateAnthropicError, type TranslatedError } from '../errors.ts';
import { translatedResponseHeaders, type UpstreamHeaders } from '../response-head.ts';
import { ChunkHeads, formatOpenAiFrames } from '../sse-format.ts';
import { parseAnthropicEventData } from '../anthropic-event-data.ts';
import { feedEvents } from '../sse-feed.ts';
import { SseParser } from '../sse-parser.ts';
import type { AiTranslator, StreamOutcome, TranslatedRequest } from '../translator.ts';
import { usageFromAnthropic, type TokenUsage } from '../usage.ts';
import type { AnthropicRequestOut, OpenAiCompletionOut, OpenAiErrorBody, OpenAiRequestIn } from '../wire-types.ts';
import { translateOpenAiRequest } from './request.ts';
import { translateAnthropicResponse } from './response.ts';
import { AnthropicToOpenAiStream, type AnthropicEventIn } from './stream.ts';

export interface OpenAiToAnthropicOptions {
  /** The model name the client asked for; reported back in responses. */
  readonly clientModel: string;
  readonly upstreamModel: string;
  /** From the model catalogue: default and ceiling of `max_tokens`. */
  readonly maxOutputTokens: number;
  readonly strict: boolean;
  readonly nowMs?: number;
}

export class OpenAiToAnthropicTranslator implements AiTranslator<OpenAiRequestIn, AnthropicRequestOut, OpenAiCompletionOut, OpenAiErrorBody> {
  readonly #opts: OpenAiToAnthropicOptions;
  readonly #parser = new SseParser();
  readonly #chunkHeads = new ChunkHeads();
  #stream: AnthropicToOpenAiStream | undefined = undefined;
  #isStream = false;
  #includeUsage = false;
  #usage: TokenUsage | undefined = undefined;

  constructor(opts: OpenAiToAnthropicOptions) {
    this.#opts = opts;
  }

  get isStream(): boolean {
    return this.#isStream;
  }

  translateRequest(body: OpenAiRequestIn): TranslatedRequest<AnthropicRequestOut> {
    this.#isStream = body.stream === true;
    this.#includeUsage = body.stream_options?.include_usage === true;
    return translateOpenAiRequest(body, this.#opts);
  }

  responseHeaders(upstream: UpstreamHeaders): Record<string, string> {
    return translatedResponseHeaders(upstream, this.#isStream);
  }

  translateResponse(body: unknown): OpenAiCompletionOut {
    const message = body as Message;
    this.#usage = usageFromAnthropic(message.usage);
    try {
      return translateAnthropicResponse(message, this.#opts);
    } catch (err) {
      throw new GatewayError('upstream_error', 'the upstream answered with a malformed body', { cause: err });
    }
  }

  translateError(status: number, body: unknown, headers?: UpstreamHeaders): TranslatedError<OpenAiErrorBody> {
    return translateAnthropicError(status, body, headers);
  }

  pushStream(chunk: Uint8Array | string): string {
    return formatOpenAiFrames(feedEvents(this.#parser.push(chunk), false, this.#streamState(), parseAnthropicEventData), this.#chunkHeads);
  }

  endStream(): string {
    const stream = this.#streamState();
    return formatOpenAiFrames([...feedEvents(this.#parser.end(), true, stream, parseAnthropicEventData), ...stream.end()], this.#chunkHeads);
  }

  get usage(): TokenUsage {
    return this.#usage ?? this.#streamState().usage;
  }

  get streamOutcome(): StreamOutcome {
    return this.#stream?.outcome ?? 'open';
  }

  #streamState(): AnthropicToOpenAiStream {
    this.#stream ??= new AnthropicToOpenAiStream({ clientModel: this.#opts.clientModel, includeUsage: this.#includeUsage, nowMs: this.#opts.nowMs });
    return this.#stream;
  }
}
