/**
 * The output-token limit an upstream states when it rejects `max_tokens` (or `max_completion_tokens`),
 * read from the error's message in the wordings vendors use. Two kinds:
 * - model: the model's own output limit (OpenAI, DeepSeek, Alibaba Bailian, Volcengine Ark, Groq,
 *   Anthropic) — the same for every request, so it may be remembered;
 * - request: what this request's context window leaves after its input (vLLM, SGLang, OpenRouter, OpenAI's
 *   older context error) — for this request only.
 * Patterns are anchored at the start of the message the upstream wrote (never the raw body), so a
 * client's own text quoted later in an error cannot pose as a limit.
 */
import { isRecord } from '../translate/json-values.ts';

export interface StatedOutputLimit {
  /** Most output tokens the upstream accepts. */
  readonly tokens: number;
  readonly scope: 'model' | 'request';
}

type Reader = (match: RegExpExecArray) => number;

const first: Reader = (m) => Number(m[1]);
/** Context window minus input tokens. */
const room: Reader = (m) => Number(m[1]) - Number(m[2]);

const PATTERNS: ReadonlyArray<{ readonly re: RegExp; readonly scope: StatedOutputLimit['scope']; readonly read: Reader }> = [
  // OpenAI: "max_tokens is too large: 64000. This model supports at most 16384 completion tokens, whereas you provided 64000."
  { re: /^max_(?:completion_)?tokens is too large: \d+\. This model supports at most (\d+) completion tokens/i, scope: 'model', read: first },
  // DeepSeek: "Invalid max_tokens value, the valid range of max_tokens is [1, 8192]"
  { re: /^Invalid max_tokens value, the valid range of max_tokens is \[\s*\d+\s*,\s*(\d+)\s*\]/i, scope: 'model', read: first },
  // Alibaba Bailian: "<400> InternalError.Algo.InvalidParameter: Range of max_tokens should be [1, 8192]"
  { re: /^(?:<\d+> [\w.]+: )?Range of max_tokens should be \[\s*\d+\s*,\s*(\d+)\s*\]/i, scope: 'model', read: first },
  // Volcengine Ark: "The parameter `max_tokens` specified in the request is not valid: integer above maximum value, expected a value <= 32768, but got 64000 instead."
  { re: /^The parameter `?max_(?:completion_)?tokens`? specified in the request (?:is|are) not valid: integer above maximum value, expected a value <= (\d+)/i, scope: 'model', read: first },
  // Groq: "`max_tokens` must be less than or equal to `32768`, the maximum value for `max_tokens` is …"
  { re: /^`?max_(?:completion_)?tokens`? must be less than or equal to `?(\d+)`?/i, scope: 'model', read: first },
  // Anthropic: "max_tokens: 64001 > 64000, which is the maximum allowed number of output tokens for claude-…"
  { re: /^max_tokens: \d+ > (\d+), which is the maximum allowed number of output tokens/i, scope: 'model', read: first },
  // vLLM: "'max_tokens' or 'max_completion_tokens' is too large: 64000. This model's maximum context length is 32768 tokens and your request has 1234 input tokens (64000 > 32768 - 1234)."
  { re: /^'max_tokens' or 'max_completion_tokens' is too large: \d+\. This model's maximum context length is (\d+) tokens and your request has (\d+) input tokens/i, scope: 'request', read: room },
  // OpenAI (older) and older vLLM: "This model's maximum context length is 8192 tokens. However, you requested 8256 tokens (64 in the messages, 8192 in the completion)."
  // OpenRouter: "This endpoint's maximum context length is 163840 tokens. However, you requested about 200044 tokens (44 of text input, 200000 in the output)."
  { re: /^This (?:model|endpoint)'s maximum context length is (\d+) tokens\. However, you requested (?:about )?\d+ tokens \((\d+) (?:in the messages|of text input)/i, scope: 'request', read: room },
  // SGLang: "Requested token count exceeds the model's maximum context length of 32768 tokens. You requested a total of 64044 tokens: 44 tokens from the input messages and 64000 tokens for the completion."
  { re: /^Requested token count exceeds the model's maximum context length of (\d+) tokens\. You requested a total of \d+ tokens: (\d+) tokens from the input/i, scope: 'request', read: room },
];

/** Longest error body looked at; a token-limit error is short. */
const MAX_BODY_CHARS = 16_384;

/** The human-readable message of an error body: `error.message` (OpenAI, Anthropic), `message` (older vLLM) or `error` as a string (Ollama). */
function errorMessage(bodyText: string): string | undefined {
  if (bodyText.length > MAX_BODY_CHARS) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(bodyText) as unknown;
  } catch {
    return undefined;
  }
  if (!isRecord(body)) return undefined;
  if (isRecord(body.error) && typeof body.error.message === 'string') return body.error.message;
  if (typeof body.error === 'string') return body.error;
  return typeof body.message === 'string' ? body.message : undefined;
}

/** The limit stated in an upstream error body, or undefined when the body states none (or a nonsensical one). */
export function statedOutputLimit(bodyText: string): StatedOutputLimit | undefined {
  const message = errorMessage(bodyText)?.trimStart();
  if (message === undefined) return undefined;
  for (const { re, scope, read } of PATTERNS) {
    const match = re.exec(message);
    if (match === null) continue;
    const tokens = read(match);
    return Number.isSafeInteger(tokens) && tokens >= 1 ? { tokens, scope } : undefined;
  }
  return undefined;
}
