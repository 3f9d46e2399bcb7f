/**
 * What an upstream failure means for routing (ai-gateways.md §1 "Retries", llm-gateway-lite's rules):
 * - key level (401, 402, 403, 429, a 400 worded as an exhausted quota or balance): the key cools down and
 *   another key or provider is tried;
 * - provider level (connect errors, timeouts, 408, 5xx, 529): another provider is tried, the key stays;
 * - anything else (400, 404, 413, 422 …) is the request's fault: answered to the client at once.
 */

export type FailureScope = 'key' | 'provider' | 'final';

export interface FailureVerdict {
  readonly scope: FailureScope;
  /** Cooldown reason for key-level failures ("429", "401", "quota" …). */
  readonly reason: string;
  /** From `retry-after-ms` / `retry-after` (seconds or HTTP date), when the upstream sent one. */
  readonly retryAfterMs: number | undefined;
}

/** Words vendors use in a 400 when the account is out of quota or credit (OpenAI, DeepSeek, Zhipu, Bailian …). */
const QUOTA_RE = /quota|insufficient|balance|credit|billing|exceeded your current|arrear|余额|欠费/i;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Milliseconds to wait from `retry-after-ms`, `retry-after` seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const text = header(headers, 'retry-after');
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (text.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(date - nowMs, 0);
}

export function verdictForStatus(status: number, bodyText: string, headers: Headers, nowMs: number): FailureVerdict {
  const retryAfterMs = parseRetryAfterMs(headers, nowMs);
  if (status === 401 || status === 402 || status === 403 || status === 429) return { scope: 'key', reason: String(status), retryAfterMs };
  if (status === 400 && QUOTA_RE.test(bodyText)) return { scope: 'key', reason: 'quota', retryAfterMs };
  if (status === 408 || status >= 500) return { scope: 'provider', reason: String(status), retryAfterMs };
  return { scope: 'final', reason: String(status), retryAfterMs };
}
