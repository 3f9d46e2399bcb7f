/**
 * Compiles an access-log format once per config into a function of the finished request: a template of
 * `$variable` / `${variable}` references and literal text (nginx's log_format), or the `json` preset
 * (one JSON object per line). Unknown variables are a compile error naming them. Values in text
 * templates are escaped like nginx's default: `"`, `\` and control characters become `\xHH`.
 */
import type { RequestRecord } from '../request-record.ts';
import { variableReader, VARIABLES } from './log-variables.ts';
import type { VariableReader } from './log-variables.ts';

export type LogLineFormatter = (record: RequestRecord) => string;

export const LOG_PRESETS: Readonly<Record<string, string>> = {
  combined: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
  main:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ' +
    'rt=$request_time id=$request_id route=$route ua=$upstream_addr us=$upstream_status urt=$upstream_response_time ' +
    'provider=$provider model=$model key=$key_id in=$tokens_in out=$tokens_out ttft=$ttft',
};

/** Fields of the `json` preset, in order. */
export const JSON_FIELDS = [
  'time_iso8601',
  'remote_addr',
  'request_method',
  'request_uri',
  'server_protocol',
  'host',
  'status',
  'body_bytes_sent',
  'request_time',
  'request_id',
  'route',
  'upstream',
  'upstream_addr',
  'upstream_status',
  'upstream_response_time',
  'error',
  'provider',
  'model',
  'key_id',
  'tokens_in',
  'tokens_out',
  'tokens_cache_read',
  'tokens_cache_write',
  'ttft',
  'stream_events',
  'http_user_agent',
  'http_referer',
] as const;

export class LogTemplateError extends Error {
  readonly code = 'LL_LOG_FORMAT';
}

const VARIABLE_RE = /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g;

function escapeText(value: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c < 0x20 || c === 0x7f) {
      out += value.slice(from, i) + `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
      from = i + 1;
    }
  }
  return from === 0 ? value : out + value.slice(from);
}

function reader(name: string): VariableReader {
  const read = variableReader(name);
  if (read === undefined) {
    throw new LogTemplateError(`unknown access-log variable $${name} (known: ${Object.keys(VARIABLES).join(', ')}, http_<header>, sent_http_<header>)`);
  }
  return read;
}

function compileText(template: string): LogLineFormatter {
  const literals: string[] = [];
  const readers: VariableReader[] = [];
  let last = 0;
  for (const match of template.matchAll(VARIABLE_RE)) {
    literals.push(template.slice(last, match.index));
    readers.push(reader(match[1] ?? match[2] ?? ''));
    last = match.index + match[0].length;
  }
  const tail = template.slice(last);
  return (record) => {
    let line = '';
    for (let i = 0; i < readers.length; i++) {
      const value = (readers[i] as VariableReader)(record);
      line += (literals[i] as string) + (value === undefined || value === '' ? '-' : typeof value === 'number' ? String(value) : escapeText(value));
    }
    return line + tail;
  };
}

/** Times are "0.012"-style strings in text logs and numbers (seconds) in JSON. */
const JSON_NUMBERS: ReadonlySet<string> = new Set(['request_time', 'upstream_response_time', 'ttft']);

function compileJson(): LogLineFormatter {
  const fields = JSON_FIELDS.map((name) => [name, reader(name), JSON_NUMBERS.has(name)] as const);
  return (record) => {
    const entry: Record<string, string | number> = {};
    for (const [name, read, isNumber] of fields) {
      const value = read(record);
      if (value !== undefined && value !== '') entry[name] = isNumber ? Number(value) : value;
    }
    return JSON.stringify(entry);
  };
}

/** `format`: a preset name (`combined`, `main`, `json`) or a template. Throws LogTemplateError. */
export function compileLogFormat(format: string): LogLineFormatter {
  if (format === 'json') return compileJson();
  return compileText(LOG_PRESETS[format] ?? format);
}
