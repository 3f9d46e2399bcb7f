import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { fakeContext, parsePluginConfig } from '../../../test/helpers/plugin-context.ts';
import type { FakeContextOptions } from '../../../test/helpers/plugin-context.ts';
import { checkAiAccess } from '../../ai/access/request-access.ts';
import type { CatalogModel } from '../../ai/model-catalog.ts';
import { takeBufferedBody } from '../../proxy/buffered-body.ts';
import type { PluginRequestContext, Reply, RequestVerdict } from '../plugin.ts';
import { compilePathList, requestRestrictionPlugin } from './request-restriction-plugin.ts';

const MODEL: CatalogModel = { name: 'gpt-4o-mini', aliases: [], targets: [], defaultProvider: undefined };

/** The verdict of a check that must not wait. */
function syncVerdict(verdict: RequestVerdict | Promise<RequestVerdict> | undefined): Reply | undefined {
  if (verdict instanceof Promise) throw new Error('expected a synchronous verdict');
  return verdict;
}

function errorCodeOf(reply: Reply | undefined): unknown {
  return reply === undefined ? undefined : (JSON.parse(reply.body.toString()) as { error: unknown }).error;
}

/** A context whose request streams `body` (a proxied request with a body). */
function contextWithBody(body: string, options: FakeContextOptions = {}): PluginRequestContext {
  const ctx = fakeContext({ method: 'POST', ...options });
  const req = Object.assign(Readable.from([Buffer.from(body)]), {
    method: 'POST',
    url: ctx.path,
    headers: { 'content-length': String(Buffer.byteLength(body)), ...options.headers },
    socket: { remoteAddress: '127.0.0.1' },
  }) as unknown as IncomingMessage;
  return { ...ctx, req };
}

describe('request-restriction plugin', () => {
  const hooks = requestRestrictionPlugin.create(
    parsePluginConfig('request-restriction', {
      methods: ['GET', 'POST'],
      paths: ['/v1/chat/completions', '/v1/models/*', '~^/v2/[a-z]+$'],
      required_headers: { 'x-team': true, 'x-env': ['prod', 'staging'] },
    }),
  );
  const headers = { 'x-team': 'a', 'x-env': 'prod' };
  const verdict = (options: FakeContextOptions) => syncVerdict(hooks.onRequest?.(fakeContext(options)));

  it('admits an allowed method on an allowed path with the required headers', () => {
    expect(verdict({ method: 'POST', path: '/v1/chat/completions', headers })).toBeUndefined();
    expect(verdict({ path: '/v1/models/gpt-4o', headers })).toBeUndefined();
    expect(verdict({ path: '/v2/abc', headers })).toBeUndefined();
  });

  it('answers 405 with Allow for a method outside the list', () => {
    const reply = verdict({ method: 'DELETE', path: '/v1/chat/completions', headers });
    expect(reply?.status).toBe(405);
    expect(reply?.headers.allow).toBe('GET, POST');
  });

  it('answers 403 forbidden for a path outside the list or a missing or wrong required header', () => {
    expect(verdict({ path: '/v1/embeddings', headers })?.status).toBe(403);
    expect(verdict({ path: '/v1/chat/completions', headers: { 'x-env': 'prod' } })?.status).toBe(403);
    expect(verdict({ path: '/v1/chat/completions', headers: { 'x-team': 'a', 'x-env': 'dev' } })?.status).toBe(403);
  });

  it('matches "/x/*" on segment boundaries only', () => {
    const matches = compilePathList(['/v1/models/*']);
    expect(matches('/v1/models')).toBe(true);
    expect(matches('/v1/models/x')).toBe(true);
    expect(matches('/v1/modelsx')).toBe(false);
  });
});

describe('request-restriction params', () => {
  const hooks = requestRestrictionPlugin.create(
    parsePluginConfig('request-restriction', { params: { model: ['gpt-4o-mini'], stream: [true, null] }, max_body_size: 64 }),
  );

  it('leaves the check of an AI request to the AI layer, which refuses a parameter outside its list', () => {
    const allowed = fakeContext({ method: 'POST', isAiRoute: true });
    expect(syncVerdict(hooks.onRequest?.(allowed))).toBeUndefined();
    expect(checkAiAccess(allowed.req, { model: 'gpt-4o-mini', stream: true }, MODEL)).toBeUndefined();
    expect(checkAiAccess(allowed.req, { model: 'gpt-4o-mini' }, MODEL)).toBeUndefined();
    expect(checkAiAccess(allowed.req, { model: 'gpt-4o-mini', stream: false }, MODEL)?.code).toBe('forbidden');
  });

  it('checks a proxied body and hands its bytes to the proxy', async () => {
    const body = '{"model":"gpt-4o-mini","stream":true}';
    const ctx = contextWithBody(body);
    expect(await hooks.onRequest?.(ctx)).toBeUndefined();
    expect(takeBufferedBody(ctx.req)?.toString()).toBe(body);
  });

  it('refuses a proxied body with another value, invalid JSON or over max_body_size, and passes bodyless requests', async () => {
    expect(errorCodeOf(await hooks.onRequest?.(contextWithBody('{"model":"gpt-5"}')))).toBe('forbidden');
    expect(errorCodeOf(await hooks.onRequest?.(contextWithBody('not json')))).toBe('bad_request');
    expect(errorCodeOf(await hooks.onRequest?.(contextWithBody(`{"model":"${'x'.repeat(80)}"}`)))).toBe('body_too_large');
    expect(syncVerdict(hooks.onRequest?.(fakeContext({ method: 'GET', path: '/v1/models' })))).toBeUndefined();
  });
});
