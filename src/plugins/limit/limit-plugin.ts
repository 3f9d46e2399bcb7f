/**
 * `type: limit`: requests per fixed window (`rpm` / `requests` + `window`), a token bucket, and requests
 * in flight, counted per consumer (from key-auth), client address or location, with per-consumer
 * overrides. Over a rate: 429 rate_limited with Retry-After; over the concurrency: 503
 * concurrency_exceeded. Counters live in a CounterStore keyed by this instance's name, so they survive
 * reloads; the slot taken for concurrency is given back when the response closes (finished or aborted).
 */
import type { PluginConfig } from '../../config/schema.ts';
import { GatewayError } from '../../core/errors.ts';
import { processCounterStore } from '../../limits/counter-store.ts';
import type { CounterStore } from '../../limits/counter-store.ts';
import { retryAfterSeconds } from '../../limits/fixed-window.ts';
import type { TokenBucketSpec } from '../../limits/token-bucket.ts';
import { clientAddressOf } from '../client-address.ts';
import { publishLimitExceeded } from '../access-events.ts';
import { errorReply } from '../plugin-reply.ts';
import type { PluginHooks, PluginRequestContext, PluginType } from '../plugin.ts';

export type LimitPluginConfig = Extract<PluginConfig, { type: 'limit' }>;
type LimitFields = Pick<LimitPluginConfig, 'rpm' | 'requests' | 'window' | 'token_bucket' | 'concurrency'>;

const MINUTE_MS = 60_000;
const ANONYMOUS = '-';

/** One set of limits, compiled. */
interface LimitSpec {
  readonly windowLimit: number | undefined;
  readonly windowMs: number;
  readonly bucket: TokenBucketSpec | undefined;
  readonly maxInFlight: number | undefined;
}

function compileSpec(fields: LimitFields): LimitSpec {
  return {
    windowLimit: fields.rpm ?? fields.requests,
    windowMs: fields.rpm === undefined ? fields.window : MINUTE_MS,
    bucket:
      fields.token_bucket === undefined ? undefined : { capacity: fields.token_bucket.capacity, refillPerSecond: fields.token_bucket.refill_per_second },
    maxInFlight: fields.concurrency,
  };
}

/** A consumer's limits: the fields it gives replace the instance's (`rpm`/`requests` with `window`). */
function overrideSpec(base: LimitSpec, fields: LimitFields): LimitSpec {
  const own = compileSpec(fields);
  const hasRate = fields.rpm !== undefined || fields.requests !== undefined;
  return {
    windowLimit: hasRate ? own.windowLimit : base.windowLimit,
    windowMs: hasRate ? own.windowMs : base.windowMs,
    bucket: own.bucket ?? base.bucket,
    maxInFlight: own.maxInFlight ?? base.maxInFlight,
  };
}

type KeyOf = (ctx: PluginRequestContext) => string;

const KEY_OF: Record<LimitPluginConfig['by'], KeyOf> = {
  consumer: (ctx) => ctx.consumer?.name ?? ANONYMOUS,
  ip: (ctx) => clientAddressOf(ctx.req),
  location: (ctx) => ctx.locationName,
};

/** The hooks of one limit instance against `store` (tests pass their own store and clock). */
export function createLimitHooks(config: LimitPluginConfig, name: string, store: CounterStore, now: () => number = Date.now): PluginHooks {
  const keyOf = KEY_OF[config.by];
  const prefix = `${name}|${config.by}|`;
  const base = compileSpec(config);
  const byConsumer = new Map(Object.entries(config.consumers ?? {}).map(([consumer, fields]) => [consumer, overrideSpec(base, fields)]));
  const busy = new GatewayError('concurrency_exceeded');
  return {
    onRequest(ctx) {
      const subject = keyOf(ctx);
      const key = prefix + subject;
      const spec = (byConsumer.size === 0 ? undefined : byConsumer.get(subject)) ?? base;
      // The slot is taken first and given back on 'close', also when a rate limit answers 429 below.
      if (spec.maxInFlight !== undefined) {
        const res = ctx.res;
        if (res === undefined) throw new Error('the limit plugin needs ctx.res to release concurrency slots');
        if (!store.acquire(key, spec.maxInFlight)) {
          publishLimitExceeded(ctx, name, 'concurrency', subject);
          return errorReply(ctx, busy);
        }
        res.once('close', () => store.release(key));
      }
      const nowMs = now();
      let waitMs = spec.windowLimit === undefined ? 0 : store.takeWindow(key, spec.windowLimit, spec.windowMs, nowMs);
      if (waitMs === 0 && spec.bucket !== undefined) waitMs = store.takeToken(key, spec.bucket, nowMs);
      if (waitMs === 0) return undefined;
      publishLimitExceeded(ctx, name, 'rate', subject);
      return errorReply(ctx, new GatewayError('rate_limited', undefined, { headers: { 'retry-after': retryAfterSeconds(waitMs) } }));
    },
  };
}

export const limitPlugin: PluginType<LimitPluginConfig> = {
  type: 'limit',
  create(config, name = '') {
    return createLimitHooks(config, name, processCounterStore);
  },
};
