/**
 * Preparing a cross-dialect call: translate, serialize once, and — outside strict mode — offer the
 * exchange one retry for an upstream that rejects the output limit stating a lower one
 * (src/ai/providers/stated-output-limit.ts): the same client request translated again with that limit,
 * so the clamp is reported in `x-louai-dropped-params` like any other.
 * A request-scope limit (what a nearly full context window leaves) below MIN_RETRY_ROOM_TOKENS is no
 * retry: the client had better see the context error (Claude Code compacts its conversation on it).
 */
import type { PreparedCall } from '../exchange/exchange-types.ts';
import { TranslatingRelay } from '../exchange/translating-relay.ts';
import { statedOutputLimit } from '../providers/stated-output-limit.ts';
import type { AiTranslator } from '../translate/translator.ts';

/** A translated call: its body is always text the gateway serialized. */
export type TranslatedPreparedCall = PreparedCall & { readonly body: string };

/**
 * A PreparedCall with `retryFor`: after an error answer (status, body text), the call to send instead to
 * the same target and key, once (the retry has no `retryFor`), or undefined.
 */
export type RetryablePreparedCall = TranslatedPreparedCall & {
  readonly retryFor?: (status: number, bodyText: string) => PreparedCall | undefined;
};

/** Builds the call for a given output-token limit (a fresh translator each time). */
export type CallAtLimit = (maxOutputTokens: number) => TranslatedCall;

export interface TranslatedCall {
  readonly call: TranslatedPreparedCall;
  /** The output limit in the upstream body (`max_tokens` / `max_completion_tokens`). */
  readonly sentMaxTokens: number | undefined;
}

const MIN_RETRY_ROOM_TOKENS = 1024;
const LIMIT_ERROR_STATUSES = new Set([400, 422]);

function numberField(body: unknown, name: string): number | undefined {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'number' ? value : undefined;
}

/**
 * Translates `clientBody` with `translator` and pairs the upstream body with its relay; `onSerialized`
 * sees the body text's length (e.g. for a free input-token estimate).
 */
export function translateCall<In>(translator: AiTranslator<In, unknown, unknown, unknown>, clientBody: In, onSerialized?: (chars: number) => void): TranslatedCall {
  const translated = translator.translateRequest(clientBody);
  const body = JSON.stringify(translated.body);
  onSerialized?.(body.length);
  const sentMaxTokens = numberField(translated.body, 'max_tokens') ?? numberField(translated.body, 'max_completion_tokens');
  return { call: { body, relay: new TranslatingRelay(translator), dropped: translated.dropped }, sentMaxTokens };
}

/** The call at `maxOutputTokens`, with the stated-limit retry unless `isStrict`. */
export function prepareWithLimitRetry(atLimit: CallAtLimit, maxOutputTokens: number, isStrict: boolean): RetryablePreparedCall {
  const { call, sentMaxTokens } = atLimit(maxOutputTokens);
  if (isStrict || sentMaxTokens === undefined) return call;
  const retryFor = (status: number, bodyText: string): PreparedCall | undefined => {
    if (!LIMIT_ERROR_STATUSES.has(status)) return undefined;
    const stated = statedOutputLimit(bodyText);
    if (stated === undefined || stated.tokens >= sentMaxTokens) return undefined;
    if (stated.scope === 'request' && stated.tokens < MIN_RETRY_ROOM_TOKENS) return undefined;
    return atLimit(stated.tokens).call;
  };
  return { ...call, retryFor };
}
