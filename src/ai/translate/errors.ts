/**
 * Upstream error → error in the client's dialect (ai-gateways.md §2.4), both for HTTP error responses
 * and for errors inside a stream. The status drives the SDKs' error classes (a 429 must reach an OpenAI
 * client as `RateLimitError`), so it is kept — except Anthropic's 529, which OpenAI clients do not know:
 * it becomes 503. `retry-after` (and `retry-after-ms`) and the upstream request id are kept.
 */
import { utf8Text } from '../../lib/utf8-text.ts';
import { isRecord } from './json-values.ts';
import type { AnthropicErrorBody, OpenAiErrorBody } from './wire-types.ts';

export interface TranslatedError<Body> {
  readonly status: number;
  /** Lower-case names; only the headers worth keeping (retry hints, upstream request id). */
  readonly headers: Record<string, string>;
  readonly body: Body;
}

const KEPT_HEADERS = ['retry-after', 'retry-after-ms', 'request-id', 'x-request-id'] as const;

interface OpenAiShape { readonly status: number; readonly type: string; readonly code: string | null }

/** Anthropic error type → OpenAI status, type and code. */
const FROM_ANTHROPIC: Readonly<Record<string, OpenAiShape>> = {
  invalid_request_error: { status: 400, type: 'invalid_request_error', code: null },
  authentication_error: { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' },
  billing_error: { status: 402, type: 'insufficient_quota', code: 'insufficient_quota' },
  permission_error: { status: 403, type: 'permission_error', code: 'insufficient_permissions' },
  not_found_error: { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
  request_too_large: { status: 413, type: 'invalid_request_error', code: 'request_too_large' },
  rate_limit_error: { status: 429, type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' },
  api_error: { status: 500, type: 'server_error', code: null },
  timeout_error: { status: 504, type: 'server_error', code: 'timeout' },
  overloaded_error: { status: 503, type: 'server_error', code: 'overloaded' },
};

function anthropicTypeForStatus(status: number): string {
  switch (status) {
    case 400: case 422: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 402: return 'billing_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 503: case 529: return 'overloaded_error';
    case 504: return 'timeout_error';
    default: return status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

/** The body as the caller has it: raw bytes, text, or already parsed JSON. */
function parseBody(body: unknown): unknown {
  const text = body instanceof Uint8Array ? utf8Text(body) : body;
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function keptHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text !== undefined) out[name] = text;
  }
  return out;
}

/** The upstream's message, or a neutral one when its body is not the expected JSON (an HTML error page). */
function messageOf(error: unknown, status: number): string {
  if (isRecord(error) && typeof error.message === 'string' && error.message !== '') return error.message;
  return `upstream answered HTTP ${status}`;
}

/** An Anthropic `error` object (HTTP body's or a stream event's `error`) → OpenAI status and body. */
export function openAiErrorFromAnthropicError(error: unknown, status?: number): { status: number; body: OpenAiErrorBody } {
  const type = isRecord(error) && typeof error.type === 'string' ? error.type : anthropicTypeForStatus(status ?? 500);
  const shape = FROM_ANTHROPIC[type] ?? FROM_ANTHROPIC[anthropicTypeForStatus(status ?? 500)] ?? { status: 500, type: 'server_error', code: null };
  const outStatus = status === undefined || status === 529 ? shape.status : status;
  return { status: outStatus, body: { error: { message: messageOf(error, status ?? shape.status), type: shape.type, param: null, code: shape.code } } };
}

/** Anthropic upstream HTTP error → OpenAI client error. */
export function translateAnthropicError(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string | string[] | undefined>> = {},
): TranslatedError<OpenAiErrorBody> {
  const parsed = parseBody(body);
  const error = isRecord(parsed) ? parsed.error : undefined;
  const translated = openAiErrorFromAnthropicError(isRecord(error) ? error : { type: anthropicTypeForStatus(status) }, status);
  return { status: translated.status, headers: keptHeaders(headers), body: translated.body };
}

/** An OpenAI `error` object (HTTP body's or a stream chunk's) → Anthropic body. */
export function anthropicErrorFromOpenAiError(error: unknown, status: number): AnthropicErrorBody {
  let type = anthropicTypeForStatus(status);
  if (isRecord(error) && (error.code === 'insufficient_quota' || error.type === 'insufficient_quota')) type = 'billing_error';
  return { type: 'error', error: { type, message: messageOf(error, status) } };
}

/** OpenAI-compatible upstream HTTP error → Anthropic client error (the status is kept). */
export function translateOpenAiError(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string | string[] | undefined>> = {},
): TranslatedError<AnthropicErrorBody> {
  const parsed = parseBody(body);
  const error = isRecord(parsed) ? parsed.error : undefined;
  // Some vendors put a bare string in `error` or answer `{"message": …}`.
  const normalized = typeof error === 'string' ? { message: error } : isRecord(error) ? error : parsed;
  return { status, headers: keptHeaders(headers), body: anthropicErrorFromOpenAiError(normalized, status) };
}
