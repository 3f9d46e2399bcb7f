/**
 * Hands the token usage of an AI request to the token limits that admitted it. A limit plugin `expect`s
 * the usage of a request it let through; the AI layer's usage record (src/core/usage-record.ts) arrives
 * when the exchange settles — after the last byte, streamed usage included — and the expected charges
 * run then, so tokens count in the window in which the response ended. Requests whose record never
 * comes (another plugin refused them, a non-exchange path like /models) are forgotten a grace period
 * after their response closed. One meter per process: `processTokenMeter()`, fed by `withTokenMeter`.
 * Requests are matched by request id: a client that sends the same `x-request-id` on concurrent requests
 * has each of them charged the tokens of whichever ends first.
 */
import type { GatewayResponse } from '../core/http-types.ts';
import type { UsageRecord, UsageSink } from '../core/usage-record.ts';

/** Charges one request's tokens (input + output, OpenAI's meaning) to the limits that admitted it. */
export type ChargeTokens = (tokens: number) => void;

/** How long after its response closed a request's record may still arrive (the exchange settles). */
const CLOSED_GRACE_MS = 10_000;

interface Closed {
  readonly requestId: string;
  readonly atMs: number;
}

export class TokenMeter implements UsageSink {
  readonly #expected = new Map<string, ChargeTokens[]>();
  /** Requests whose response closed before their record came, oldest first. */
  readonly #closed: Closed[] = [];
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Requests waiting for their usage (tests). */
  get size(): number {
    return this.#expected.size;
  }

  /** Runs `charge` with the request's tokens once its usage record arrives. */
  expect(requestId: string, res: GatewayResponse, charge: ChargeTokens): void {
    this.#prune();
    const charges = this.#expected.get(requestId);
    if (charges !== undefined) {
      charges.push(charge);
      return;
    }
    this.#expected.set(requestId, [charge]);
    res.once('close', () => {
      if (this.#expected.has(requestId)) this.#closed.push({ requestId, atMs: this.#now() });
    });
  }

  record(usage: UsageRecord): void {
    if (this.#expected.size === 0) return;
    const charges = this.#expected.get(usage.requestId);
    if (charges === undefined) return;
    this.#expected.delete(usage.requestId);
    const tokens = usage.inputTokens + usage.outputTokens;
    if (tokens > 0) for (const charge of charges) charge(tokens);
  }

  #prune(): void {
    if (this.#closed.length === 0) return;
    const before = this.#now() - CLOSED_GRACE_MS;
    let done = 0;
    while (done < this.#closed.length && (this.#closed[done]?.atMs ?? 0) <= before) {
      this.#expected.delete(this.#closed[done]?.requestId ?? '');
      done++;
    }
    if (done > 0) this.#closed.splice(0, done);
  }
}

const processMeter = new TokenMeter();

/** The meter limit plugins of this process register with. */
export function processTokenMeter(): TokenMeter {
  return processMeter;
}

/** A UsageSink that feeds `sink` (observability, when given) and then this process's token limits. */
export function withTokenMeter(sink: UsageSink | undefined): UsageSink {
  if (sink === undefined) return processMeter;
  return {
    record(usage, response) {
      sink.record(usage, response);
      processMeter.record(usage);
    },
  };
}
