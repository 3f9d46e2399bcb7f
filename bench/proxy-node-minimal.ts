/**
 * The reference Node proxy: the least a Node 24 reverse proxy can do per request, so louailink's cost can be
 * read as a ratio against it. node:http server + one undici Pool (unlimited connections) driven through the
 * low-level dispatch() handler API: bytes are forwarded unchanged in both directions, response backpressure
 * pauses the upstream, and a client that goes away aborts the upstream request.
 *   node bench/proxy-node-minimal.ts --port 19102 --upstream http://127.0.0.1:19100
 */
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' } } });
const port = Number(values.port);
const upstream = values.upstream ?? '';
if (!Number.isInteger(port) || upstream === '') {
  process.stderr.write('usage: proxy-node-minimal.ts --port N --upstream http://host:port\n');
  process.exit(2);
}

// RFC 9110 §7.6.1 hop-by-hop headers, plus those undici refuses (keep-alive, transfer-encoding, upgrade,
// expect) and host (undici sends the upstream's own host).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer',
  'upgrade', 'host', 'expect']);

function filterRawHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (!HOP_BY_HOP.has(name.toLowerCase())) out.push(name, raw[i + 1] ?? '');
  }
  return out;
}

function filterHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) out[name] = headers[name];
  return out;
}

const pool = new Pool(upstream, { connections: null, keepAliveTimeout: 60_000, headersTimeout: 300_000, bodyTimeout: 300_000 });

function proxy(req: IncomingMessage, res: ServerResponse): void {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const options: Dispatcher.DispatchOptions = {
    path: req.url ?? '/',
    method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: filterRawHeaders(req.rawHeaders),
    body: hasBody ? req : null,
  };
  pool.dispatch(options, {
    onRequestStart(controller) {
      res.once('close', () => { if (!res.writableFinished) controller.abort(new Error('client closed')); });
    },
    onResponseStart(_controller, statusCode, headers) {
      res.writeHead(statusCode, filterHeaders(headers));
    },
    onResponseData(controller, chunk) {
      if (!res.write(chunk)) {
        controller.pause();
        res.once('drain', () => controller.resume());
      }
    },
    onResponseEnd() {
      res.end();
    },
    onResponseError(_controller, err) {
      if (res.headersSent) res.destroy(err);
      else if (!res.destroyed) res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway\n');
    },
  });
}

const server = http.createServer({ keepAliveTimeout: 120_000, requestTimeout: 0 }, proxy);
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
process.title = 'bench-node-minimal';
process.on('SIGTERM', () => process.exit(0));
