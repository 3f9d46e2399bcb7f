import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { AUTH_CHANNEL } from '../access-events.ts';
import type { AuthEvent } from '../access-events.ts';
import type { Reply } from '../plugin.ts';
import { fakeContext, parsePluginConfig } from '../../../test/helpers/plugin-context.ts';
import { keyAuthPlugin } from './key-auth-plugin.ts';
import { sha256 } from './key-table.ts';
import type { KeyAuthPluginConfig } from './key-table.ts';

const ALICE_KEY = 'alice-secret-key-0001';
const BOB_KEY = 'bob-secret-key-000002';

function parse(plugin: { type: 'key-auth' } & Record<string, unknown>): KeyAuthPluginConfig {
  return parsePluginConfig('key-auth', plugin);
}

const hooks = keyAuthPlugin.create(
  parse({
    type: 'key-auth',
    headers: ['authorization', 'X-GW-Token'],
    consumers: {
      alice: { keys: [{ key_hash: `sha256:${sha256(ALICE_KEY).toString('hex')}`, name: 'laptop' }], allowed_models: ['gpt-4o'] },
      bob: { keys: [{ key: BOB_KEY }], allowed_locations: ['other'] },
      old: { keys: [{ key: 'old-secret-key-000003', expires_at: '2020-01-01T00:00:00Z' }] },
      paused: { keys: [{ key: 'paused-secret-key-0004' }], active: false },
    },
  }),
);

function codeOf(reply: Reply | undefined): unknown {
  if (reply === undefined) return undefined;
  const body = JSON.parse(String(reply.body)) as { error: unknown };
  return typeof body.error === 'string' ? body.error : (body.error as { code?: unknown; type?: unknown }).code ?? body.error;
}

describe('key-auth plugin', () => {
  it('admits a hashed key given as Bearer, names its consumer and removes the credential headers', () => {
    const ctx = fakeContext({ headers: { authorization: `Bearer ${ALICE_KEY}`, 'x-gw-token': 'other' } });
    expect(hooks.onRequest?.(ctx)).toBeUndefined();
    expect(ctx.consumer?.name).toBe('alice');
    expect(ctx.consumer?.keyName).toBe('laptop');
    expect([...(ctx.consumer?.allowedModels ?? [])]).toEqual(['gpt-4o']);
    expect(ctx.req.headers.authorization).toBeUndefined();
    expect(ctx.req.headers['x-gw-token']).toBeUndefined();
  });

  it('admits a plain key given in the configured header (names compared in lower case)', () => {
    const ctx = fakeContext({ locationName: 'other', headers: { 'x-gw-token': BOB_KEY } });
    expect(hooks.onRequest?.(ctx)).toBeUndefined();
    expect(ctx.consumer?.name).toBe('bob');
    expect(ctx.consumer?.keyName).toBe('0');
  });

  it('admits a key again on the same connection without taking another key for it', () => {
    const socket = { remoteAddress: '127.0.0.1' };
    const on = (key: string): Reply | undefined => hooks.onRequest?.(fakeContext({ socket, headers: { authorization: `Bearer ${key}` } })) as Reply | undefined;
    expect(on(ALICE_KEY)).toBeUndefined();
    expect(on(ALICE_KEY)).toBeUndefined();
    // Same length, one character off; then a key of another length; then the right one again.
    expect(codeOf(on(`${ALICE_KEY.slice(0, -1)}2`))).toBe('unauthorized');
    expect(codeOf(on('alice'))).toBe('unauthorized');
    const ctx = fakeContext({ socket, headers: { authorization: `Bearer ${ALICE_KEY}` } });
    expect(hooks.onRequest?.(ctx)).toBeUndefined();
    expect(ctx.consumer?.name).toBe('alice');
  });

  it('answers 401 unauthorized with WWW-Authenticate when no key or an unknown key is given', () => {
    const none = hooks.onRequest?.(fakeContext());
    expect(none?.status).toBe(401);
    expect(none?.headers['www-authenticate']).toBe('Bearer');
    expect(codeOf(none)).toBe('unauthorized');
    expect(codeOf(hooks.onRequest?.(fakeContext({ headers: { authorization: 'Bearer nope-nope-nope-nope' } })))).toBe('unauthorized');
    expect(codeOf(hooks.onRequest?.(fakeContext({ headers: { authorization: `Basic ${ALICE_KEY}` } })))).toBe('unauthorized');
  });

  it('answers 401 key_expired after the key expiry and 403 project_inactive for an inactive consumer', () => {
    expect(codeOf(hooks.onRequest?.(fakeContext({ headers: { authorization: 'Bearer old-secret-key-000003' } })))).toBe('key_expired');
    const paused = hooks.onRequest?.(fakeContext({ headers: { authorization: 'Bearer paused-secret-key-0004' } }));
    expect(paused?.status).toBe(403);
    expect(codeOf(paused)).toBe('project_inactive');
  });

  it('answers 403 forbidden on a location the consumer may not use', () => {
    const reply = hooks.onRequest?.(fakeContext({ locationName: 'loc', headers: { 'x-gw-token': BOB_KEY } }));
    expect(reply?.status).toBe(403);
    expect(codeOf(reply)).toBe('forbidden');
  });

  it('renders denials on AI routes in the OpenAI or Anthropic dialect by endpoint', () => {
    const openai = hooks.onRequest?.(fakeContext({ isAiRoute: true, path: '/v1/chat/completions' }));
    expect(JSON.parse(String(openai?.body))).toMatchObject({ error: { code: 'unauthorized', type: 'authentication_error' } });
    const anthropic = hooks.onRequest?.(fakeContext({ isAiRoute: true, path: '/v1/messages' }));
    expect(JSON.parse(String(anthropic?.body))).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('refuses at load two consumers sharing one key, and a key given both in clear and hashed', () => {
    expect(() => keyAuthPlugin.create(parse({ type: 'key-auth', consumers: { a: { keys: [{ key: BOB_KEY }] }, b: { keys: [{ key: BOB_KEY }] } } }))).toThrow(/share/);
    expect(() => parse({ type: 'key-auth', consumers: { a: { keys: [{ key: BOB_KEY, key_hash: `sha256:${'0'.repeat(64)}` }] } } })).toThrow();
  });

  it('publishes every decision on the auth channel with consumer and key names, never the key', () => {
    const events: AuthEvent[] = [];
    const listener = (message: unknown) => events.push(message as AuthEvent);
    subscribe(AUTH_CHANNEL, listener);
    try {
      hooks.onRequest?.(fakeContext({ headers: { authorization: `Bearer ${ALICE_KEY}` } }));
      hooks.onRequest?.(fakeContext());
      hooks.onRequest?.(fakeContext({ headers: { authorization: 'Bearer paused-secret-key-0004' } }));
    } finally {
      unsubscribe(AUTH_CHANNEL, listener);
    }
    expect(events.map((e) => [e.result, e.consumer, e.keyName])).toEqual([
      ['ok', 'alice', 'laptop'],
      ['missing', undefined, undefined],
      ['inactive', 'paused', '0'],
    ]);
    expect(JSON.stringify(events)).not.toContain('secret');
  });
});
