import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { GatewayResponse } from '../../core/http-types.ts';
import { LocalCounterStore } from '../../limits/counter-store.ts';
import type { CounterStore } from '../../limits/counter-store.ts';
import { fakeContext, parsePluginConfig } from '../../../test/helpers/plugin-context.ts';
import { LIMIT_CHANNEL } from '../access-events.ts';
import type { RequestVerdict } from '../plugin.ts';
import type { LimitExceededEvent } from '../access-events.ts';
import { TokenMeter } from '../../limits/token-meter.ts';
import type { UsageRecord } from '../../core/usage-record.ts';
import { createLimitHooks } from './limit-plugin.ts';
import type { LimitPluginConfig } from './limit-plugin.ts';

function parse(plugin: { type: 'limit' } & Record<string, unknown>): LimitPluginConfig {
  return parsePluginConfig('limit', plugin);
}

/** The verdict of a hook that must not wait (a local store never makes it wait). */
function decided(verdict: RequestVerdict | Promise<RequestVerdict> | undefined): RequestVerdict {
  if (verdict instanceof Promise) throw new Error('the hook waited');
  return verdict;
}

/** The error code of a refusal, plain (`{error: code}`) or in the OpenAI dialect of AI routes (`{error: {code}}`). */
function codeOf(reply: { body: string | Buffer } | undefined): unknown {
  if (reply === undefined) return undefined;
  const error = (JSON.parse(String(reply.body)) as { error: unknown }).error;
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : error;
}

function aiContext(requestId: string) {
  return { ...fakeContext({ isAiRoute: true, res: new EventEmitter() as unknown as GatewayResponse }), requestId };
}

function usageOf(requestId: string, inputTokens: number, outputTokens: number): UsageRecord {
  return {
    requestId,
    locationName: 'loc',
    endpoint: 'chat_completions',
    clientDialect: 'openai',
    clientModel: 'm',
    model: 'm',
    provider: 'p',
    upstreamModel: 'm',
    keyId: undefined,
    attempts: 1,
    status: 200,
    isStream: true,
    inputTokens,
    outputTokens,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    timeToFirstTokenMs: 1,
    durationMs: 2,
    outcome: 'ok',
  };
}

describe('limit plugin', () => {
  it('admits rpm requests per consumer per minute, then answers 429 rate_limited with Retry-After until the window ends', () => {
    let nowMs = 120_000 + 45_000; // 15 s before the window of [120 s, 180 s) ends
    const hooks = createLimitHooks(parse({ type: 'limit', rpm: 3 }), 'lim', new LocalCounterStore(), () => nowMs);
    const as = (name: string) => {
      const ctx = fakeContext();
      ctx.consumer = { name, keyName: '0', allowedModels: null };
      return decided(hooks.onRequest?.(ctx));
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
    expect(decided(hooks.onRequest?.(fakeContext({ remoteAddress: '10.0.0.1' })))).toBeUndefined();
    expect(decided(hooks.onRequest?.(fakeContext({ remoteAddress: '::ffff:10.0.0.1' })))?.status).toBe(429);
    expect(decided(hooks.onRequest?.(fakeContext({ remoteAddress: '10.0.0.2' })))).toBeUndefined();
  });

  it('lets a token bucket burst to its capacity and refill at its rate', () => {
    let nowMs = 1_000;
    const hooks = createLimitHooks(
      parse({ type: 'limit', by: 'location', token_bucket: { capacity: 2, refill_per_second: 0.5 } }),
      'lim',
      new LocalCounterStore(),
      () => nowMs,
    );
    expect(decided(hooks.onRequest?.(fakeContext()))).toBeUndefined();
    expect(decided(hooks.onRequest?.(fakeContext()))).toBeUndefined();
    const denied = decided(hooks.onRequest?.(fakeContext()));
    expect(denied?.headers['retry-after']).toBe('2');
    nowMs += 2_000;
    expect(decided(hooks.onRequest?.(fakeContext()))).toBeUndefined();
  });

  it('answers 503 concurrency_exceeded above the in-flight cap and frees the slot when the response closes', () => {
    const hooks = createLimitHooks(parse({ type: 'limit', by: 'location', concurrency: 1 }), 'lim', new LocalCounterStore());
    const first = new EventEmitter() as unknown as GatewayResponse;
    expect(decided(hooks.onRequest?.(fakeContext({ res: first })))).toBeUndefined();
    const busy = decided(hooks.onRequest?.(fakeContext({ res: new EventEmitter() as unknown as GatewayResponse })));
    expect(busy?.status).toBe(503);
    expect(codeOf(busy)).toBe('concurrency_exceeded');
    first.emit('close');
    expect(decided(hooks.onRequest?.(fakeContext({ res: new EventEmitter() as unknown as GatewayResponse })))).toBeUndefined();
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
      return decided(hooks.onRequest?.(ctx))?.status;
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
        decided(hooks.onRequest?.(ctx));
      }
    } finally {
      unsubscribe(LIMIT_CHANNEL, listener);
    }
    expect(events).toEqual([
      { requestId: 'req-1', location: 'loc', plugin: 'per-key', kind: 'rate', client: '127.0.0.1', subject: 'team', consumer: 'team', keyName: 'ci' },
    ]);
  });

  it('answers 429 quota_exceeded past a monthly quota until the month ends, without spending quota on rate refusals', () => {
    let nowMs = Date.UTC(2026, 10, 30, 23, 0);
    const hooks = createLimitHooks(parse({ type: 'limit', by: 'location', rpm: 2, quota: { requests: 3, period: 'month' } }), 'lim', new LocalCounterStore(), () => nowMs);
    expect([decided(hooks.onRequest?.(fakeContext())), decided(hooks.onRequest?.(fakeContext()))]).toEqual([undefined, undefined]);
    expect(codeOf(decided(hooks.onRequest?.(fakeContext())))).toBe('rate_limited');
    nowMs += 60_000;
    expect(decided(hooks.onRequest?.(fakeContext()))).toBeUndefined();
    const over = decided(hooks.onRequest?.(fakeContext()));
    expect(codeOf(over)).toBe('quota_exceeded');
    expect(over?.status).toBe(429);
    expect(over?.headers['retry-after']).toBe(String(59 * 60));
    nowMs = Date.UTC(2026, 11, 1);
    expect(decided(hooks.onRequest?.(fakeContext()))).toBeUndefined();
  });

  it('waits for a store that answers later (a cluster store asking the master) and then decides', async () => {
    const local = new LocalCounterStore();
    const waiting: CounterStore = {
      takeWindow: (key, limit, windowMs, nowMs) => new Promise((resolve) => setTimeout(() => resolve(local.takeWindow(key, limit, windowMs, nowMs)), 1)),
      takeToken: (key, spec, nowMs) => local.takeToken(key, spec, nowMs),
      checkTokens: (key, limit, windowMs, nowMs) => local.checkTokens(key, limit, windowMs, nowMs),
      chargeTokens: (key, limit, windowMs, tokens, nowMs) => local.chargeTokens(key, limit, windowMs, tokens, nowMs),
      acquire: (key, max) => local.acquire(key, max),
      release: (key) => local.release(key),
    };
    const hooks = createLimitHooks(parse({ type: 'limit', by: 'location', requests: 1, window: '1h' }), 'lim', waiting, () => 1_000);
    const first = hooks.onRequest?.(fakeContext());
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBeUndefined();
    expect(codeOf(await hooks.onRequest?.(fakeContext()))).toBe('rate_limited');
  });

  it('refuses with 429 rate_limited once the tokens charged in the window reach tpm, charging each AI response when its usage arrives', () => {
    let nowMs = 60_000 * 10 + 20_000;
    const meter = new TokenMeter(() => nowMs);
    const hooks = createLimitHooks(parse({ type: 'limit', by: 'location', tpm: 100 }), 'lim', new LocalCounterStore(), () => nowMs, meter);
    const admit = (requestId: string) => decided(hooks.onRequest?.(aiContext(requestId)));
    expect([admit('a'), admit('b')]).toEqual([undefined, undefined]);
    expect(meter.size).toBe(2);
    meter.record(usageOf('a', 40, 20));
    expect(admit('c')).toBeUndefined();
    meter.record(usageOf('b', 30, 10));
    const over = admit('d');
    expect(over?.status).toBe(429);
    expect(codeOf(over)).toBe('rate_limited');
    expect(over?.headers['retry-after']).toBe('40');
    // The response admitted before the limit was reached still counts when it ends.
    meter.record(usageOf('c', 5, 5));
    expect(meter.size).toBe(0);
    nowMs += 40_000;
    expect(admit('e')).toBeUndefined();
  });

  it('charges tokens to the window in which the response ended', () => {
    let nowMs = 59_000;
    const meter = new TokenMeter(() => nowMs);
    const hooks = createLimitHooks(parse({ type: 'limit', by: 'location', tokens: 10, window: '1m' }), 'lim', new LocalCounterStore(), () => nowMs, meter);
    expect(decided(hooks.onRequest?.(aiContext('long')))).toBeUndefined();
    nowMs = 61_000;
    meter.record(usageOf('long', 10, 0));
    expect(decided(hooks.onRequest?.(aiContext('next')))?.status).toBe(429);
  });

  it('answers 429 quota_exceeded once a daily token quota is used up, until the UTC day ends', () => {
    let nowMs = Date.UTC(2026, 3, 1, 22, 0);
    const meter = new TokenMeter(() => nowMs);
    const hooks = createLimitHooks(parse({ type: 'limit', quota: { tokens: 50, period: 'day' } }), 'lim', new LocalCounterStore(), () => nowMs, meter);
    expect(decided(hooks.onRequest?.(aiContext('a')))).toBeUndefined();
    meter.record(usageOf('a', 30, 25));
    const over = decided(hooks.onRequest?.(aiContext('b')));
    expect(codeOf(over)).toBe('quota_exceeded');
    expect(over?.headers['retry-after']).toBe(String(2 * 3600));
    nowMs = Date.UTC(2026, 3, 2);
    expect(decided(hooks.onRequest?.(aiContext('c')))).toBeUndefined();
  });

  it('expects no usage from requests of plain locations, and forgets a request whose usage never comes after its response closed', () => {
    let nowMs = 1_000;
    const meter = new TokenMeter(() => nowMs);
    const hooks = createLimitHooks(parse({ type: 'limit', by: 'location', tpm: 10 }), 'lim', new LocalCounterStore(), () => nowMs, meter);
    expect(decided(hooks.onRequest?.(fakeContext({ res: new EventEmitter() as unknown as GatewayResponse })))).toBeUndefined();
    expect(meter.size).toBe(0);
    const res = new EventEmitter() as unknown as GatewayResponse;
    expect(decided(hooks.onRequest?.({ ...fakeContext({ isAiRoute: true, res }), requestId: 'lost' }))).toBeUndefined();
    res.emit('close');
    nowMs += 11_000;
    expect(decided(hooks.onRequest?.(aiContext('later')))).toBeUndefined();
    expect(meter.size).toBe(1);
  });

  it('counts every location together with by: global', () => {
    const hooks = createLimitHooks(parse({ type: 'limit', by: 'global', requests: 2, window: '1h' }), 'cap', new LocalCounterStore(), () => 1_000);
    const at = (locationName: string) => decided(hooks.onRequest?.(fakeContext({ locationName })))?.status;
    expect([at('a'), at('b'), at('c')]).toEqual([undefined, undefined, 429]);
  });

  it('waits for a slot from a cluster store, and gives a slot granted after the client left straight back', async () => {
    const local = new LocalCounterStore();
    let grant: (isAdmitted: boolean) => void = () => undefined;
    const released: string[] = [];
    const cluster: CounterStore = {
      takeWindow: (key, limit, windowMs, nowMs) => local.takeWindow(key, limit, windowMs, nowMs),
      takeToken: (key, spec, nowMs) => local.takeToken(key, spec, nowMs),
      checkTokens: (key, limit, windowMs, nowMs) => local.checkTokens(key, limit, windowMs, nowMs),
      chargeTokens: (key, limit, windowMs, tokens, nowMs) => local.chargeTokens(key, limit, windowMs, tokens, nowMs),
      acquire: () => new Promise<boolean>((resolve) => (grant = resolve)),
      release: (key) => void released.push(key),
    };
    const hooks = createLimitHooks(parse({ type: 'limit', by: 'location', concurrency: 1 }), 'lim', cluster);
    const res = new EventEmitter() as unknown as GatewayResponse;
    const admitted = hooks.onRequest?.(fakeContext({ res }));
    grant(true);
    expect(await admitted).toBeUndefined();
    res.emit('close');
    expect(released).toEqual(['lim|location|loc']);
    const left = new EventEmitter() as unknown as GatewayResponse;
    const abandoned = hooks.onRequest?.(fakeContext({ res: left }));
    left.emit('close');
    grant(true);
    expect(codeOf(await abandoned)).toBe('concurrency_exceeded');
    expect(released).toHaveLength(2);
    const refused = hooks.onRequest?.(fakeContext({ res: new EventEmitter() as unknown as GatewayResponse }));
    grant(false);
    expect((await refused)?.status).toBe(503);
  });

  it('rejects a config with both tpm and tokens, or a quota with neither requests nor tokens', () => {
    expect(() => parse({ type: 'limit', tpm: 1, tokens: 1 })).toThrow();
    expect(() => parse({ type: 'limit', quota: { period: 'day' } })).toThrow();
  });

  it('rejects a config with both rpm and requests, with no limit at all, or with consumers when not counting by consumer', () => {
    expect(() => parse({ type: 'limit', rpm: 1, requests: 1 })).toThrow();
    expect(() => parse({ type: 'limit' })).toThrow();
    expect(() => parse({ type: 'limit', by: 'ip', consumers: { a: { rpm: 1 } } })).toThrow();
  });
});
