/**
 * Responses the gateway generates itself: errors (always through renderError, 'plain' dialect on
 * proxy routes) and plugin replies. Each carries `x-request-id`; a location's response header rules
 * apply to them as to upstream responses.
 */
import { Http2ServerResponse, constants as h2constants } from 'node:http2';
import type { GatewayError } from '../core/errors.ts';
import type { GatewayResponse, HeaderMap } from '../core/http-types.ts';
import { renderError } from '../core/render-error.ts';
import type { HeaderRuleSet } from './header-rules.ts';

export interface GeneratedResponseOptions {
  /** The location's response header rules (null outside a location or when none are configured). */
  readonly rules: HeaderRuleSet | null;
  /** Add `server: louailink` (basic.server_header). */
  readonly serverHeader: boolean;
}

export const NO_DECORATION: GeneratedResponseOptions = { rules: null, serverHeader: false };

/** True when nothing more can be written to the client (socket or HTTP/2 stream gone, or response ended). */
export function isResponseGone(res: GatewayResponse): boolean {
  if (res.writableEnded) return true;
  return res instanceof Http2ServerResponse ? res.stream.destroyed : res.destroyed;
}

/**
 * Writes the response head on either response class (TypeScript cannot call the overloads through the
 * union). With `isFlushed` an HTTP/1.1 head goes out now instead of with the first body chunk; the
 * HTTP/2 compat API always sends it at once.
 */
export function writeResponseHead(res: GatewayResponse, status: number, headers: HeaderMap, isFlushed: boolean): void {
  if (res instanceof Http2ServerResponse) {
    res.writeHead(status, headers);
    return;
  }
  res.writeHead(status, headers);
  if (isFlushed) res.flushHeaders();
}

/**
 * Sends head + body in one go. With `closeConnection` an HTTP/1.1 response carries `connection: close`
 * (the unread request body makes the connection unusable) and an HTTP/2 stream is reset with NO_ERROR
 * once the answer is out, which tells the client to stop uploading (RFC 9113 §8.1).
 */
export function sendGenerated(
  res: GatewayResponse,
  status: number,
  headers: HeaderMap,
  body: string | Buffer,
  requestId: string,
  options: GeneratedResponseOptions,
  closeConnection = false,
): void {
  if (isResponseGone(res)) return;
  headers['x-request-id'] = requestId;
  if (options.serverHeader) headers.server = 'louailink';
  if (options.rules !== null) options.rules.apply(headers);
  const isH2 = res instanceof Http2ServerResponse;
  if (closeConnection) {
    if (isH2) {
      const stream = res.stream;
      res.once('finish', () => {
        if (!stream.destroyed) stream.close(h2constants.NGHTTP2_NO_ERROR);
      });
    } else {
      headers.connection = 'close';
    }
  }
  try {
    writeResponseHead(res, status, headers, false);
    res.end(body);
  } catch {
    res.destroy();
  }
}

/**
 * Answers with the error, or, when the response head is already out, ends the response with an error
 * (HTTP/1.1: socket destroyed, so the client sees an incomplete body; HTTP/2: RST_STREAM).
 */
export function respondError(
  res: GatewayResponse,
  err: GatewayError,
  requestId: string,
  options: GeneratedResponseOptions,
  closeConnection = false,
): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  const rendered = renderError(err, 'plain', requestId);
  sendGenerated(res, rendered.status, rendered.headers, rendered.body, requestId, options, closeConnection);
}
