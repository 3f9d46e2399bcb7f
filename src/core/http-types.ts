/**
 * The request/response pair a worker handles. HTTP/1.1 (node:http) and HTTP/2 (node:http2 compatibility
 * API) share these shapes, so every handler takes the union and never assumes one protocol.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

export type GatewayRequest = IncomingMessage | Http2ServerRequest;
export type GatewayResponse = ServerResponse | Http2ServerResponse;

/** Header map as sent upstream or to the client: lower-case names, repeated values as arrays. */
export type HeaderMap = Record<string, string | string[]>;
