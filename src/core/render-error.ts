/**
 * Renders a GatewayError in the client's dialect. The only place that turns an error into bytes.
 * - plain:     {"error":"route_not_found","message":"…","request_id":"…"}
 * - openai:    {"error":{"message","type","param":null,"code"}}
 * - anthropic: {"type":"error","error":{"type","message"}}
 */
import type { GatewayError } from './errors.ts';

export type ClientDialect = 'plain' | 'openai' | 'anthropic';

export interface RenderedError {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** OpenAI `error.type` values as the OpenAI API uses them. */
function openAiType(err: GatewayError): string {
  if (err.status === 429) return 'rate_limit_exceeded';
  if (err.status === 401) return 'authentication_error';
  if (err.status === 403) return 'permission_error';
  if (err.status === 404) return 'invalid_request_error';
  if (err.source === 'client') return 'invalid_request_error';
  return 'api_error';
}

/** Anthropic `error.type` values (https://docs.anthropic.com/en/api/errors). */
function anthropicType(err: GatewayError): string {
  switch (err.status) {
    case 400: case 405: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 503: case 529: return 'overloaded_error';
    default: return 'api_error';
  }
}

export function renderError(err: GatewayError, dialect: ClientDialect, requestId?: string): RenderedError {
  let payload: unknown;
  if (dialect === 'openai') {
    payload = { error: { message: err.message, type: openAiType(err), param: null, code: err.code } };
  } else if (dialect === 'anthropic') {
    payload = { type: 'error', error: { type: anthropicType(err), message: err.message } };
  } else {
    payload = requestId === undefined
      ? { error: err.code, message: err.message }
      : { error: err.code, message: err.message, request_id: requestId };
  }
  const body = JSON.stringify(payload);
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...err.headers },
    body,
  };
}
