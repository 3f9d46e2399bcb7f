/** Cross-dialect relay: every method delegates to the request's translator (src/ai/translate). */
import { utf8Text } from '../../lib/utf8-text.ts';
import type { UpstreamHeaders } from '../providers/provider.ts';
import type { AiTranslator, StreamOutcome } from '../translate/translator.ts';
import type { TokenUsage } from '../translate/usage.ts';
import type { PreparedCall } from './exchange-types.ts';
import type { RelayedError, ResponseRelay } from './response-relay.ts';

// The relay never looks at the translator's request types, only at its response side.
type AnyTranslator = AiTranslator<never, unknown, unknown, unknown>;

/** Translates the client body with a fresh translator and pairs the upstream body with its relay. */
export function prepareTranslated<In>(translator: AiTranslator<In, unknown, unknown, unknown>, clientBody: In): PreparedCall {
  const translated = translator.translateRequest(clientBody);
  return { body: JSON.stringify(translated.body), relay: new TranslatingRelay(translator), dropped: translated.dropped };
}

export class TranslatingRelay implements ResponseRelay {
  readonly #translator: AnyTranslator;

  constructor(translator: AnyTranslator) {
    this.#translator = translator;
  }

  get streamOutcome(): StreamOutcome {
    return this.#translator.streamOutcome;
  }

  get usage(): TokenUsage {
    return this.#translator.usage;
  }

  renderError(status: number, bodyText: string, headers: UpstreamHeaders): RelayedError {
    const translated = this.#translator.translateError(status, bodyText, headers);
    return { status: translated.status, headers: { ...translated.headers, 'content-type': 'application/json' }, body: JSON.stringify(translated.body) };
  }

  responseHeaders(upstream: UpstreamHeaders): Record<string, string> {
    return this.#translator.responseHeaders(upstream);
  }

  relayJson(body: Uint8Array): string {
    return JSON.stringify(this.#translator.translateResponse(JSON.parse(utf8Text(body)) as unknown));
  }

  push(chunk: Uint8Array | string): string {
    return this.#translator.pushStream(chunk);
  }

  end(): string {
    return this.#translator.endStream();
  }

  /** A reset or idle timeout is an early end to the translator: it emits its truncation error event. */
  fail(): string {
    return this.#translator.endStream();
  }
}
