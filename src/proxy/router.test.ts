import { describe, expect, it } from 'vitest';
import { compileRouteTable, findShadowedRoutes, normalizeHost } from './router.ts';
import type { RouteSpec } from './router.ts';

function spec(name: string, path: string, hosts?: string[], priority?: number): RouteSpec {
  return { name, path, hosts, priority };
}

/** Routes a raw Host header the way the worker will: normalize first, path without query. */
function route(specs: readonly RouteSpec[], hostHeader: string | undefined, path: string): string | undefined {
  return compileRouteTable(specs).match(normalizeHost(hostHeader), path);
}

// One config exercising every rule; the cases below name the rule they pin down.
const table: RouteSpec[] = [
  spec('root', '/'),
  spec('v1', '/v1'),
  spec('v1-users', '/v1/users'),
  spec('v2-slash', '/v2/'),
  spec('health', '=/health'),
  spec('regex-any', '~^/r/\\d+$'),
  spec('regex-shadowed', '~^/v1/'),
  spec('api-root', '/', ['api.example.com']),
  spec('api-chat', '/v1/chat', ['api.example.com']),
  spec('api-regex', '~^/v1/chat/\\w+$', ['api.example.com']),
  spec('wild', '/', ['*.example.com']),
  spec('wild-deep', '/', ['*.eu.example.com']),
  spec('wild-only-admin', '/admin', ['*.corp.test']),
  spec('regex-host', '/', ['~^node\\d+\\.internal$']),
  spec('ipv6', '/', ['[::1]']),
  spec('pinned', '~^/pinned', undefined, 10),
  spec('pinned-api', '/special', ['api.example.com'], 5),
  spec('special-any', '/special', undefined, 7),
  spec('fallback', '/', ['fallback.test'], -1),
  spec('other-fallback-host', '/other', ['fallback.test']),
];

const cases: Array<[rule: string, host: string | undefined, path: string, expected: string | undefined]> = [
  ['root "/" catches every path', 'unknown.test', '/anything/at/all', 'root'],
  ['root "/" catches "/" itself', 'unknown.test', '/', 'root'],
  ['prefix matches itself', 'unknown.test', '/v1', 'v1'],
  ['prefix matches below a segment boundary', 'unknown.test', '/v1/models', 'v1'],
  ['prefix never matches inside a segment', 'unknown.test', '/v1x', 'root'],
  ['prefix with trailing slash does not match without it', 'unknown.test', '/v2', 'root'],
  ['prefix with trailing slash matches the slash itself', 'unknown.test', '/v2/', 'v2-slash'],
  ['prefix with trailing slash matches below it', 'unknown.test', '/v2/x', 'v2-slash'],
  ['longest prefix wins', 'unknown.test', '/v1/users/42', 'v1-users'],
  ['longest prefix respects boundaries too', 'unknown.test', '/v1/usersx', 'v1'],
  ['exact path wins over prefixes', 'unknown.test', '/health', 'health'],
  ['exact path matches nothing longer', 'unknown.test', '/health/x', 'root'],
  ['static match wins over a matching regex', 'unknown.test', '/v1/anything', 'v1'],
  ['regex is tried before the root "/" catch-all', 'nomatch.test', '/r/42', 'regex-any'],
  ['root "/" catches what the regex does not', 'nomatch.test', '/r/x', 'root'],
  ['host-specific location wins over any-host ones', 'api.example.com', '/v1/models', 'api-root'],
  ['host-specific prefix within its host', 'api.example.com', '/v1/chat', 'api-chat'],
  ['host-specific static beats host-specific regex', 'api.example.com', '/v1/chat/completions', 'api-chat'],
  ['host with port and upper case is normalized', 'API.Example.COM:8443', '/v1/chat', 'api-chat'],
  ['host with a trailing dot is normalized', 'api.example.com.', '/v1/chat', 'api-chat'],
  ['wildcard matches one label', 'www.example.com', '/x', 'wild'],
  ['wildcard matches several labels', 'a.b.example.com', '/x', 'wild'],
  ['wildcard does not match the bare domain', 'example.com', '/x', 'root'],
  ['wildcard does not match an empty first label', '.example.com', '/x', 'root'],
  ['longer wildcard suffix wins', 'fr.eu.example.com', '/x', 'wild-deep'],
  ['wildcard suffix needs a label before it', 'eu.example.com', '/x', 'wild'],
  ['wildcard host falls through to any-host when its paths miss', 'x.corp.test', '/public', 'root'],
  ['wildcard host path', 'x.corp.test', '/admin/users', 'wild-only-admin'],
  ['regex host matches', 'node12.internal', '/x', 'regex-host'],
  ['regex host is anchored by its author', 'xnode12.internal.evil', '/x', 'root'],
  ['IPv6 host literal with port', '[::1]:8080', '/x', 'ipv6'],
  ['IPv6 host literal without port', '[::1]', '/x', 'ipv6'],
  ['missing Host header only matches any-host locations', undefined, '/v1', 'v1'],
  ['higher explicit priority wins over everything', 'api.example.com', '/pinned/x', 'pinned'],
  ['explicit priority beats an exact path match', 'unknown.test', '/pinned', 'pinned'],
  ['higher priority any-host beats lower priority host-specific', 'api.example.com', '/special', 'special-any'],
  ['negative priority loses to priority 0 any-host', 'fallback.test', '/x', 'root'],
  ['priority 0 host-specific still beats any-host', 'fallback.test', '/other', 'other-fallback-host'],
];

describe('compileRouteTable priority table', () => {
  const compiled = compileRouteTable(table);
  it.each(cases)('%s: %s %s → %s', (_rule, host, path, expected) => {
    expect(compiled.match(normalizeHost(host), path)).toBe(expected);
  });
});

describe('compileRouteTable', () => {
  it('uses regex paths only when no static path matched', () => {
    const specs = [spec('prefix', '/a'), spec('regex', '~^/a/b')];
    expect(route(specs, 'h', '/a/b')).toBe('prefix');
    expect(route(specs.slice(1), 'h', '/a/b')).toBe('regex');
  });

  it('tries regex paths in config order', () => {
    const specs = [spec('first', '~^/x'), spec('second', '~^/x/y')];
    expect(route(specs, 'h', '/x/y')).toBe('first');
    expect(route([...specs].reverse(), 'h', '/x/y')).toBe('second');
  });

  it('keeps the first location in config order when two share a path', () => {
    expect(route([spec('a', '/same'), spec('b', '/same')], 'h', '/same/x')).toBe('a');
    expect(route([spec('a', '=/same'), spec('b', '=/same')], 'h', '/same')).toBe('a');
  });

  it('orders host classes exact, wildcard, regex, any host', () => {
    const specs = [
      spec('any', '/'),
      spec('regex', '/', ['~example']),
      spec('wild', '/', ['*.example.com']),
      spec('exact', '/', ['a.example.com']),
    ];
    expect(route(specs, 'a.example.com', '/')).toBe('exact');
    expect(route(specs.slice(0, 3), 'a.example.com', '/')).toBe('wild');
    expect(route(specs.slice(0, 2), 'a.example.com', '/')).toBe('regex');
    expect(route(specs.slice(0, 1), 'a.example.com', '/')).toBe('any');
  });

  it('prefers a host-specific regex path over an any-host exact path', () => {
    const specs = [spec('health', '=/health'), spec('api', '~^/', ['api.test'])];
    expect(route(specs, 'api.test', '/health')).toBe('api');
  });

  it('lets a location list several hosts of different kinds', () => {
    const specs = [spec('multi', '/', ['a.test', '*.b.test', '~^c\\d$']), spec('any', '/')];
    expect(['a.test', 'x.b.test', 'c7', 'd.test'].map((host) => route(specs, host, '/'))).toEqual([
      'multi',
      'multi',
      'multi',
      'any',
    ]);
  });

  it('treats an empty host list as any host', () => {
    expect(route([spec('empty', '/', [])], 'whatever.test', '/')).toBe('empty');
  });

  it('breaks equal explicit priorities by the computed order', () => {
    const specs = [spec('prefix', '/a', undefined, 3), spec('exact', '=/a/b', undefined, 3)];
    expect(route(specs, 'h', '/a/b')).toBe('exact');
  });

  it('returns undefined when nothing matches', () => {
    expect(route([spec('v1', '/v1')], 'h', '/v2')).toBeUndefined();
    expect(route([spec('api', '/', ['api.test'])], 'other.test', '/')).toBeUndefined();
    expect(route([], 'h', '/')).toBeUndefined();
  });

  it('matches prefixes on paths with repeated slashes without looping', () => {
    const specs = [spec('a', '/a/'), spec('root', '/')];
    expect(route(specs, 'h', '/a//b')).toBe('a');
    expect(route(specs, 'h', '//')).toBe('root');
  });

  it('throws on a bad pattern, naming the location', () => {
    expect(() => compileRouteTable([spec('bad', 'nope')])).toThrow(/location "bad"/);
    expect(() => compileRouteTable([spec('bad', '/', ['a.test:80'])])).toThrow(/location "bad".*port/);
  });
});

describe('the docs/routing.md example', () => {
  const docs = compileRouteTable([
    spec('site', '/'),
    spec('v1', '/v1'),
    spec('models', '/v1/models'),
    spec('health', '=/health'),
    spec('versioned', '~^/v\\d+/'),
    spec('api', '/', ['api.example.com']),
    spec('api-chat', '/v1/chat', ['api.example.com']),
    spec('tenants', '/', ['*.example.com']),
    spec('internal', '/admin', ['~^node\\d+\\.internal$']),
    spec('ping', '=/ping', undefined, 10),
  ]);
  it.each([
    ['www.test', '/', 'site'],
    ['www.test', '/v1x', 'site'],
    ['www.test', '/v1/models/gpt', 'models'],
    ['www.test', '/v1/chat', 'v1'],
    ['www.test', '/v2/chat', 'versioned'],
    ['www.test', '/health', 'health'],
    ['API.Example.com:8443', '/v1/chat/x', 'api-chat'],
    ['api.example.com', '/health', 'api'],
    ['api.example.com', '/ping', 'ping'],
    ['a.example.com', '/v1', 'tenants'],
    ['example.com', '/v1', 'v1'],
    ['node3.internal', '/admin/x', 'internal'],
    ['node3.internal', '/v1', 'v1'],
  ])('%s %s → %s', (host, path, expected) => {
    expect(docs.match(normalizeHost(host), path)).toBe(expected);
  });
});

describe('findShadowedRoutes', () => {
  it('names a location that an earlier one with the same host, path and priority hides', () => {
    expect(
      findShadowedRoutes([
        spec('a', '/v1', ['A.test']),
        spec('b', '/v1', ['a.test']),
        spec('c', '=/x'),
        spec('d', '=/x'),
        spec('e', '~^/r'),
        spec('f', '~^/r'),
      ]),
    ).toEqual([
      'location "b" is never used: "a" comes first with the same host, path and priority',
      'location "d" is never used: "c" comes first with the same host, path and priority',
      'location "f" is never used: "e" comes first with the same host, path and priority',
    ]);
  });

  it('does not report locations that win somewhere', () => {
    expect(
      findShadowedRoutes([
        spec('a', '/v1', ['a.test']),
        spec('b', '/v1', ['a.test', 'b.test']),
        spec('c', '/v1', ['a.test'], 1),
        spec('d', '/v1/', ['a.test']),
        spec('e', '=/v1', ['a.test']),
        spec('bad', 'nope'),
      ]),
    ).toEqual([]);
  });
});

describe('normalizeHost', () => {
  it.each([
    ['API.Example.com:8080', 'api.example.com'],
    ['api.example.com', 'api.example.com'],
    ['[::1]:80', '::1'],
    ['[::1]', '::1'],
    ['[2001:DB8::1]:443', '2001:db8::1'],
    ['::1', '::1'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['example.com.', 'example.com'],
    ['', ''],
    [undefined, ''],
  ])('%s → %s', (input, expected) => {
    expect(normalizeHost(input)).toBe(expected);
  });
});
