/**
 * node:http's 'clientError' (malformed request, header overflow, request-head timeout): answered with
 * the rendered 400 bad_request JSON written straight to the socket (there is no response object), with
 * a fresh request id, then the connection closes. Nothing is written when a response is already under
 * way on the socket or the peer is gone.
 */
import type { Duplex } from 'node:stream';
import { GatewayError } from '../core/errors.ts';
import { renderError } from '../core/render-error.ts';
import { generateRequestId } from './request-id.ts';

interface HttpSocket extends Duplex {
  /** node:http's in-flight response on this socket (internal, read-only use; same check as node's default handler). */
  readonly _httpMessage?: { readonly headersSent?: boolean } | null;
}

export function sendClientError(err: Error & { code?: string }, socket: HttpSocket): void {
  if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent === true) {
    socket.destroy();
    return;
  }
  const requestId = generateRequestId();
  const rendered = renderError(new GatewayError('bad_request', undefined, { cause: err }), 'plain', requestId);
  let head = `HTTP/1.1 ${rendered.status} Bad Request\r\n`;
  for (const [name, value] of Object.entries(rendered.headers)) head += `${name}: ${value}\r\n`;
  head += `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n`;
  socket.end(head + rendered.body);
}
