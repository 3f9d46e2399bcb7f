/**
 * Upstream test servers on 127.0.0.1:0: HTTP/1.1, h2c (prior knowledge) and TLS (h2 + HTTP/1.1 via ALPN).
 * Each tracks its sockets so `close()` never hangs on a keep-alive connection.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureServer, createServer as createH2cServer } from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { AddressInfo, Server, Socket } from 'node:net';
import { TEST_CERT, TEST_KEY } from './tls.ts';

export type UpstreamHandler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;

export interface TestUpstream {
  /** "127.0.0.1:port" (a target string). */
  readonly hostPort: string;
  readonly port: number;
  /** Requests received so far. */
  readonly requests: number;
  close(): Promise<void>;
}

async function track(server: Server, counted: { requests: number }): Promise<TestUpstream> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hostPort: `127.0.0.1:${port}`,
    port,
    get requests() {
      return counted.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function counting(handler: UpstreamHandler): { counted: { requests: number }; wrapped: UpstreamHandler } {
  const counted = { requests: 0 };
  return {
    counted,
    wrapped: (req, res) => {
      counted.requests++;
      handler(req, res);
    },
  };
}

export function startUpstream(handler: UpstreamHandler): Promise<TestUpstream> {
  const { counted, wrapped } = counting(handler);
  return track(createServer(wrapped), counted);
}

export function startH2cUpstream(handler: UpstreamHandler): Promise<TestUpstream> {
  const { counted, wrapped } = counting(handler);
  return track(createH2cServer(wrapped), counted);
}

/** TLS upstream (test CA) offering h2 and http/1.1. */
export function startTlsUpstream(handler: UpstreamHandler): Promise<TestUpstream> {
  const { counted, wrapped } = counting(handler);
  return track(createSecureServer({ key: TEST_KEY, cert: TEST_CERT, allowHTTP1: true }, wrapped), counted);
}

/** Answers with a JSON echo of what arrived: method, url, headers, httpVersion. */
export const echoHandler: UpstreamHandler = (req, res) => {
  const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, httpVersion: req.httpVersion });
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', String(Buffer.byteLength(body)));
  res.end(body);
};
