import { describe, expect, it } from 'vitest';
import { fakeContext } from '../../../test/helpers/plugin-context.ts';
import { compilePathList, requestRestrictionPlugin } from './request-restriction-plugin.ts';

describe('request-restriction plugin', () => {
  const hooks = requestRestrictionPlugin.create({
    type: 'request-restriction',
    methods: ['GET', 'POST'],
    paths: ['/v1/chat/completions', '/v1/models/*', '~^/v2/[a-z]+$'],
    required_headers: { 'x-team': true, 'x-env': ['prod', 'staging'] },
  });
  const headers = { 'x-team': 'a', 'x-env': 'prod' };

  it('admits an allowed method on an allowed path with the required headers', () => {
    expect(hooks.onRequest?.(fakeContext({ method: 'POST', path: '/v1/chat/completions', headers }))).toBeUndefined();
    expect(hooks.onRequest?.(fakeContext({ path: '/v1/models/gpt-4o', headers }))).toBeUndefined();
    expect(hooks.onRequest?.(fakeContext({ path: '/v2/abc', headers }))).toBeUndefined();
  });

  it('answers 405 with Allow for a method outside the list', () => {
    const reply = hooks.onRequest?.(fakeContext({ method: 'DELETE', path: '/v1/chat/completions', headers }));
    expect(reply?.status).toBe(405);
    expect(reply?.headers.allow).toBe('GET, POST');
  });

  it('answers 403 forbidden for a path outside the list or a missing or wrong required header', () => {
    expect(hooks.onRequest?.(fakeContext({ path: '/v1/embeddings', headers }))?.status).toBe(403);
    expect(hooks.onRequest?.(fakeContext({ path: '/v1/chat/completions', headers: { 'x-env': 'prod' } }))?.status).toBe(403);
    expect(hooks.onRequest?.(fakeContext({ path: '/v1/chat/completions', headers: { 'x-team': 'a', 'x-env': 'dev' } }))?.status).toBe(403);
  });

  it('matches "/x/*" on segment boundaries only', () => {
    const matches = compilePathList(['/v1/models/*']);
    expect(matches('/v1/models')).toBe(true);
    expect(matches('/v1/models/x')).toBe(true);
    expect(matches('/v1/modelsx')).toBe(false);
  });
});
