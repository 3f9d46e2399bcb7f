import { describe, expect, it } from 'vitest';
import { JSON_LOG_FIELDS, LOG_VARIABLE_NAMES, parseLogFormat, resolveLogVariable } from './log-format.ts';

describe('parseLogFormat', () => {
  it('splits a template into literals, references and a tail, with $name and ${name}', () => {
    const parsed = parseLogFormat('[$status] ${request_time}s ua=$http_User_Agent ct=$sent_http_content_type.');
    expect(parsed).toEqual({
      ok: true,
      format: {
        kind: 'text',
        literals: ['[', '] ', 's ua=', ' ct='],
        refs: [
          { kind: 'variable', name: 'status' },
          { kind: 'variable', name: 'request_time' },
          { kind: 'request_header', header: 'user-agent' },
          { kind: 'response_header', header: 'content-type' },
        ],
        tail: '.',
      },
    });
  });

  it('expands the text presets and resolves every field of the json preset', () => {
    const combined = parseLogFormat('combined');
    expect(combined.ok && combined.format.kind === 'text' && combined.format.refs[0]).toEqual({ kind: 'variable', name: 'remote_addr' });
    expect(parseLogFormat('main').ok).toBe(true);
    const json = parseLogFormat('json');
    expect(json.ok && json.format.kind === 'json' && json.format.fields.map((f) => f.key)).toEqual([...JSON_LOG_FIELDS]);
  });

  it('keeps a "$" that starts no name as text', () => {
    const parsed = parseLogFormat('$status costs $ 5 and $');
    expect(parsed.ok && parsed.format.kind === 'text' && parsed.format.tail).toBe(' costs $ 5 and $');
  });

  it('reports every unknown variable, suggesting a name one edit away', () => {
    expect(parsed('$staus $no_such_thing $http_')).toEqual([
      'unknown access-log variable $staus; did you mean $status?',
      'unknown access-log variable $no_such_thing (see docs/observability.md#access-log; headers: $http_<name>, $sent_http_<name>)',
      'unknown access-log variable $http_ (see docs/observability.md#access-log; headers: $http_<name>, $sent_http_<name>)',
    ]);
  });

  it('reports a malformed ${…} reference', () => {
    expect(parsed('${status')).toEqual(['malformed variable reference "${status": expected ${name} with letters, digits and "_"']);
    expect(parsed('${up-stream} x')).toEqual(['malformed variable reference "${up-stream}": expected ${name} with letters, digits and "_"']);
  });

  it('reports a format without any variable as an unknown preset', () => {
    expect(parsed('jsn')).toEqual(['unknown access-log preset "jsn": expected one of combined, main, json, or a template of $variables']);
  });

  it('resolves every fixed name and only those', () => {
    for (const name of LOG_VARIABLE_NAMES) expect(resolveLogVariable(name)).toEqual({ kind: 'variable', name });
    expect(resolveLogVariable('sent_http_')).toBeUndefined();
    expect(resolveLogVariable('request_body')).toBeUndefined();
  });
});

function parsed(format: string): readonly string[] {
  const result = parseLogFormat(format);
  return result.ok ? [] : result.problems;
}
