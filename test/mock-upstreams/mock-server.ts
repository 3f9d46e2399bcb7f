/**
 * The HTTP part shared by both mocks: a node:http server on 127.0.0.1:0 that records every request (method,
 * path, query, headers, raw and parsed body), hands each one to the dialect's handler as an `Exchange`, and
 * closes without waiting for keep-alive or hanging connections. Every wait inside a handler uses the
 * exchange's `signal`, aborted when the client goes away or the mock closes, so nothing outlives `close()`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Responder, ScriptBook, ScriptTarget, Step, StepSource } from './script.ts';

export interface RecordedRequest {
  /** 1-based arrival number on this mock (used in response ids such as `req_mock_3`). */
  readonly seq: number;
  readonly method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case names, as received (repeated headers joined with ", "). */
  readonly headers: Readonly<Record<string, string>>;
  readonly rawBody: string;
  /** The body parsed as JSON, or undefined when empty or not JSON. */
  readonly body: unknown;
  /** The credential the request carried (`authorization: Bearer`, `api-key` or `x-api-key`), if any. */
  key: string | undefined;
  /** Which script entry answered (unset for unscripted endpoints and auth failures). */
  stepSource: StepSource | undefined;
  /** The status of the response head, set as it is written (unset for a reset before it, or a hang). */
  status: number | undefined;
  /** Wire-format violations found by a mock that validates requests (`validateRequests`); empty otherwise. */
  problems: readonly RequestProblem[];
  readonly receivedAtMs: number;
}

/** A rule of the provider's API that a request breaks, with the parameter path the provider would name. */
export interface RequestProblem {
  readonly param: string;
  readonly message: string;
}

export interface Exchange {
  readonly req: RecordedRequest;
  readonly res: ServerResponse;
  readonly socket: Socket;
  /** Aborted when the client disconnects or the mock closes. */
  readonly signal: AbortSignal;
}

export type ExchangeHandler = (exchange: Exchange) => Promise<void>;

export interface MockServer {
  readonly port: number;
  readonly origin: string;
  readonly requests: RecordedRequest[];
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Listens on 127.0.0.1:`port` (0 = any free port). */
export async function startMockServer(handler: ExchangeHandler, port = 0): Promise<MockServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  const waiters = new Set<() => void>();
  let arrivals = 0;

  const server = createServer((req, res) => {
    void (async () => {
      const rawBody = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://mock');
      const recorded: RecordedRequest = {
        seq: ++arrivals,
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: flattenHeaders(req),
        rawBody,
        body: parseJson(rawBody),
        key: undefined,
        stepSource: undefined,
        status: undefined,
        problems: [],
        receivedAtMs: Date.now(),
      };
      requests.push(recorded);
      for (const wake of waiters) wake();
      const gone = new AbortController();
      res.once('close', () => gone.abort());
      const signal = AbortSignal.any([gone.signal, closing.signal]);
      await handler({ req: recorded, res, socket: req.socket, signal });
    })().catch(() => {
      // An aborted wait or a client that went away: nothing left to answer.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('mock failure');
      } else if (!res.writableEnded) {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;

  return {
    port: bound,
    origin: `http://127.0.0.1:${bound}`,
    requests,
    waitForRequests(count, timeoutMs = 5_000) {
      if (requests.length >= count) return Promise.resolve(requests.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`mock upstream: ${requests.length} of ${count} requests after ${timeoutMs} ms`));
        }, timeoutMs);
        const check = (): void => {
          if (requests.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(requests.slice());
        };
        waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What `startOpenAiMock` and `startAnthropicMock` return. */
export interface MockUpstream {
  /** The base URL as the provider's SDK takes it (`…/v1` for OpenAI, the origin for Anthropic). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in arrival order (live array; `reset()` empties it). */
  readonly requests: RecordedRequest[];
  /** Sets the default step, or queues it (`times`), for everyone or for one `key`. */
  setScript(step: Step, target?: ScriptTarget): void;
  /** Queues different steps for the next requests, in order (optionally for one key). */
  enqueue(steps: readonly Step[], key?: string): void;
  /** Answers from the request's content before any script (see `Responder`); `undefined` removes it. */
  respond(responder: Responder | undefined): void;
  /** Forgets all scripts and recorded requests. */
  reset(): void;
  /** Resolves once `count` requests have arrived (rejects after `timeoutMs`, default 5 s). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

export function toMockUpstream(server: MockServer, book: ScriptBook, url: string): MockUpstream {
  return {
    url,
    port: server.port,
    requests: server.requests,
    setScript: (step, target) => book.set(step, target),
    enqueue: (steps, key) => book.enqueue(steps, key),
    respond: (responder) => book.respond(responder),
    reset: () => {
      book.clear();
      server.requests.length = 0;
    },
    waitForRequests: (count, timeoutMs) => server.waitForRequests(count, timeoutMs),
    close: () => server.close(),
  };
}
