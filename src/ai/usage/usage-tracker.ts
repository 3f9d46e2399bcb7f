/**
 * Collects one request's UsageRecord while the exchange runs (who served it, when the first byte left,
 * how it ended) and hands it to the sink exactly once.
 */
import { ZERO_USAGE, type TokenUsage } from '../translate/usage.ts';
import type { AiEndpoint, UsageOutcome, UsageRecord, UsageSink } from './usage-record.ts';

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
  #firstByteMs: number | undefined = undefined;

  constructor(subject: UsageSubject, startedMs: number) {
    this.#subject = subject;
    this.#startedMs = startedMs;
  }

  markFirstByte(nowMs: number): void {
    this.#firstByteMs ??= nowMs;
  }

  finish(sink: UsageSink, nowMs: number): void {
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
    };
    try {
      sink.record(record);
    } catch {
      // A sink must not throw; if one does, the request it describes is already answered.
    }
  }
}
