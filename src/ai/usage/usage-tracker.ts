/**
 * Collects one request's UsageRecord while the exchange runs (who served it, each upstream attempt, when
 * the first byte left, what the client received, how it ended) and hands it to the sink exactly once.
 */
import type { UpstreamAttempt } from '../../core/usage-record.ts';
import { SseEventCounter } from '../../lib/sse-event-counter.ts';
import { ZERO_USAGE, type TokenUsage } from '../translate/usage.ts';
import type { AiEndpoint, UsageOutcome, UsageRecord, UsageSink } from './usage-record.ts';

/** One attempt as the exchange fills it in (the record exposes it read-only). */
export type AttemptLog = { -readonly [K in keyof UpstreamAttempt]: UpstreamAttempt[K] };

export interface UsageSubject {
  readonly requestId: string;
  readonly locationName: string;
  readonly endpoint: AiEndpoint;
  readonly clientDialect: 'openai' | 'anthropic';
}

export class UsageTracker {
  readonly #subject: UsageSubject;
  readonly #startedMs: number;
  #isFinished = false;
  clientModel = '';
  model: string | undefined = undefined;
  provider: string | undefined = undefined;
  upstreamModel: string | undefined = undefined;
  keyId: string | undefined = undefined;
  attempts = 0;
  status = 0;
  isStream = false;
  outcome: UsageOutcome = 'ok';
  usage: TokenUsage = ZERO_USAGE;
  /** Response body bytes and (streams) server-sent events written to the client. */
  bodyBytes = 0;
  streamEvents = 0;
  readonly #attempts: AttemptLog[] = [];
  #events: SseEventCounter | null = null;
  #firstByteMs: number | undefined = undefined;

  constructor(subject: UsageSubject, startedMs: number) {
    this.#subject = subject;
    this.#startedMs = startedMs;
  }

  markFirstByte(nowMs: number): void {
    this.#firstByteMs ??= nowMs;
  }

  /** An upstream attempt starts; fill in its status, time to first byte and error as they are known. */
  beginAttempt(provider: string, keyId: string | undefined): AttemptLog {
    const attempt: AttemptLog = { provider, keyId, status: 0, headerMs: undefined, errorType: undefined };
    this.#attempts.push(attempt);
    return attempt;
  }

  /** A body chunk written to the client: counts its bytes and, on streams, the events it completes. */
  countBody(chunk: Uint8Array | string): void {
    this.bodyBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (this.isStream) this.streamEvents += (this.#events ??= new SseEventCounter()).push(chunk);
  }

  /** `response`: the client response, handed to the sink with the record. */
  finish(sink: UsageSink, nowMs: number, response?: object): void {
    if (this.#isFinished) return;
    this.#isFinished = true;
    const usage = this.usage;
    const record: UsageRecord = {
      ...this.#subject,
      clientModel: this.clientModel,
      model: this.model,
      provider: this.provider,
      upstreamModel: this.upstreamModel,
      keyId: this.keyId,
      attempts: this.attempts,
      status: this.status,
      isStream: this.isStream,
      inputTokens: usage.promptTokens,
      outputTokens: usage.completionTokens,
      cacheReadTokens: usage.cacheReadTokens,
      cacheWriteTokens: usage.cacheCreationTokens,
      reasoningTokens: usage.reasoningTokens,
      timeToFirstTokenMs: this.#firstByteMs === undefined ? undefined : this.#firstByteMs - this.#startedMs,
      durationMs: nowMs - this.#startedMs,
      outcome: this.outcome,
      bodyBytes: this.bodyBytes,
      streamEvents: this.streamEvents,
      upstreamAttempts: this.#attempts,
    };
    try {
      sink.record(record, response);
    } catch {
      // A sink must not throw; if one does, the request it describes is already answered.
    }
  }
}
