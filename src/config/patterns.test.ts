import { describe, expect, it } from 'vitest';
import { isPatternError, parseHostPattern, parsePathPattern, parseRewrite } from './patterns.ts';

function errorOf(value: unknown): string {
  if (!isPatternError(value)) throw new Error(`expected a pattern error, got ${JSON.stringify(value)}`);
  return value.error;
}

describe('parsePathPattern', () => {
  it('reads "=" as exact, "~" as regex and a leading "/" as prefix', () => {
    expect(parsePathPattern('=/health')).toEqual({ kind: 'exact', path: '/health' });
    expect(parsePathPattern('/v1')).toEqual({ kind: 'prefix', path: '/v1' });
    expect(parsePathPattern('/')).toEqual({ kind: 'prefix', path: '/' });
    const regex = parsePathPattern('~^/v\\d+/');
    expect(regex).toMatchObject({ kind: 'regex', source: '^/v\\d+/' });
    expect(isPatternError(regex) || regex.kind !== 'regex' ? undefined : regex.regex.test('/v2/x')).toBe(true);
  });

  it('compiles path regexes case-sensitively', () => {
    const regex = parsePathPattern('~^/api');
    expect(isPatternError(regex) || regex.kind !== 'regex' ? undefined : regex.regex.test('/API')).toBe(false);
  });

  it('rejects an empty path and points to "/"', () => {
    expect(errorOf(parsePathPattern(''))).toMatch(/empty.*"\/"/);
  });

  it('rejects a path that starts with neither "/", "=" nor "~"', () => {
    expect(errorOf(parsePathPattern('v1'))).toMatch(/must start with "\/".*"=\/".*"~"/);
  });

  it('rejects "=" without a path after it', () => {
    expect(errorOf(parsePathPattern('='))).toMatch(/exact path/);
    expect(errorOf(parsePathPattern('=health'))).toMatch(/exact path "=health"/);
  });

  it('says a bad regex is a bad regex and shows the engine message', () => {
    const message = errorOf(parsePathPattern('~^/(v1'));
    expect(message).toMatch(/path regex "~\^\/\(v1" is not a valid regular expression/);
    expect(message).toMatch(/Unterminated group/);
  });

  it('rejects "~" without a regex', () => {
    expect(errorOf(parsePathPattern('~'))).toMatch(/empty/);
  });

  it('rejects whitespace and query strings in a path', () => {
    expect(errorOf(parsePathPattern('/a b'))).toMatch(/whitespace/);
    expect(errorOf(parsePathPattern('/a?b=1'))).toMatch(/query string/);
  });
});

describe('parseHostPattern', () => {
  it('lower-cases exact hosts and drops a trailing dot', () => {
    expect(parseHostPattern('API.Example.com')).toEqual({ kind: 'exact', host: 'api.example.com' });
    expect(parseHostPattern('example.com.')).toEqual({ kind: 'exact', host: 'example.com' });
    expect(parseHostPattern('127.0.0.1')).toEqual({ kind: 'exact', host: '127.0.0.1' });
  });

  it('keeps IPv6 literals without brackets, with or without them in the config', () => {
    expect(parseHostPattern('[::1]')).toEqual({ kind: 'exact', host: '::1' });
    expect(parseHostPattern('::1')).toEqual({ kind: 'exact', host: '::1' });
  });

  it('turns "*.example.com" into the suffix ".example.com"', () => {
    expect(parseHostPattern('*.Example.com')).toEqual({ kind: 'wildcard', suffix: '.example.com' });
  });

  it('compiles host regexes case-insensitively', () => {
    const host = parseHostPattern('~^API\\d+\\.');
    expect(host).toMatchObject({ kind: 'regex', source: '^API\\d+\\.' });
    expect(isPatternError(host) || host.kind !== 'regex' ? undefined : host.regex.test('api7.example.com')).toBe(true);
  });

  it('rejects a host with a port', () => {
    expect(errorOf(parseHostPattern('example.com:8080'))).toMatch(/must not include a port/);
    expect(errorOf(parseHostPattern('[::1]:80'))).toMatch(/must not include a port/);
    expect(errorOf(parseHostPattern('*.example.com:443'))).toMatch(/must not include a port/);
  });

  it('rejects a host with spaces and suggests a list', () => {
    expect(errorOf(parseHostPattern('a.com b.com'))).toMatch(/whitespace.*list/);
  });

  it('rejects an empty host, a misplaced "*" and invalid names', () => {
    expect(errorOf(parseHostPattern(''))).toMatch(/empty/);
    expect(errorOf(parseHostPattern('*example.com'))).toMatch(/only allowed as the whole first label/);
    expect(errorOf(parseHostPattern('a.*.com'))).toMatch(/only allowed as the whole first label/);
    expect(errorOf(parseHostPattern('*.'))).toMatch(/wildcard host/);
    expect(errorOf(parseHostPattern('exa/mple.com'))).toMatch(/not a valid host name/);
    expect(errorOf(parseHostPattern('[::1'))).toMatch(/without "]"/);
    expect(errorOf(parseHostPattern('[zz]'))).toMatch(/not a valid IPv6/);
  });

  it('says a bad host regex is a bad regex', () => {
    expect(errorOf(parseHostPattern('~[a-'))).toMatch(/host regex "~\[a-" is not a valid regular expression: .+/);
  });
});

describe('parseRewrite', () => {
  it('splits "<regex> <replacement>" on whitespace', () => {
    const rule = parseRewrite('  ^/api/(.*)$   /$1 ');
    expect(isPatternError(rule)).toBe(false);
    expect(isPatternError(rule) ? undefined : rule.replacement).toBe('/$1');
    expect(isPatternError(rule) ? undefined : '/api/x/y'.replace(rule.regex, rule.replacement)).toBe('/x/y');
  });

  it('accepts named groups, $& and $$ in the replacement', () => {
    expect(isPatternError(parseRewrite('^/u/(?<id>\\d+)$ /users/$<id>'))).toBe(false);
    expect(isPatternError(parseRewrite('^/old /new$&'))).toBe(false);
    expect(isPatternError(parseRewrite('^/a /$$1'))).toBe(false);
  });

  it('rejects a rewrite without a replacement', () => {
    expect(errorOf(parseRewrite('^/api/(.*)$'))).toMatch(/needs a replacement.*"<regex> <replacement>"/);
    expect(errorOf(parseRewrite('   '))).toMatch(/empty/);
  });

  it('rejects more than two parts', () => {
    expect(errorOf(parseRewrite('^/a /b /c'))).toMatch(/3 parts/);
  });

  it('says a bad rewrite regex is a bad regex', () => {
    expect(errorOf(parseRewrite('^/(a /$1'))).toMatch(/rewrite regex "\^\/\(a" is not a valid regular expression: .+/);
  });

  it('rejects captures the regex does not have', () => {
    expect(errorOf(parseRewrite('^/api/(.*)$ /$2'))).toMatch(/\$2.*1 capture group/);
    expect(errorOf(parseRewrite('^/api/(.*)$ /$<rest>'))).toMatch(/no group named "rest"/);
  });
});
