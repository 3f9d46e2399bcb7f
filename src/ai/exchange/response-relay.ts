/**
 * The response side of one upstream attempt, in the client's dialect: error answers, JSON answers and SSE
 * streams. Two implementations: PassthroughRelay (same dialect, bytes through, usage observed) and
 * TranslatingRelay (a translator of src/ai/translate). A relay serves exactly one attempt.
 */
import type { UpstreamHeaders } from '../providers/provider.ts';
import type { StreamOutcome } from '../translate/translator.ts';
import type { TokenUsage } from '../translate/usage.ts';

export type ClientAiDialect = 'openai' | 'anthropic';

export interface RelayedError {
  readonly status: number;
  /** Lower-case names: content type plus the retry hints and upstream request id worth keeping. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface ResponseRelay {
  /** An upstream answer with status ≥ 400 → the client's error answer (status kept; 529 → 503 for OpenAI clients). */
  renderError(status: number, bodyText: string, headers: UpstreamHeaders): RelayedError;
  /** Headers of the client's 2xx head (content type, upstream request id). */
  responseHeaders(upstream: UpstreamHeaders): Record<string, string>;
  /** A 2xx JSON body → the client's body. Throws when the upstream body is not a JSON object. */
  relayJson(body: Uint8Array): Uint8Array | string;
  /** Next upstream SSE bytes → bytes for the client (empty when nothing is due yet). */
  push(chunk: Uint8Array | string): Uint8Array | string;
  /** The upstream stream ended (EOF) → the last bytes; an error event when it ended early. */
  end(): string;
  /** The upstream stream failed (reset, idle timeout) → an error event for the client. */
  fail(): string;
  readonly streamOutcome: StreamOutcome;
  readonly usage: TokenUsage;
}
