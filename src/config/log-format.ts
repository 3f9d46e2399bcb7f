/**
 * The access-log format language (nginx's log_format in spirit): the preset names, the variable names and
 * the parser that splits a template into literal text and variable references. It is config syntax, so it
 * lives here: validation (`louailink -t`, every reload) parses each format with it and reports problems
 * with their position, and observability compiles the parsed form into readers of the finished request
 * (one reader per name of LOG_VARIABLE_NAMES, checked by the compiler's types), so both agree by construction.
 */

/** The fixed variables; `$http_<name>` and `$sent_http_<name>` read request and response headers. */
export const LOG_VARIABLE_NAMES = [
  'remote_addr',
  'remote_port',
  'remote_user',
  'time_local',
  'time_iso8601',
  'msec',
  'request',
  'request_method',
  'request_uri',
  'uri',
  'args',
  'server_protocol',
  'host',
  'status',
  'body_bytes_sent',
  'request_time',
  'request_id',
  'route',
  'location',
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
  'pid',
] as const;

export type LogVariableName = (typeof LOG_VARIABLE_NAMES)[number];

/** Text presets; `json` is the third preset (one object per line with JSON_LOG_FIELDS). */
export const LOG_PRESETS = {
  combined: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
  main:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ' +
    'rt=$request_time id=$request_id route=$route ua=$upstream_addr us=$upstream_status urt=$upstream_response_time ' +
    'provider=$provider model=$model key=$key_id in=$tokens_in out=$tokens_out ttft=$ttft',
} as const satisfies Record<string, string>;

export const LOG_PRESET_NAMES: readonly string[] = [...Object.keys(LOG_PRESETS), 'json'];

/** Fields of the `json` preset, in order (each a variable name). */
export const JSON_LOG_FIELDS = [
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

export type LogVariableRef =
  | { readonly kind: 'variable'; readonly name: LogVariableName }
  /** Lower-case header name ("_" in the variable stands for "-"). */
  | { readonly kind: 'request_header'; readonly header: string }
  | { readonly kind: 'response_header'; readonly header: string };

export type ParsedLogFormat =
  | { readonly kind: 'json'; readonly fields: readonly { readonly key: string; readonly ref: LogVariableRef }[] }
  /** `literals[i]` precedes `refs[i]`; `tail` follows the last reference. */
  | { readonly kind: 'text'; readonly literals: readonly string[]; readonly refs: readonly LogVariableRef[]; readonly tail: string };

export type LogFormatResult = { readonly ok: true; readonly format: ParsedLogFormat } | { readonly ok: false; readonly problems: readonly string[] };

const NAMES: ReadonlySet<string> = new Set(LOG_VARIABLE_NAMES);
/** `$name`, `${name}`, or a `${` that does not close on a name (reported). */
const REFERENCE_RE = /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+)|(\{[^}]*\}?))/g;

/** The reference a variable name stands for; undefined when the name is unknown. */
export function resolveLogVariable(name: string): LogVariableRef | undefined {
  if (NAMES.has(name)) return { kind: 'variable', name: name as LogVariableName };
  if (name.startsWith('http_') && name.length > 5) return { kind: 'request_header', header: headerName(name.slice(5)) };
  if (name.startsWith('sent_http_') && name.length > 10) return { kind: 'response_header', header: headerName(name.slice(10)) };
  return undefined;
}

/**
 * `format`: a preset name (`combined`, `main`, `json`) or a template of `$name` / `${name}` references.
 * Problems: every unknown variable, a malformed `${…}`, and a format with no reference at all (a mistyped
 * preset name such as "jsn" would otherwise log that word on every line).
 */
export function parseLogFormat(format: string): LogFormatResult {
  if (format === 'json') {
    return { ok: true, format: { kind: 'json', fields: JSON_LOG_FIELDS.map((key) => ({ key, ref: resolveLogVariable(key) as LogVariableRef })) } };
  }
  const template = (LOG_PRESETS as Record<string, string>)[format] ?? format;
  const literals: string[] = [];
  const refs: LogVariableRef[] = [];
  const problems: string[] = [];
  let last = 0;
  for (const match of template.matchAll(REFERENCE_RE)) {
    const [text, braced, bare, malformed] = match;
    literals.push(template.slice(last, match.index));
    last = match.index + text.length;
    if (malformed !== undefined) {
      problems.push(`malformed variable reference "${text}": expected \${name} with letters, digits and "_"`);
      continue;
    }
    const name = braced ?? bare ?? '';
    const ref = resolveLogVariable(name);
    if (ref === undefined) problems.push(unknownVariable(name));
    else refs.push(ref);
  }
  if (problems.length === 0 && refs.length === 0) {
    problems.push(`unknown access-log preset ${JSON.stringify(format)}: expected one of ${LOG_PRESET_NAMES.join(', ')}, or a template of $variables`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, format: { kind: 'text', literals, refs, tail: template.slice(last) } };
}

function headerName(variablePart: string): string {
  return variablePart.toLowerCase().replaceAll('_', '-');
}

function unknownVariable(name: string): string {
  const near = LOG_VARIABLE_NAMES.find((known) => isWithinOneEdit(name, known));
  const hint = near === undefined ? ' (see docs/observability.md#access-log; headers: $http_<name>, $sent_http_<name>)' : `; did you mean $${near}?`;
  return `unknown access-log variable $${name}${hint}`;
}

/** True when `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours. */
function isWithinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const restA = a.slice(i);
  const restB = b.slice(i);
  return (
    restA.slice(1) === restB.slice(1) ||
    restA.slice(1) === restB ||
    restA === restB.slice(1) ||
    (restA.length >= 2 && restA[0] === restB[1] && restA[1] === restB[0] && restA.slice(2) === restB.slice(2))
  );
}
