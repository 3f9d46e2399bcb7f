import { describe, expect, it } from 'vitest';
import { ServerResponse, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { fakeContext, parsePluginConfig } from '../../../test/helpers/plugin-context.ts';
import { corsPlugin } from './cors-plugin.ts';
import type { CorsPluginConfig } from './cors-plugin.ts';

function parse(plugin: { type: 'cors' } & Record<string, unknown>): CorsPluginConfig {
  return parsePluginConfig('cors', plugin);
}

const APP = 'https://app.example.com';
const preflight = { origin: APP, 'access-control-request-method': 'POST' };

function response(): ServerResponse {
  return new ServerResponse(new IncomingMessage(new Socket()));
}

describe('cors plugin', () => {
  const hooks = corsPlugin.create(parse({ type: 'cors', allow_origins: [APP], max_age: '10m', expose_headers: ['x-request-id'] }));

  it('answers a preflight from an allowed origin with 204 and the allowed methods, headers and max age', () => {
    const reply = hooks.onRequest?.(fakeContext({ method: 'OPTIONS', headers: preflight }));
    expect(reply?.status).toBe(204);
    expect(reply?.headers).toMatchObject({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-max-age': '600',
      vary: 'origin',
    });
    expect(reply?.headers['access-control-allow-headers']).toContain('authorization');
  });

  it('answers a preflight from another origin with 403', () => {
    expect(hooks.onRequest?.(fakeContext({ method: 'OPTIONS', headers: { ...preflight, origin: 'https://evil.test' } }))?.status).toBe(403);
  });

  it('sets allow-origin and exposed headers on the response of an allowed simple request, nothing for others', () => {
    const res = response();
    expect(hooks.onRequest?.(fakeContext({ headers: { origin: APP }, res }))).toBeUndefined();
    expect(res.getHeader('access-control-allow-origin')).toBe(APP);
    expect(res.getHeader('access-control-expose-headers')).toBe('x-request-id');
    const other = response();
    expect(hooks.onRequest?.(fakeContext({ headers: { origin: 'https://evil.test' }, res: other }))).toBeUndefined();
    expect(other.getHeader('access-control-allow-origin')).toBeUndefined();
  });

  it('answers "*" for any origin without credentials, and echoes the origin with credentials', () => {
    const any = corsPlugin.create(parse({ type: 'cors', allow_origins: ['*'] }));
    expect(any.onRequest?.(fakeContext({ method: 'OPTIONS', headers: preflight }))?.headers['access-control-allow-origin']).toBe('*');
    const withCredentials = corsPlugin.create(parse({ type: 'cors', allow_origins: ['*'], allow_credentials: true }));
    const reply = withCredentials.onRequest?.(fakeContext({ method: 'OPTIONS', headers: preflight }));
    expect(reply?.headers['access-control-allow-origin']).toBe(APP);
    expect(reply?.headers['access-control-allow-credentials']).toBe('true');
  });
});
