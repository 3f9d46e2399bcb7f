/**
 * The per-request translator contract shared by both directions (STYLE.md: one translator object per AI
 * request with request, response, chunk and error methods). An instance holds the state of exactly one
 * request — the stream state machine, the tool-name map, the usage — and must not be reused.
 *
 * Call order: translateRequest → (upstream answers) → translateError for a status ≥ 400, else
 * responseHeaders, then translateResponse for JSON or pushStream* + endStream for SSE. Usage and outcome are readable at the end.
 */
import type { TranslatedError } from './errors.ts';
import type { UpstreamHeaders } from './response-head.ts';
import type { TokenUsage } from './usage.ts';

/** open: still streaming; complete: the upstream ended properly; error: upstream error event or garbage; truncated: ended early. */
export type StreamOutcome = 'open' | 'complete' | 'error' | 'truncated';

export interface TranslatedRequest<Body> {
  readonly body: Body;
  /** Client-side names of the parameters that were dropped or changed, each once (for a response header). */
  readonly dropped: string[];
}

export interface AiTranslator<ClientRequest, UpstreamRequest, ClientResponse, ClientError> {
  /** Client body → upstream body. Throws GatewayError `bad_request` (UnsupportedParamError in strict mode). */
  translateRequest(body: ClientRequest): TranslatedRequest<UpstreamRequest>;
  /** Whether the translated request asked the upstream to stream (valid after translateRequest). */
  readonly isStream: boolean;
  /** Headers for the client's 2xx response head: content type of the client's dialect, upstream request id. */
  responseHeaders(upstream: UpstreamHeaders): Record<string, string>;
  /** Upstream JSON body (parsed) of a 2xx answer → client JSON body; GatewayError `upstream_error` if malformed. */
  translateResponse(body: unknown): ClientResponse;
  /** Upstream error answer (status, raw or parsed body, lower-case headers) → client error. */
  translateError(status: number, body: unknown, headers?: UpstreamHeaders): TranslatedError<ClientError>;
  /** Next bytes of the upstream SSE body → SSE text for the client ('' when nothing is due yet). */
  pushStream(chunk: Uint8Array | string): string;
  /** The upstream body ended (EOF) → the last SSE text; an error event if the stream was cut short. */
  endStream(): string;
  /** Usage as the upstream reported it, in the internal shape (final after a complete stream/response). */
  readonly usage: TokenUsage;
  readonly streamOutcome: StreamOutcome;
}
