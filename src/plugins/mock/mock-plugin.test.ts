import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import type { PluginRequestContext } from '../plugin.ts';
import { mockPlugin } from './mock-plugin.ts';

function ctx(path: string): PluginRequestContext {
  return { req: {} as IncomingMessage, requestId: 'r1', locationName: 'loc', host: 'example.test', path };
}

describe('mock plugin', () => {
  it('answers every request with the configured status, headers and a content-length', () => {
    const hooks = mockPlugin.create({ type: 'mock', status: 418, headers: { 'X-Mock': 'yes' }, body: 'teapot' });
    const reply = hooks.onRequest?.(ctx('/anything'));
    expect(reply?.status).toBe(418);
    expect(reply?.headers).toEqual({ 'x-mock': 'yes', 'content-length': '6' });
    expect(String(reply?.body)).toBe('teapot');
  });

  it('answers only its exact path when one is set', () => {
    const hooks = mockPlugin.create({ type: 'mock', status: 200, body: 'ok', path: '/health' });
    expect(hooks.onRequest?.(ctx('/health'))?.status).toBe(200);
    expect(hooks.onRequest?.(ctx('/health/x'))).toBeUndefined();
  });
});
