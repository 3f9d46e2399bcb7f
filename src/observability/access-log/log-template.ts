/**
 * Compiles an access-log format once per config into a function of the finished request. The format
 * language (presets, variable names, `$name` / `${name}` syntax) is parsed by config/log-format.ts, the
 * same parser config validation uses; this module maps each reference to its reader. Values in text
 * templates are escaped like nginx's default: `"`, `\` and control characters become `\xHH`.
 */
import { parseLogFormat } from '../../config/log-format.ts';
import type { ParsedLogFormat } from '../../config/log-format.ts';
import type { RequestRecord } from '../request-record.ts';
import { variableReader } from './log-variables.ts';
import type { VariableReader } from './log-variables.ts';

export type LogLineFormatter = (record: RequestRecord) => string;

/** A format that does not parse; config validation reports the same problems before a worker sees them. */
export class LogTemplateError extends Error {
  readonly code = 'LL_LOG_FORMAT';
}

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

function compileText(format: Extract<ParsedLogFormat, { kind: 'text' }>): LogLineFormatter {
  const { literals, tail } = format;
  const readers = format.refs.map(variableReader);
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

function compileJson(format: Extract<ParsedLogFormat, { kind: 'json' }>): LogLineFormatter {
  const fields = format.fields.map(({ key, ref }) => [key, variableReader(ref), JSON_NUMBERS.has(key)] as const);
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
  const parsed = parseLogFormat(format);
  if (!parsed.ok) throw new LogTemplateError(parsed.problems.join('; '));
  return parsed.format.kind === 'json' ? compileJson(parsed.format) : compileText(parsed.format);
}
