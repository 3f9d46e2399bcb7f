/**
 * Test support (not used by the gateway): a request/response pair shaped like node:http's, without a
 * socket, and an in-memory log writer, for the pure observability tests.
 */
import { EventEmitter } from 'node:events';
import type { GatewayRequest, GatewayResponse } from '../core/http-types.ts';
import type { LogWriter } from './access-log/log-writer.ts';

export interface FakeExchange {
  readonly req: GatewayRequest;
  readonly res: GatewayResponse;
  /** Sends the head with `status` and closes the response. */
  finish(status: number, headers?: Record<string, string>): void;
  /** Closes the response without a head (client gone). */
  abort(): void;
}

export function fakeExchange(method: string, url: string, headers: Record<string, string> = {}): FakeExchange {
  const req = Object.assign(new EventEmitter(), {
    method,
    url,
    httpVersion: '1.1',
    headers,
    socket: { remoteAddress: '127.0.0.1', remotePort: 50123 },
  });
  const sent: Record<string, string> = {};
  const res = Object.assign(new EventEmitter(), {
    headersSent: false,
    statusCode: 200,
    getHeader: (name: string) => sent[name],
    getHeaders: () => ({ ...sent }),
  });
  return {
    req: req as unknown as GatewayRequest,
    res: res as unknown as GatewayResponse,
    finish(status, responseHeaders = {}) {
      Object.assign(sent, responseHeaders);
      res.statusCode = status;
      res.headersSent = true;
      res.emit('close');
    },
    abort() {
      res.emit('close');
    },
  };
}

/** A log writer that keeps its lines in memory. */
export function memoryWriter(): LogWriter & { readonly lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (l) => void lines.push(l), flushSync: () => undefined, reopen: () => undefined, close: () => undefined };
}
