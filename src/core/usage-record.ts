/**
 * One record per AI request, handed to a UsageSink when the request is finished (answered, failed or
 * abandoned by the client). Token counts have OpenAI's meaning: `inputTokens` includes the cache-read and
 * cache-write shares, which are broken out so later consumers (metrics, access log, quotas) can price them.
 */

/**
 * ok: a complete answer; client_error: the request was refused (400/404/413…); upstream_error: every
 * attempt failed before the first byte; stream_error: the stream failed after the first byte (error event
 * sent); client_aborted: the client went away; no_provider: no provider or key was usable.
 */
export type UsageOutcome = 'ok' | 'client_error' | 'upstream_error' | 'stream_error' | 'client_aborted' | 'no_provider';

export type AiEndpoint = 'chat_completions' | 'messages' | 'count_tokens' | 'embeddings';

export interface UsageRecord {
  readonly requestId: string;
  readonly locationName: string;
  readonly endpoint: AiEndpoint;
  readonly clientDialect: 'openai' | 'anthropic';
  /** The model name the client sent. */
  readonly clientModel: string;
  /** The catalogue model it resolved to (undefined when unknown). */
  readonly model: string | undefined;
  /** Provider, upstream model id and key id of the last attempt (undefined when none was made). */
  readonly provider: string | undefined;
  readonly upstreamModel: string | undefined;
  readonly keyId: string | undefined;
  /** Upstream attempts made (0 when answered locally or refused before routing). */
  readonly attempts: number;
  /** Status sent to the client. */
  readonly status: number;
  readonly isStream: boolean;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
  /** From the request's arrival to the first body byte sent to the client; undefined when none was sent. */
  readonly timeToFirstTokenMs: number | undefined;
  readonly durationMs: number;
  readonly outcome: UsageOutcome;
  /** Server-sent events (streams) and response body bytes sent to the client, error events included. */
  readonly streamEvents?: number;
  readonly bodyBytes?: number;
  /** Every upstream attempt in order (failovers included); absent from producers that do not track them. */
  readonly upstreamAttempts?: readonly UpstreamAttempt[];
}

/** One upstream attempt of an AI request (metrics: upstream requests, time to first byte, errors). */
export interface UpstreamAttempt {
  /** Provider name. */
  readonly provider: string;
  readonly keyId: string | undefined;
  /** The upstream's HTTP status; 0 when no response head arrived. */
  readonly status: number;
  /** From sending the request to the upstream's response head (time to first byte), ms; undefined without a head. */
  readonly headerMs: number | undefined;
  /**
   * Gateway error code when the exchange with the upstream failed: no answer (`upstream_connect_error`,
   * `upstream_timeout`, `upstream_error`) or a body that broke or ended early; undefined otherwise
   * (an error status is an answer: see `status`).
   */
  readonly errorType: string | undefined;
}

/**
 * Receives every finished request's record. Must not throw and must not block (called on the hot path).
 * `response` is the client response the usage belongs to, an opaque handle: observability keeps the
 * request's record on it, which spares a map of requests in flight by id.
 */
export interface UsageSink {
  record(usage: UsageRecord, response?: object): void;
}
