/**
 * `type: limit`: requests per fixed window (`rpm` / `requests` + `window`), a token bucket, and requests
 * in flight, counted per consumer (from key-auth), client address or location. Over a rate: 429
 * rate_limited with Retry-After; over the concurrency: 503 concurrency_exceeded. Counters live in a
 * CounterStore keyed by this instance's name, so they survive reloads; the slot taken for concurrency is
 * given back when the response closes (finished or aborted).
 */
import type { PluginConfig } from '../../config/schema.ts';
import { GatewayError } from '../../core/errors.ts';
import { processCounterStore } from '../../limits/counter-store.ts';
import type { CounterStore } from '../../limits/counter-store.ts';
import { retryAfterSeconds } from '../../limits/fixed-window.ts';
import type { TokenBucketSpec } from '../../limits/token-bucket.ts';
import { clientAddressOf } from '../client-address.ts';
import { errorReply } from '../plugin-reply.ts';
import type { PluginHooks, PluginRequestContext, PluginType } from '../plugin.ts';

export type LimitPluginConfig = Extract<PluginConfig, { type: 'limit' }>;

const MINUTE_MS = 60_000;
const ANONYMOUS = '-';

type KeyOf = (ctx: PluginRequestContext) => string;

const KEY_OF: Record<LimitPluginConfig['by'], KeyOf> = {
  consumer: (ctx) => ctx.consumer?.name ?? ANONYMOUS,
  ip: (ctx) => clientAddressOf(ctx.req),
  location: (ctx) => ctx.locationName,
};

function rateLimited(ctx: PluginRequestContext, waitMs: number) {
  return errorReply(ctx, new GatewayError('rate_limited', undefined, { headers: { 'retry-after': retryAfterSeconds(waitMs) } }));
}

/** The hooks of one limit instance against `store` (tests pass their own store and clock). */
export function createLimitHooks(config: LimitPluginConfig, name: string, store: CounterStore, now: () => number = Date.now): PluginHooks {
  const keyOf = KEY_OF[config.by];
  const prefix = `${name}|${config.by}|`;
  const windowLimit = config.rpm ?? config.requests;
  const windowMs = config.rpm === undefined ? config.window : MINUTE_MS;
  const bucket: TokenBucketSpec | undefined =
    config.token_bucket === undefined ? undefined : { capacity: config.token_bucket.capacity, refillPerSecond: config.token_bucket.refill_per_second };
  const maxInFlight = config.concurrency;
  const busy = new GatewayError('concurrency_exceeded');
  return {
    onRequest(ctx) {
      const key = prefix + keyOf(ctx);
      // The slot is taken first and given back on 'close', also when a rate limit answers 429 below.
      if (maxInFlight !== undefined) {
        const res = ctx.res;
        if (res === undefined) throw new Error('the limit plugin needs ctx.res to release concurrency slots');
        if (!store.acquire(key, maxInFlight)) return errorReply(ctx, busy);
        res.once('close', () => store.release(key));
      }
      const nowMs = now();
      let waitMs = windowLimit === undefined ? 0 : store.takeWindow(key, windowLimit, windowMs, nowMs);
      if (waitMs === 0 && bucket !== undefined) waitMs = store.takeToken(key, bucket, nowMs);
      if (waitMs === 0) return undefined;
      return rateLimited(ctx, waitMs);
    },
  };
}

export const limitPlugin: PluginType<LimitPluginConfig> = {
  type: 'limit',
  create(config, name = '') {
    return createLimitHooks(config, name, processCounterStore);
  },
};
