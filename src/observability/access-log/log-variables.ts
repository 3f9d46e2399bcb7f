/**
 * The access-log variables, nginx-style: each name maps to a reader of the finished RequestRecord.
 * A value that is not known renders as "-" (nginx's convention). `$http_<name>` reads a request header,
 * `$sent_http_<name>` a response header ("_" in the name stands for "-").
 */
import type { LogVariableName, LogVariableRef } from '../../config/log-format.ts';
import type { RequestRecord } from '../request-record.ts';

export type VariableReader = (record: RequestRecord) => string | number | undefined;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

let cachedSecond = -1;
let cachedTimeLocal = '';

/** nginx's $time_local in UTC: 22/Nov/2026:03:37:20 +0000 (built once per second). */
export function formatTimeLocal(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedTimeLocal = buildTimeLocal(epochMs);
  }
  return cachedTimeLocal;
}

function buildTimeLocal(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

/** Milliseconds as nginx prints times: seconds with millisecond resolution ("0.012"). */
const seconds = (ms: number): string | undefined => (ms < 0 ? undefined : (ms / 1000).toFixed(3));
const known = (n: number): number | undefined => (n < 0 ? undefined : n);
const text = (s: string): string | undefined => (s === '' ? undefined : s);

function pathOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function argsOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  return q < 0 ? undefined : url.slice(q + 1);
}

/** nginx prints upstream addresses as host:port; the proxy reports origins ("http://host:port"). */
function stripScheme(origin: string): string {
  const at = origin.indexOf('://');
  return at < 0 ? origin : origin.slice(at + 3);
}

/** Answers the gateway generates itself are not counted chunk by chunk: their content-length says it. */
function bodyLengthOf(r: RequestRecord): number {
  const length = Number(r.res.getHeader('content-length'));
  return r.req.method === 'HEAD' || !Number.isFinite(length) ? 0 : length;
}

function headerText(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** One reader per name of the format language (config/log-format.ts): the type keeps both lists equal. */
export const VARIABLES: Readonly<Record<LogVariableName, VariableReader>> = {
  remote_addr: (r) => r.req.socket?.remoteAddress,
  remote_port: (r) => r.req.socket?.remotePort,
  remote_user: () => undefined,
  time_local: (r) => formatTimeLocal(r.startedAtMs),
  time_iso8601: (r) => new Date(r.startedAtMs).toISOString(),
  msec: (r) => (r.startedAtMs / 1000).toFixed(3),
  request: (r) => `${r.req.method ?? '-'} ${r.req.url ?? '-'} HTTP/${r.req.httpVersion}`,
  request_method: (r) => r.req.method,
  request_uri: (r) => r.req.url,
  uri: (r) => pathOf(r.req.url),
  args: (r) => argsOf(r.req.url),
  server_protocol: (r) => `HTTP/${r.req.httpVersion}`,
  host: (r) => r.req.headers.host ?? headerText(r.req.headers[':authority']),
  status: (r) => r.status,
  body_bytes_sent: (r) => (r.bodyBytes > 0 ? r.bodyBytes : bodyLengthOf(r)),
  request_time: (r) => seconds(r.durationMs),
  request_id: (r) => r.requestId,
  route: (r) => r.location,
  location: (r) => r.location,
  upstream: (r) => text(r.upstream),
  upstream_addr: (r) => text(stripScheme(r.upstreamAddr)),
  upstream_status: (r) => (r.upstreamStatus === 0 ? undefined : r.upstreamStatus),
  upstream_response_time: (r) => seconds(r.upstreamHeaderMs),
  error: (r) => text(r.errorType),
  provider: (r) => text(r.provider),
  model: (r) => text(r.model),
  key_id: (r) => text(r.keyId),
  tokens_in: (r) => known(r.tokensIn),
  tokens_out: (r) => known(r.tokensOut),
  tokens_cache_read: (r) => known(r.cacheReadTokens),
  tokens_cache_write: (r) => known(r.cacheWriteTokens),
  ttft: (r) => seconds(r.ttftMs),
  stream_events: (r) => (r.isStream ? r.streamEvents : undefined),
  pid: () => process.pid,
};

/** The reader of a parsed variable reference. */
export function variableReader(ref: LogVariableRef): VariableReader {
  switch (ref.kind) {
    case 'variable':
      return VARIABLES[ref.name];
    case 'request_header': {
      const { header } = ref;
      return (r) => headerText(r.req.headers[header]);
    }
    case 'response_header': {
      const { header } = ref;
      return (r) => headerText(r.res.getHeader(header));
    }
  }
}
