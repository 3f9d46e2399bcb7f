/**
 * Raw-socket SSE load client (keep-alive HTTP/1.1, one request at a time per connection).
 *   measure: `--conns` connections (started over `--ramp` s) each send the request in a loop; after `--warmup` s
 *            the client counts SSE events and samples the CPU ticks of the `--pgid` process groups for
 *            `--duration` s, then closes everything. TTFC = request written → first complete event. With
 *            `--ttft-marker S`, TTFT = request written → first bytes containing S (the first token's text).
 *   idle:    opens `--conns` streams, waits until each has its first event, prints SSE_IDLE_READY, then on a
 *            "close" line on stdin (or after `--hold` s) destroys every socket at once and exits.
 * Prints one line `SSE_JSON {...}` (measure) or `SSE_IDLE_READY {...}` / `SSE_IDLE_CLOSED {...}` (idle).
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SseResponseReader } from './lib/sse-response-reader.ts';
import { sampleGroups } from './lib/proc-stats.ts';
import { percentile } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    body: { type: 'string' },
    mode: { type: 'string', default: 'measure' },
    conns: { type: 'string', default: '50' },
    duration: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '0.5' },
    ramp: { type: 'string', default: '0' },
    pgid: { type: 'string', default: '' },
    hold: { type: 'string', default: '60' },
    path: { type: 'string', default: '/v1/chat/completions' },
    header: { type: 'string', multiple: true, default: [] },
    'ttft-marker': { type: 'string', default: '' },
  },
});

const port = Number(values.port);
const body = readFileSync(values.body ?? '');
const conns = Number(values.conns);
const durationMs = Number(values.duration) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const rampMs = Number(values.ramp) * 1000;
const pgids = values.pgid === '' ? [] : (values.pgid ?? '').split(',').map(Number);
const extraHeaders = (values.header ?? []).map((h) => `${h}\r\n`).join('');
const request = Buffer.concat([
  Buffer.from(`POST ${values.path ?? '/'} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n` +
    `accept: text/event-stream\r\n${extraHeaders}content-length: ${body.length}\r\n\r\n`),
  body,
]);
/** Bytes that mark the first token (searched in the raw bytes, across reads); empty = not measured. */
const marker = Buffer.from(values['ttft-marker'] ?? '');

const sockets = new Set<net.Socket>();
let stopped = false;

interface Totals {
  eventsInWindow: number;
  streamsDone: number;
  ttfcMs: number[];
  ttftMs: number[];
  streamMs: number[];
  /** Events of each stream that ended inside the window. */
  streamEvents: number[];
  errors: number;
  non200: number;
}
const totals: Totals = { eventsInWindow: 0, streamsDone: 0, ttfcMs: [], ttftMs: [], streamMs: [], streamEvents: [], errors: 0, non200: 0 };
let windowStart = Number.POSITIVE_INFINITY;
let windowEnd = Number.POSITIVE_INFINITY;

/** One keep-alive connection; `onFirstEvent` fires once per stream. */
function openConnection(loop: boolean, onFirstEvent: () => void, onFailure: () => void): void {
  if (stopped) return;
  let sentAt = 0;
  let gotFirst = false;
  let gotMarker = marker.length === 0;
  let tail: Buffer = Buffer.alloc(0);
  let events = 0;
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  sockets.add(socket);
  const reader = new SseResponseReader({
    onHead(status) {
      if (status !== 200) totals.non200++;
    },
    onEvents(count) {
      const now = performance.now();
      events += count;
      if (!gotFirst) {
        gotFirst = true;
        if (sentAt >= windowStart && sentAt < windowEnd) totals.ttfcMs.push(now - sentAt);
        onFirstEvent();
      }
      if (now >= windowStart && now < windowEnd) totals.eventsInWindow += count;
    },
    onEnd() {
      const now = performance.now();
      if (now >= windowStart && now < windowEnd) {
        totals.streamsDone++;
        totals.streamMs.push(now - sentAt);
        totals.streamEvents.push(events);
      }
      if (loop && !stopped) send();
    },
  });
  const send = (): void => {
    reader.reset();
    gotFirst = false;
    gotMarker = marker.length === 0;
    tail = Buffer.alloc(0);
    events = 0;
    sentAt = performance.now();
    socket.write(request);
  };
  socket.on('connect', send);
  socket.on('data', (data: Buffer) => {
    if (!gotMarker) {
      const hay = tail.length === 0 ? data : Buffer.concat([tail, data]);
      if (hay.includes(marker)) {
        gotMarker = true;
        if (sentAt >= windowStart && sentAt < windowEnd) totals.ttftMs.push(performance.now() - sentAt);
      } else tail = hay.subarray(Math.max(0, hay.length - marker.length + 1));
    }
    try {
      reader.push(data);
    } catch {
      totals.errors++;
      socket.destroy();
    }
  });
  socket.on('error', () => {
    if (!stopped) totals.errors++;
  });
  socket.on('close', () => {
    sockets.delete(socket);
    if (!gotFirst) onFailure();
    // A server that closes a keep-alive connection gets a new one (load tests keep the connection count).
    if (loop && !stopped) openConnection(loop, onFirstEvent, onFailure);
  });
}

function stopAll(): void {
  stopped = true;
  for (const socket of sockets) socket.destroy();
}

function measure(): void {
  const t0 = performance.now();
  windowStart = t0 + warmupMs;
  windowEnd = windowStart + durationMs;
  for (let i = 0; i < conns; i++) {
    setTimeout(() => openConnection(true, () => {}, () => {}), (i * rampMs) / conns);
  }
  let ticksAtStart = 0;
  setTimeout(() => {
    ticksAtStart = sampleGroups(pgids).ticks;
  }, windowStart - t0);
  setTimeout(() => {
    const ticks = sampleGroups(pgids).ticks - ticksAtStart;
    stopAll();
    const result = {
      windowS: durationMs / 1000,
      events: totals.eventsInWindow,
      eventsPerS: totals.eventsInWindow / (durationMs / 1000),
      streams: totals.streamsDone,
      proxyTicks: ticks,
      ttfcP50Ms: percentile(totals.ttfcMs, 50),
      ttfcP99Ms: percentile(totals.ttfcMs, 99),
      ttftP50Ms: percentile(totals.ttftMs, 50),
      ttftP99Ms: percentile(totals.ttftMs, 99),
      eventsPerStream: totals.streamEvents.length === 0 ? 0
        : totals.streamEvents.reduce((a, b) => a + b, 0) / totals.streamEvents.length,
      streamP50Ms: percentile(totals.streamMs, 50),
      streamP99Ms: percentile(totals.streamMs, 99),
      errors: totals.errors,
      non200: totals.non200,
    };
    process.stdout.write(`SSE_JSON ${JSON.stringify(result)}\n`);
    setTimeout(() => process.exit(0), 50);
  }, windowEnd - t0);
}

function idle(): void {
  let ready = 0;
  let failed = 0;
  let reported = false;
  const report = (): void => {
    if (reported) return;
    reported = true;
    process.stdout.write(`SSE_IDLE_READY ${JSON.stringify({ ready, failed })}\n`);
  };
  const check = (): void => {
    if (ready + failed >= conns) report();
  };
  for (let i = 0; i < conns; i++) {
    setTimeout(() => openConnection(false, () => { ready++; check(); }, () => { failed++; check(); }), (i * rampMs) / conns);
  }
  const readyTimer = setTimeout(report, rampMs + 10_000);
  const close = (): void => {
    clearTimeout(readyTimer);
    report();
    const open = sockets.size;
    stopAll();
    process.stdout.write(`SSE_IDLE_CLOSED ${JSON.stringify({ closed: open })}\n`);
    setTimeout(() => process.exit(0), 50);
  };
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (line: string) => { if (line.includes('close')) close(); });
  setTimeout(close, Number(values.hold) * 1000).unref();
}

process.title = 'bench-sse-client';
if (values.mode === 'idle') idle();
else measure();
