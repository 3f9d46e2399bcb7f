/**
 * `type: limit`: requests per fixed window (`rpm` / `requests` + `window`), tokens per fixed window
 * (`tpm` / `tokens`), a token bucket, requests in flight and daily or monthly quotas of requests and
 * tokens, counted per consumer (from key-auth), client address, location or globally, with per-consumer
 * overrides. Over a rate: 429 rate_limited; over a quota: 429 quota_exceeded (both with Retry-After);
 * over the concurrency: 503 concurrency_exceeded. Token limits spend nothing at admission: a request is
 * refused once its window's count has reached the limit, and an admitted AI request's usage is charged
 * when its response ends (../../limits/token-meter.ts). A cluster store may make a check wait for the
 * master: the hook then returns a promise. Counters live in a CounterStore keyed by this instance's name,
 * so they survive reloads; the slot taken for concurrency is given back when the response closes.
 */
import type { PluginConfig } from '../../config/schema.ts';
import { GatewayError } from '../../core/errors.ts';
import type { GatewayResponse } from '../../core/http-types.ts';
import { JoinedKeys } from '../../lib/joined-keys.ts';
import { processCounterStore } from '../../limits/counter-store.ts';
import type { CounterStore } from '../../limits/counter-store.ts';
import { MONTH_WINDOW, retryAfterSeconds } from '../../limits/fixed-window.ts';
import type { TokenBucketSpec } from '../../limits/token-bucket.ts';
import { processTokenMeter } from '../../limits/token-meter.ts';
import type { TokenMeter } from '../../limits/token-meter.ts';
import { clientAddressOf } from '../client-address.ts';
import { publishLimitExceeded } from '../access-events.ts';
import { errorReply } from '../plugin-reply.ts';
import type { PluginHooks, PluginRequestContext, PluginType, Reply, RequestVerdict } from '../plugin.ts';

export type LimitPluginConfig = Extract<PluginConfig, { type: 'limit' }>;
type LimitFields = Pick<LimitPluginConfig, 'rpm' | 'requests' | 'tpm' | 'tokens' | 'window' | 'token_bucket' | 'concurrency' | 'quota'>;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const ANONYMOUS = '-';
const GLOBAL = '*';

/** A limit of `limit` per fixed window of `windowMs` (0 = UTC calendar months). */
interface WindowLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** One set of limits, compiled. */
interface LimitSpec {
  readonly requests: WindowLimit | undefined;
  readonly tokens: WindowLimit | undefined;
  readonly bucket: TokenBucketSpec | undefined;
  readonly maxInFlight: number | undefined;
  readonly requestQuota: WindowLimit | undefined;
  readonly tokenQuota: WindowLimit | undefined;
}

function windowLimit(perMinute: number | undefined, perWindow: number | undefined, windowMs: number): WindowLimit | undefined {
  if (perMinute !== undefined) return { limit: perMinute, windowMs: MINUTE_MS };
  return perWindow === undefined ? undefined : { limit: perWindow, windowMs };
}

function quotaLimit(limit: number | undefined, period: 'day' | 'month'): WindowLimit | undefined {
  return limit === undefined ? undefined : { limit, windowMs: period === 'day' ? DAY_MS : MONTH_WINDOW };
}

function compileSpec(fields: LimitFields): LimitSpec {
  const quota = fields.quota;
  return {
    requests: windowLimit(fields.rpm, fields.requests, fields.window),
    tokens: windowLimit(fields.tpm, fields.tokens, fields.window),
    bucket:
      fields.token_bucket === undefined ? undefined : { capacity: fields.token_bucket.capacity, refillPerSecond: fields.token_bucket.refill_per_second },
    maxInFlight: fields.concurrency,
    requestQuota: quota === undefined ? undefined : quotaLimit(quota.requests, quota.period),
    tokenQuota: quota === undefined ? undefined : quotaLimit(quota.tokens, quota.period),
  };
}

/** A consumer's limits: the fields it gives replace the instance's (a rate with its `window`, the quota as a whole). */
function overrideSpec(base: LimitSpec, fields: LimitFields): LimitSpec {
  const own = compileSpec(fields);
  const hasQuota = fields.quota !== undefined;
  return {
    requests: own.requests ?? base.requests,
    tokens: own.tokens ?? base.tokens,
    bucket: own.bucket ?? base.bucket,
    maxInFlight: own.maxInFlight ?? base.maxInFlight,
    requestQuota: hasQuota ? own.requestQuota : base.requestQuota,
    tokenQuota: hasQuota ? own.tokenQuota : base.tokenQuota,
  };
}

type Kind = 'rate' | 'quota';

/** One admission check of a spec, in order: 0 = pass, else ms until it may pass (a cluster store may wait). */
interface Check {
  readonly kind: Kind;
  readonly run: (key: string, nowMs: number) => number | Promise<number>;
}

/** A spec's checks and token charge, compiled once per spec. */
interface CompiledSpec {
  readonly maxInFlight: number | undefined;
  readonly checks: readonly Check[];
  /** Set when the spec has token limits: charges a finished request's tokens to the subject `key`. */
  readonly charge: ((key: string, tokens: number, nowMs: number) => void) | undefined;
}

const TOKENS_SUFFIX = '|tokens';
const REQUEST_QUOTA_SUFFIX = '|quota';
const TOKEN_QUOTA_SUFFIX = '|token-quota';

/**
 * Order: token window and token quota first (they spend nothing), then request window, token bucket and
 * request quota, so a request refused by a rate never spends quota.
 */
function compileChecks(spec: LimitSpec, store: CounterStore): CompiledSpec {
  const checks: Check[] = [];
  const { tokens, tokenQuota, requests, bucket, requestQuota } = spec;
  if (tokens !== undefined) checks.push({ kind: 'rate', run: (key, nowMs) => store.checkTokens(key + TOKENS_SUFFIX, tokens.limit, tokens.windowMs, nowMs) });
  if (tokenQuota !== undefined) {
    checks.push({ kind: 'quota', run: (key, nowMs) => store.checkTokens(key + TOKEN_QUOTA_SUFFIX, tokenQuota.limit, tokenQuota.windowMs, nowMs) });
  }
  if (requests !== undefined) checks.push({ kind: 'rate', run: (key, nowMs) => store.takeWindow(key, requests.limit, requests.windowMs, nowMs) });
  if (bucket !== undefined) checks.push({ kind: 'rate', run: (key, nowMs) => store.takeToken(key, bucket, nowMs) });
  if (requestQuota !== undefined) {
    checks.push({ kind: 'quota', run: (key, nowMs) => store.takeWindow(key + REQUEST_QUOTA_SUFFIX, requestQuota.limit, requestQuota.windowMs, nowMs) });
  }
  const charge =
    tokens === undefined && tokenQuota === undefined
      ? undefined
      : (key: string, used: number, nowMs: number): void => {
          if (tokens !== undefined) store.chargeTokens(key + TOKENS_SUFFIX, tokens.limit, tokens.windowMs, used, nowMs);
          if (tokenQuota !== undefined) store.chargeTokens(key + TOKEN_QUOTA_SUFFIX, tokenQuota.limit, tokenQuota.windowMs, used, nowMs);
        };
  return { maxInFlight: spec.maxInFlight, checks, charge };
}

type KeyOf = (ctx: PluginRequestContext) => string;

const KEY_OF: Record<LimitPluginConfig['by'], KeyOf> = {
  consumer: (ctx) => ctx.consumer?.name ?? ANONYMOUS,
  ip: (ctx) => clientAddressOf(ctx.req),
  location: (ctx) => ctx.locationName,
  global: () => GLOBAL,
};

/** The hooks of one limit instance against `store` (tests pass their own store, clock and meter). */
export function createLimitHooks(
  config: LimitPluginConfig,
  name: string,
  store: CounterStore,
  now: () => number = Date.now,
  meter: TokenMeter = processTokenMeter(),
): PluginHooks {
  const keyOf = KEY_OF[config.by];
  const prefix = `${name}|${config.by}|`;
  const baseSpec = compileSpec(config);
  const base = compileChecks(baseSpec, store);
  const byConsumer = new Map(Object.entries(config.consumers ?? {}).map(([consumer, fields]) => [consumer, compileChecks(overrideSpec(baseSpec, fields), store)]));
  const busy = new GatewayError('concurrency_exceeded');
  // Counter keys by subject, joined once (bounded for `by: ip`: one per client address).
  const keys = new JoinedKeys(prefix);
  return {
    onRequest(ctx): RequestVerdict | Promise<RequestVerdict> {
      const subject = keyOf(ctx);
      const key = keys.of(subject);
      const spec = (byConsumer.size === 0 ? undefined : byConsumer.get(subject)) ?? base;
      if (spec.maxInFlight === undefined) return runChecks(ctx, spec, key, subject, 0);
      // The slot is taken first and given back on 'close', also when a rate limit answers 429 below.
      const res = ctx.res;
      if (res === undefined) throw new Error('the limit plugin needs ctx.res to release concurrency slots');
      const slot = store.acquire(key, spec.maxInFlight);
      if (slot === true) {
        res.once('close', () => store.release(key));
        return runChecks(ctx, spec, key, subject, 0);
      }
      if (slot === false) return refuseBusy(ctx, subject);
      return waitForSlot(ctx, res, slot, spec, key, subject);
    },
  };

  /** A cluster store asks the master for a slot: if the client leaves meanwhile, a granted slot goes straight back. */
  function waitForSlot(
    ctx: PluginRequestContext,
    res: GatewayResponse,
    slot: Promise<boolean>,
    spec: CompiledSpec,
    key: string,
    subject: string,
  ): Promise<RequestVerdict> {
    let isClosed = false;
    const onClose = (): void => {
      isClosed = true;
    };
    res.once('close', onClose);
    return slot.then((isAdmitted) => {
      res.off('close', onClose);
      if (!isAdmitted) return refuseBusy(ctx, subject);
      if (isClosed) {
        store.release(key);
        return refuseBusy(ctx, subject);
      }
      res.once('close', () => store.release(key));
      return runChecks(ctx, spec, key, subject, 0);
    });
  }

  function refuseBusy(ctx: PluginRequestContext, subject: string): Reply {
    publishLimitExceeded(ctx, name, 'concurrency', subject);
    return errorReply(ctx, busy);
  }

  /** Runs the checks from `from` on: synchronous while the store answers synchronously. */
  function runChecks(ctx: PluginRequestContext, spec: CompiledSpec, key: string, subject: string, from: number): RequestVerdict | Promise<RequestVerdict> {
    const { checks } = spec;
    for (let i = from; i < checks.length; i++) {
      const check = checks[i] as Check;
      const waitMs = check.run(key, now());
      if (typeof waitMs !== 'number') {
        return waitMs.then((ms) => (ms === 0 ? runChecks(ctx, spec, key, subject, i + 1) : refuse(ctx, subject, check.kind, ms)));
      }
      if (waitMs !== 0) return refuse(ctx, subject, check.kind, waitMs);
    }
    // Admitted: an AI request's tokens are charged when its usage is recorded (the response ended).
    const charge = spec.charge;
    if (charge !== undefined && ctx.isAiRoute === true && ctx.res !== undefined) meter.expect(ctx.requestId, ctx.res, (tokens) => charge(key, tokens, now()));
    return undefined;
  }

  function refuse(ctx: PluginRequestContext, subject: string, kind: Kind, waitMs: number): Reply {
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
