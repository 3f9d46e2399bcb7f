import { describe, expect, it } from 'vitest';
import type { ConfigProblem } from './config-issue.ts';
import { formatPath } from './config-issue.ts';
import { validateRefs } from './validate-refs.ts';

const show = (problems: readonly ConfigProblem[]): string[] => problems.map((p) => `${formatPath(p.path)}: ${p.message}`);

const upstreams = { backend: { targets: ['127.0.0.1:9000'] } };
const locations = { api: { upstream: 'backend' } };

describe('validateRefs', () => {
  it('accepts a consistent document', () => {
    expect(validateRefs({ servers: { main: { listen: '127.0.0.1:80', locations: ['api'] } }, locations, upstreams })).toEqual([]);
  });

  it('reports an address listed twice by one server and one shared by two servers', () => {
    const servers = {
      a: { listen: ['127.0.0.1:80', '127.0.0.1:80'], locations: ['api'] },
      b: { listen: ['[::1]:80', '127.0.0.1:80'], locations: ['api'] },
    };
    expect(show(validateRefs({ servers, locations, upstreams }))).toEqual([
      'servers.a.listen.1: listen address 127.0.0.1:80 is listed twice',
      'servers.b.listen.1: listen address 127.0.0.1:80 is already used by server "a"',
    ]);
  });

  it('treats [::] as overlapping every address on its port and 0.0.0.0 every IPv4 one', () => {
    const servers = {
      v4: { listen: '127.0.0.1:80', locations: ['api'] },
      any6: { listen: '[::]:80', locations: ['api'] },
      any4: { listen: '0.0.0.0:81', locations: ['api'] },
      local6: { listen: '[::1]:81', locations: ['api'] },
    };
    expect(show(validateRefs({ servers, locations, upstreams }))).toEqual([
      'servers.any6.listen: listen address [::]:80 overlaps 127.0.0.1:80 of server "v4"',
    ]);
  });

  it('lets several servers listen on port 0 (each gets its own free port)', () => {
    const servers = { a: { listen: '127.0.0.1:0', locations: ['api'] }, b: { listen: ['127.0.0.1:0', '0.0.0.0:0'], locations: ['api'] } };
    expect(validateRefs({ servers, locations, upstreams })).toEqual([]);
  });

  it('reports a model alias that collides with another model name or alias', () => {
    const models = {
      a: { aliases: ['b'], providers: { p: 'x' } },
      b: { aliases: ['shared'], providers: { p: 'x' } },
      c: { aliases: ['shared'], providers: { p: 'x' } },
    };
    expect(show(validateRefs({ servers: {}, providers: { p: { type: 'mock' } }, models }))).toEqual([
      'models.a.aliases.0: model name "b" is already used by model "b"',
      'models.c.aliases.0: model name "shared" is already used by model "b"',
    ]);
  });

  it('reports a default_provider outside the model and an unknown provider in allow_providers', () => {
    const doc = {
      servers: { main: { listen: '127.0.0.1:80', locations: ['ai'] } },
      locations: { ai: { ai: { allow_providers: ['p', 'nope'] } } },
      providers: { p: { type: 'mock' }, q: { type: 'mock' } },
      models: { m: { providers: { p: 'x' }, default_provider: 'q' } },
    };
    expect(show(validateRefs(doc))).toEqual([
      'locations.ai.ai.allow_providers.1: unknown provider "nope"',
      'models.m.default_provider: "q" is not one of this model\'s providers',
    ]);
  });

  it('skips values of the wrong shape, which the schema reports', () => {
    expect(validateRefs({ servers: { a: 5, b: { listen: 7, locations: 'api' } }, locations: [], upstreams: null })).toEqual([]);
    expect(validateRefs('not a document')).toEqual([]);
  });

  it('accepts plugins as what a location serves, but not an empty list', () => {
    const doc = { servers: {}, plugins: { pong: { type: 'mock' } }, locations: { a: { plugins: ['pong'] }, b: { plugins: [] } } };
    expect(show(validateRefs(doc))).toEqual(['locations.b: nothing to serve: set "upstream", "ai" or "plugins"']);
  });

  it('reports key-auth consumers naming a location or model that does not exist (an alias counts as the model)', () => {
    const doc = {
      locations,
      upstreams,
      providers: { claude: { type: 'anthropic', base_url: 'http://127.0.0.1:9200', keys: ['k'] } },
      models: { 'claude-sonnet': { aliases: ['sonnet'], providers: { claude: 'claude-sonnet-4-5' } } },
      plugins: {
        auth: {
          type: 'key-auth',
          consumers: {
            team: { keys: [], allowed_locations: ['api', 'apj'], allowed_models: ['sonnet', 'claude-sonnet', 'gpt-5'] },
          },
        },
      },
    };
    expect(show(validateRefs(doc))).toEqual([
      'plugins.auth.consumers.team.allowed_locations.1: unknown location "apj"',
      'plugins.auth.consumers.team.allowed_models.2: unknown model "gpt-5" (not a model name or alias)',
    ]);
  });
});
