import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import type { GatewayResponse } from '../../core/http-types.ts';
import { LocalCounterStore } from '../../limits/counter-store.ts';
import { fakeContext } from '../../../test/helpers/plugin-context.ts';
import { LIMIT_CHANNEL } from '../access-events.ts';
import type { LimitExceededEvent } from '../access-events.ts';
import { createLimitHooks } from './limit-plugin.ts';
import type { LimitPluginConfig } from './limit-plugin.ts';

function parse(plugin: unknown): LimitPluginConfig {
  const config = configSchema.parse({ servers: { s: { listen: '127.0.0.1:1', locations: ['loc'] } }, plugins: { lim: plugin } });
  const parsed = config.plugins.lim;
  if (parsed?.type !== 'limit') throw new Error('not limit');
  return parsed;
}

function codeOf(reply: { body: string | Buffer } | undefined): unknown {
  return reply === undefined ? undefined : (JSON.parse(String(reply.body)) as { error: unknown }).error;
}

describe('limit plugin', () => {
  it('admits rpm requests per consumer per minute, then answers 429 rate_limited with Retry-After until the window ends', () => {
    let nowMs = 120_000 + 45_000; // 15 s before the window of [120 s, 180 s) ends
    const hooks = createLimitHooks(parse({ type: 'limit', rpm: 3 }), 'lim', new LocalCounterStore(), () => nowMs);
    const as = (name: string) => {
      const ctx = fakeContext();
      ctx.consumer = { name, keyName: '0', allowedModels: null };
      return hooks.onRequest?.(ctx);
    };
    expect([as('a'), as('a'), as('a')]).toEqual([undefined, undefined, undefined]);
    const denied = as('a');
    expect(denied?.status).toBe(429);
    expect(codeOf(denied)).toBe('rate_limited');
    expect(denied?.headers['retry-after']).toBe('15');
    expect(as('b')).toBeUndefined();
    nowMs = 180_000;
    expect(as('a')).toBeUndefined();
  });

  it('counts per client address with by: ip', () => {
    const hooks = createLimitHooks(parse({ type: 'limit', by: 'ip', requests: 1, window: '10s' }), 'lim', new LocalCounterStore(), () => 5_000);
    expect(hooks.onRequest?.(fakeContext({ remoteAddress: '10.0.0.1' }))).toBeUndefined();
    expect(hooks.onRequest?.(fakeContext({ remoteAddress: '::ffff:10.0.0.1' }))?.status).toBe(429);
    expect(hooks.onRequest?.(fakeContext({ remoteAddress: '10.0.0.2' }))).toBeUndefined();
  });

  it('lets a token bucket burst to its capacity and refill at its rate', () => {
    let nowMs = 1_000;
    const hooks = createLimitHooks(
      parse({ type: 'limit', by: 'location', token_bucket: { capacity: 2, refill_per_second: 0.5 } }),
      'lim',
      new LocalCounterStore(),
      () => nowMs,
    );
    expect(hooks.onRequest?.(fakeContext())).toBeUndefined();
    expect(hooks.onRequest?.(fakeContext())).toBeUndefined();
    const denied = hooks.onRequest?.(fakeContext());
    expect(denied?.headers['retry-after']).toBe('2');
    nowMs += 2_000;
    expect(hooks.onRequest?.(fakeContext())).toBeUndefined();
  });

  it('answers 503 concurrency_exceeded above the in-flight cap and frees the slot when the response closes', () => {
    const hooks = createLimitHooks(parse({ type: 'limit', by: 'location', concurrency: 1 }), 'lim', new LocalCounterStore());
    const first = new EventEmitter() as unknown as GatewayResponse;
    expect(hooks.onRequest?.(fakeContext({ res: first }))).toBeUndefined();
    const busy = hooks.onRequest?.(fakeContext({ res: new EventEmitter() as unknown as GatewayResponse }));
    expect(busy?.status).toBe(503);
    expect(codeOf(busy)).toBe('concurrency_exceeded');
    first.emit('close');
    expect(hooks.onRequest?.(fakeContext({ res: new EventEmitter() as unknown as GatewayResponse }))).toBeUndefined();
  });

  it('gives a consumer its own limits where configured and the instance limits otherwise', () => {
    const hooks = createLimitHooks(
      parse({ type: 'limit', rpm: 1, consumers: { big: { requests: 3, window: '10s' } } }),
      'lim',
      new LocalCounterStore(),
      () => 1_000,
    );
    const as = (name: string) => {
      const ctx = fakeContext();
      ctx.consumer = { name, keyName: '0', allowedModels: null };
      return hooks.onRequest?.(ctx)?.status;
    };
    expect([as('big'), as('big'), as('big'), as('big')]).toEqual([undefined, undefined, undefined, 429]);
    expect([as('small'), as('small')]).toEqual([undefined, 429]);
  });

  it('publishes each refusal on the limit channel with the consumer and key names', () => {
    const events: LimitExceededEvent[] = [];
    const listener = (message: unknown) => events.push(message as LimitExceededEvent);
    subscribe(LIMIT_CHANNEL, listener);
    try {
      const hooks = createLimitHooks(parse({ type: 'limit', rpm: 1 }), 'per-key', new LocalCounterStore(), () => 1_000);
      for (let i = 0; i < 2; i++) {
        const ctx = fakeContext();
        ctx.consumer = { name: 'team', keyName: 'ci', allowedModels: null };
        hooks.onRequest?.(ctx);
      }
    } finally {
      unsubscribe(LIMIT_CHANNEL, listener);
    }
    expect(events).toEqual([
      { requestId: 'req-1', location: 'loc', plugin: 'per-key', kind: 'rate', subject: 'team', consumer: 'team', keyName: 'ci' },
    ]);
  });

  it('rejects a config with both rpm and requests, with no limit at all, or with consumers when not counting by consumer', () => {
    expect(() => parse({ type: 'limit', rpm: 1, requests: 1 })).toThrow();
    expect(() => parse({ type: 'limit' })).toThrow();
    expect(() => parse({ type: 'limit', by: 'ip', consumers: { a: { rpm: 1 } } })).toThrow();
  });
});
