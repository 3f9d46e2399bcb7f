/**
 * `type: limit`: requests per fixed window (`rpm` / `requests` + `window`), a token bucket, and requests
 * in flight and a daily or monthly quota, counted per consumer (from key-auth), client address or
 * location, with per-consumer overrides. Over a rate: 429 rate_limited; over the quota: 429
 * quota_exceeded (both with Retry-After); over the concurrency: 503 concurrency_exceeded. A cluster
 * store may make the window and quota checks wait for the master: the hook then returns a promise. Counters live in a CounterStore keyed by this instance's name, so they survive
 * reloads; the slot taken for concurrency is given back when the response closes (finished or aborted).
 */
import type { PluginConfig } from '../../config/schema.ts';
import { GatewayError } from '../../core/errors.ts';
import { processCounterStore } from '../../limits/counter-store.ts';
import type { CounterStore } from '../../limits/counter-store.ts';
import { MONTH_WINDOW, retryAfterSeconds } from '../../limits/fixed-window.ts';
import type { TokenBucketSpec } from '../../limits/token-bucket.ts';
import { clientAddressOf } from '../client-address.ts';
import { publishLimitExceeded } from '../access-events.ts';
import { errorReply } from '../plugin-reply.ts';
import type { PluginHooks, PluginRequestContext, PluginType, Reply, RequestVerdict } from '../plugin.ts';

export type LimitPluginConfig = Extract<PluginConfig, { type: 'limit' }>;
type LimitFields = Pick<LimitPluginConfig, 'rpm' | 'requests' | 'window' | 'token_bucket' | 'concurrency' | 'quota'>;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const QUOTA_SUFFIX = '|quota';
const ANONYMOUS = '-';

/** One set of limits, compiled. */
interface LimitSpec {
  readonly windowLimit: number | undefined;
  readonly windowMs: number;
  readonly bucket: TokenBucketSpec | undefined;
  readonly maxInFlight: number | undefined;
  readonly quota: { readonly limit: number; readonly windowMs: number } | undefined;
}

function compileSpec(fields: LimitFields): LimitSpec {
  return {
    windowLimit: fields.rpm ?? fields.requests,
    windowMs: fields.rpm === undefined ? fields.window : MINUTE_MS,
    bucket:
      fields.token_bucket === undefined ? undefined : { capacity: fields.token_bucket.capacity, refillPerSecond: fields.token_bucket.refill_per_second },
    maxInFlight: fields.concurrency,
    quota:
      fields.quota === undefined
        ? undefined
        : { limit: fields.quota.requests, windowMs: fields.quota.period === 'day' ? DAY_MS : MONTH_WINDOW },
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
    quota: own.quota ?? base.quota,
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
    onRequest(ctx): RequestVerdict | Promise<RequestVerdict> {
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
      return checkWindow(ctx, spec, key, subject);
    },
  };

  // Order: window, token bucket, then quota, so a request refused by a rate never spends quota.
  function checkWindow(ctx: PluginRequestContext, spec: LimitSpec, key: string, subject: string): RequestVerdict | Promise<RequestVerdict> {
    if (spec.windowLimit === undefined) return checkBucketAndQuota(ctx, spec, key, subject);
    const waitMs = store.takeWindow(key, spec.windowLimit, spec.windowMs, now());
    if (typeof waitMs !== 'number') return waitMs.then((ms) => (ms === 0 ? checkBucketAndQuota(ctx, spec, key, subject) : refuse(ctx, subject, 'rate', ms)));
    return waitMs === 0 ? checkBucketAndQuota(ctx, spec, key, subject) : refuse(ctx, subject, 'rate', waitMs);
  }

  function checkBucketAndQuota(ctx: PluginRequestContext, spec: LimitSpec, key: string, subject: string): RequestVerdict | Promise<RequestVerdict> {
    if (spec.bucket !== undefined) {
      const waitMs = store.takeToken(key, spec.bucket, now());
      if (typeof waitMs !== 'number') return waitMs.then((ms) => (ms === 0 ? checkQuota(ctx, spec, key, subject) : refuse(ctx, subject, 'rate', ms)));
      if (waitMs !== 0) return refuse(ctx, subject, 'rate', waitMs);
    }
    return checkQuota(ctx, spec, key, subject);
  }

  function checkQuota(ctx: PluginRequestContext, spec: LimitSpec, key: string, subject: string): RequestVerdict | Promise<RequestVerdict> {
    if (spec.quota === undefined) return undefined;
    const waitMs = store.takeWindow(key + QUOTA_SUFFIX, spec.quota.limit, spec.quota.windowMs, now());
    if (typeof waitMs !== 'number') return waitMs.then((ms) => (ms === 0 ? undefined : refuse(ctx, subject, 'quota', ms)));
    return waitMs === 0 ? undefined : refuse(ctx, subject, 'quota', waitMs);
  }

  function refuse(ctx: PluginRequestContext, subject: string, kind: 'rate' | 'quota', waitMs: number): Reply {
    publishLimitExceeded(ctx, name, kind, subject);
    const code = kind === 'rate' ? 'rate_limited' : 'quota_exceeded';
    return errorReply(ctx, new GatewayError(code, undefined, { headers: { 'retry-after': retryAfterSeconds(waitMs) } }));
  }
}

export const limitPlugin: PluginType<LimitPluginConfig, PluginHooks> = {
  type: 'limit',
  create(config, name = '') {
    return createLimitHooks(config, name, processCounterStore());
  },
};
