/**
 * The translator for one request from an Anthropic client (Claude Code, the Anthropic SDK) to an
 * OpenAI-compatible upstream: request, response, error and stream (SSE bytes in, SSE text out) behind
 * the AiTranslator contract. The tool-name map built from the request restores long names everywhere.
 */
import { GatewayError } from '../../../core/errors.ts';
import { translateOpenAiError, type TranslatedError } from '../errors.ts';
import { translatedResponseHeaders, type UpstreamHeaders } from '../response-head.ts';
import { formatAnthropicEvents } from '../sse-format.ts';
import { feedEvents } from '../sse-feed.ts';
import { SseParser } from '../sse-parser.ts';
import { IDENTITY_TOOL_NAMES, type ToolNameMap } from '../tool-names.ts';
import type { AiTranslator, StreamOutcome } from '../translator.ts';
import { usageFromOpenAi, type TokenUsage } from '../usage.ts';
import type { AnthropicErrorBody, AnthropicMessageOut, AnthropicRequestIn, OpenAiRequestOut, OpenAiUpstreamCompletion } from '../wire-types.ts';
import { translateAnthropicRequest, type AnthropicToOpenAiRequestOptions, type TranslatedAnthropicRequest } from './request.ts';
import { translateOpenAiResponse } from './response.ts';
import { OpenAiToAnthropicStream, type OpenAiEventIn } from './stream.ts';

export interface AnthropicToOpenAiOptions extends AnthropicToOpenAiRequestOptions {
  /** The model name the client asked for; reported back in responses. */
  readonly clientModel: string;
  /**
   * Input tokens announced in `message_start` (Claude Code displays them; the real count only arrives
   * at the end). Default 0. Cheap: `estimateTokens(rawBodyBytes)`; closer but ~0.4 ms for a Claude Code
   * request (it serializes the tools): `estimateAnthropicInputTokens(body)`.
   */
  readonly inputTokensEstimate?: number;
}

export class AnthropicToOpenAiTranslator implements AiTranslator<AnthropicRequestIn, OpenAiRequestOut, AnthropicMessageOut, AnthropicErrorBody> {
  readonly #opts: AnthropicToOpenAiOptions;
  readonly #parser = new SseParser();
  #toolNames: ToolNameMap = IDENTITY_TOOL_NAMES;
  #stream: OpenAiToAnthropicStream | undefined = undefined;
  #isStream = false;
  #usage: TokenUsage | undefined = undefined;
  #inputTokensEstimate: number | undefined;

  constructor(opts: AnthropicToOpenAiOptions) {
    this.#opts = opts;
    this.#inputTokensEstimate = opts.inputTokensEstimate;
  }

  /**
   * Sets the input tokens `message_start` announces, in place of the option; for an estimate made after
   * translateRequest, e.g. `estimateTokens(upstreamBodyText.length)`, free once the body is serialized.
   * No effect once the stream has started.
   */
  announceInputTokens(tokens: number): void {
    this.#inputTokensEstimate = tokens;
  }

  get isStream(): boolean {
    return this.#isStream;
  }

  translateRequest(body: AnthropicRequestIn): TranslatedAnthropicRequest {
    const translated = translateAnthropicRequest(body, this.#opts);
    this.#toolNames = translated.toolNames;
    this.#isStream = body.stream === true;
    return translated;
  }

  responseHeaders(upstream: UpstreamHeaders): Record<string, string> {
    return translatedResponseHeaders(upstream, this.#isStream);
  }

  translateResponse(body: unknown): AnthropicMessageOut {
    const completion = body as OpenAiUpstreamCompletion;
    this.#usage = usageFromOpenAi(completion.usage);
    try {
      return translateOpenAiResponse(completion, { clientModel: this.#opts.clientModel, toolNames: this.#toolNames });
    } catch (err) {
      throw new GatewayError('upstream_error', 'the upstream answered with a malformed body', { cause: err });
    }
  }

  translateError(status: number, body: unknown, headers?: UpstreamHeaders): TranslatedError<AnthropicErrorBody> {
    return translateOpenAiError(status, body, headers);
  }

  pushStream(chunk: Uint8Array | string): string {
    return formatAnthropicEvents(feedEvents(this.#parser.push(chunk), false, this.#streamState()));
  }

  endStream(): string {
    const stream = this.#streamState();
    return formatAnthropicEvents([...feedEvents(this.#parser.end(), true, stream), ...stream.end()]);
  }

  get usage(): TokenUsage {
    return this.#usage ?? this.#streamState().usage;
  }

  get streamOutcome(): StreamOutcome {
    return this.#stream?.outcome ?? 'open';
  }

  #streamState(): OpenAiToAnthropicStream {
    this.#stream ??= new OpenAiToAnthropicStream({
      clientModel: this.#opts.clientModel,
      toolNames: this.#toolNames,
      inputTokensEstimate: this.#inputTokensEstimate,
    });
    return this.#stream;
  }
}
