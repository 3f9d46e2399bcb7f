/**
 * The one error catalogue. Every error the gateway itself answers with is a `GatewayError` carrying a
 * stable `code` from this table; status, source and retryability live here and nowhere else.
 * Rendering into a client dialect (plain JSON, OpenAI, Anthropic) is `renderError` in ./render-error.ts.
 */

export type ErrorSource = 'client' | 'upstream' | 'gateway';

export interface ErrorSpec {
  readonly status: number;
  readonly source: ErrorSource;
  /** Safe to try another target/provider when nothing has been sent to the client yet. */
  readonly retryable: boolean;
  /** Default human message; a thrown error may give a more specific one. */
  readonly message: string;
}

export const ERROR_CATALOGUE = {
  route_not_found: { status: 404, source: 'client', retryable: false, message: 'no route matches this host and path' },
  bad_request: { status: 400, source: 'client', retryable: false, message: 'the request is malformed' },
  method_not_allowed: { status: 405, source: 'client', retryable: false, message: 'method not allowed on this endpoint' },
  body_too_large: { status: 413, source: 'client', retryable: false, message: 'request body exceeds the configured limit' },
  model_not_found: { status: 404, source: 'client', retryable: false, message: 'the requested model does not exist' },
  upstream_connect_error: { status: 502, source: 'upstream', retryable: true, message: 'could not connect to the upstream' },
  upstream_error: { status: 502, source: 'upstream', retryable: false, message: 'the upstream failed while answering' },
  upstream_timeout: { status: 504, source: 'upstream', retryable: false, message: 'the upstream did not answer in time' },
  no_upstream_available: { status: 503, source: 'gateway', retryable: false, message: 'no upstream target is available' },
  shutting_down: { status: 503, source: 'gateway', retryable: true, message: 'the gateway is shutting down' },
  internal_error: { status: 500, source: 'gateway', retryable: false, message: 'internal gateway error' },
  // Access control and limits (src/plugins, src/limits).
  unauthorized: { status: 401, source: 'client', retryable: false, message: 'a valid gateway key is required' },
  key_expired: { status: 401, source: 'client', retryable: false, message: 'the gateway key has expired' },
  forbidden: { status: 403, source: 'client', retryable: false, message: 'the request is not allowed' },
  project_inactive: { status: 403, source: 'client', retryable: false, message: 'the project of this gateway key is inactive' },
  model_not_allowed: { status: 403, source: 'client', retryable: false, message: 'this gateway key may not use the requested model' },
  rate_limited: { status: 429, source: 'client', retryable: false, message: 'rate limit exceeded, retry after the indicated time' },
  quota_exceeded: { status: 429, source: 'client', retryable: false, message: 'quota exceeded' },
  concurrency_exceeded: { status: 503, source: 'gateway', retryable: false, message: 'too many concurrent requests' },
  upstream_concurrency_exceeded: { status: 503, source: 'gateway', retryable: true, message: 'every provider key of this model is at its concurrency cap' },
  circuit_open: { status: 503, source: 'upstream', retryable: true, message: 'the upstream is failing; its circuit breaker is open' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly source: ErrorSource;
  readonly retryable: boolean;
  /** Extra response headers (e.g. `retry-after`). */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; headers?: Record<string, string> }) {
    const spec: ErrorSpec = ERROR_CATALOGUE[code];
    super(message ?? spec.message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = spec.status;
    this.source = spec.source;
    this.retryable = spec.retryable;
    this.headers = options?.headers;
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}
