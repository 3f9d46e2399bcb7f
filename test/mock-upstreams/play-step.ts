/**
 * Plays one script step on an exchange, the same way for both dialects: slow first byte, faults (error
 * status, reset before or during the body, truncation, mid-stream error event, hang), then the rendered
 * reply as JSON or as paced SSE events. The dialect supplies only the rendering and its error shapes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Exchange } from './mock-server.ts';
import type { Fault, Step } from './script.ts';
import { loadFixtureText, splitSseEvents } from './fixtures.ts';

export type ErrorFault = Extract<Fault, { type: 'error' }>;
export type StreamErrorFault = Extract<Fault, { type: 'stream-error' }>;

export interface DialectErrors {
  /** Headers every response of this dialect carries (request id, …). */
  baseHeaders(exchange: Exchange): Record<string, string>;
  errorBody(fault: ErrorFault, exchange: Exchange): unknown;
  /** The encoded SSE event a provider sends when it fails mid-stream. */
  streamErrorEvent(fault: StreamErrorFault): string;
}

export interface Rendering {
  /** A non-streaming body (serialized as JSON). */
  readonly json?: unknown;
  /** Encoded SSE events, each ending with a blank line, terminator included. */
  readonly events?: readonly string[];
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/** Writes the response head and records its status on the request. */
function writeHead(exchange: Exchange, status: number, headers: Record<string, string>): void {
  exchange.req.status = status;
  exchange.res.writeHead(status, headers);
}

export function sendJson(exchange: Exchange, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  writeHead(exchange, status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
  });
  exchange.res.end(payload);
}

export function sendError(exchange: Exchange, dialect: DialectErrors, fault: ErrorFault, step: Step = {}): void {
  const headers = { ...dialect.baseHeaders(exchange), ...step.headers };
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  sendJson(exchange, fault.status, dialect.errorBody(fault, exchange), headers);
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function cutAfter(fault: Fault | undefined): number | undefined {
  if (fault === undefined || fault.type === 'error' || fault.type === 'hang') return undefined;
  return fault.afterEvents;
}

async function playEvents(exchange: Exchange, dialect: DialectErrors, step: Step, events: readonly string[]): Promise<void> {
  const { res, signal } = exchange;
  writeHead(exchange, 200, { ...dialect.baseHeaders(exchange), ...SSE_HEADERS, ...step.headers });
  res.flushHeaders();
  const cut = cutAfter(step.fault);
  for (let i = 0; i < events.length; i++) {
    if (cut !== undefined && i >= cut) break;
    if (i > 0 && step.paceMs) await sleep(step.paceMs, undefined, { signal });
    res.write(events[i]);
  }
  const fault = step.fault;
  if (fault?.type === 'reset' && cut !== undefined && cut < events.length) {
    // Let the written events reach the client before the RST discards what is still queued.
    await new Promise<void>((resolve) => res.write('', () => resolve()));
    exchange.socket.resetAndDestroy();
    return;
  }
  if (fault?.type === 'stream-error' && fault.afterEvents < events.length) res.write(dialect.streamErrorEvent(fault));
  res.end();
}

async function playJson(exchange: Exchange, dialect: DialectErrors, step: Step, json: unknown): Promise<void> {
  const fault = step.fault;
  const cut = cutAfter(fault);
  if (cut === undefined) {
    sendJson(exchange, 200, json, { ...dialect.baseHeaders(exchange), ...step.headers });
    return;
  }
  // A body cut short: the head promises the full length, half of it arrives.
  const payload = typeof json === 'string' ? json : JSON.stringify(json);
  const { res } = exchange;
  writeHead(exchange, 200, {
    ...dialect.baseHeaders(exchange),
    ...step.headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
  });
  await new Promise<void>((resolve) => res.write(payload.slice(0, Math.floor(payload.length / 2)), () => resolve()));
  if (fault?.type === 'reset') exchange.socket.resetAndDestroy();
  else exchange.socket.end();
}

/** Answers `exchange` with `step`; `render` builds the reply only when the step gets that far. */
export async function playStep(exchange: Exchange, dialect: DialectErrors, step: Step, render: () => Rendering): Promise<void> {
  if (step.firstByteDelayMs) await sleep(step.firstByteDelayMs, undefined, { signal: exchange.signal });
  const fault = step.fault;
  if (fault?.type === 'hang') return waitForAbort(exchange.signal);
  if (fault?.type === 'reset' && fault.afterEvents === undefined) {
    exchange.socket.resetAndDestroy();
    return;
  }
  if (fault?.type === 'error') return sendError(exchange, dialect, fault, step);
  if (step.replay !== undefined) {
    const raw = loadFixtureText(step.replay);
    if (step.replay.endsWith('.sse')) return playEvents(exchange, dialect, step, splitSseEvents(raw));
    return playJson(exchange, dialect, step, raw);
  }
  const rendering = render();
  if (rendering.events) return playEvents(exchange, dialect, step, rendering.events);
  return playJson(exchange, dialect, step, rendering.json);
}
