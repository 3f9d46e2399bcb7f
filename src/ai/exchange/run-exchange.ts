/**
 * The attempt loop of one AI request (ai-gateways.md §3 #11, #14, #15): targets in route-plan order;
 * a key-level failure cools the key and tries the provider's next key; a provider-level failure moves to
 * the next provider; a request-level failure is answered at once. Targets already tried are skipped.
 * When none is left, a `Retry-After` of at most `max_retry_wait` is waited out once and the last target
 * tried again. Everything happens before the first byte reaches the client (see run-attempt.ts).
 * A provider whose circuit breaker is open is left out of the plan; each attempt is admitted by its
 * provider's breaker and reports to it how it ended (routing/provider-circuits.ts).
 * Each attempt also holds a slot of its key's concurrency caps from admission until it ends (a stream:
 * until its last byte, or the client leaves); a key at its cap is skipped like a cooling one (recorded as
 * an attempt with error type `key_busy`, no request sent), and when every key is at its cap and nothing
 * was tried the answer is 503 `upstream_concurrency_exceeded` (routing/key-slots.ts).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { GatewayError, isGatewayError } from '../../core/errors.ts';
import { renderError } from '../../core/render-error.ts';
import type { ModelTarget } from '../model-catalog.ts';
import type { ProviderKey } from '../routing/key-ring.ts';
import type { CircuitVerdict } from '../routing/provider-circuits.ts';
import { planRoute, type RoutePlan } from '../routing/route-plan.ts';
import { endBody, sendHead } from './client-writer.ts';
import type { ExchangeEnv, ExchangeSpec, PreparedCall } from './exchange-types.ts';
import { runAttempt, withRequestId, type AttemptResult } from './run-attempt.ts';

interface Choice {
  readonly index: number;
  readonly target: ModelTarget;
  readonly key: ProviderKey | undefined;
}

type Failure = Extract<AttemptResult, { kind: 'failed' }>;

/** Error type of a skipped attempt whose key was at its concurrency cap. */
export const KEY_BUSY = 'key_busy';

export async function runExchange(spec: ExchangeSpec, env: ExchangeEnv): Promise<void> {
  const { tracker, settings } = env;
  tracker.model = spec.model.name;
  tracker.isStream = spec.isStream;
  const plan = planRoute(spec.model, spec.operation, settings.allowProviders, env.keyStates, env.now(), env.random, env.circuits);
  if (plan.targets.length === 0) {
    if (spec.localAnswer !== undefined) return sendLocalAnswer(spec.localAnswer(), env);
    throw plan.isUnserved ? new GatewayError('model_not_found', `The model '${spec.clientModel}' is not available for this endpoint`) : allCooling(plan, env);
  }
  const tried = new Set<string>();
  let providerIndex = 0;
  let last: { choice: Choice; failure: Failure } | undefined;
  let hasWaited = false;
  let busyCount = 0;
  for (let attempt = 0; attempt < settings.maxAttempts; attempt++) {
    let choice = nextChoice(plan.targets, providerIndex, tried, env);
    while (choice !== undefined) {
      const admitted = env.keySlots.acquire(choice.target.providerName, choice.key);
      if (admitted === true || (admitted !== false && (await admitted))) break;
      skipBusyKey(choice, env);
      busyCount++;
      choice = nextChoice(plan.targets, choice.index, tried, env);
    }
    if (choice === undefined) {
      const waitMs = last?.failure.verdict.retryAfterMs;
      if (last === undefined || hasWaited || waitMs === undefined || waitMs > settings.maxRetryWaitMs) break;
      hasWaited = true;
      try {
        await delay(waitMs, undefined, { signal: env.cancellation.signal });
      } catch {
        tracker.outcome = 'client_aborted';
        return;
      }
      choice = last.choice;
      if (!env.circuits.acquire(choice.target.providerName)) break;
      const admitted = env.keySlots.acquire(choice.target.providerName, choice.key);
      if (admitted === false || (admitted !== true && !(await admitted))) {
        skipBusyKey(choice, env);
        break;
      }
    }
    providerIndex = choice.index;
    // The admitted attempt: its breaker learns how it ended, its key slots are given back. (Inline rather
    // than a function of its own: one promise fewer per request.)
    const provider = choice.target.providerName;
    let result: AttemptResult;
    try {
      result = await runAttempt(choice.target, choice.key, prepareAttempt(choice, spec, env), spec, env, selectionHeaders(choice, env));
    } catch (err) {
      env.circuits.release(provider, 'cancel');
      throw err;
    } finally {
      env.keySlots.release(provider, choice.key);
    }
    env.circuits.release(provider, circuitVerdictOf(result, tracker.outcome));
    if (result.kind === 'answered') return;
    last = { choice, failure: result };
    const { verdict } = result;
    if (verdict.scope === 'key' && choice.key !== undefined) {
      const cooldownMs = verdict.retryAfterMs ?? choice.target.provider.cooldownMs;
      env.keyStates.coolDown(choice.key.id, env.now() + cooldownMs, verdict.reason);
    }
    if (verdict.scope === 'final') break;
    if (verdict.scope === 'provider') providerIndex = choice.index + 1;
  }
  if (last === undefined) {
    if (busyCount === 0) throw new GatewayError('no_upstream_available');
    if (spec.localAnswer !== undefined) return sendLocalAnswer(spec.localAnswer(), env);
    throw allKeysBusy(env);
  }
  if (spec.localAnswer !== undefined && last.failure.verdict.scope !== 'final') return sendLocalAnswer(spec.localAnswer(), env);
  sendFailure(last.failure, last.choice, spec, env);
}

/** The upstream request for the chosen target; the tracker now names it as the serving provider. */
function prepareAttempt(choice: Choice, spec: ExchangeSpec, env: ExchangeEnv): PreparedCall {
  const { tracker } = env;
  const prepared = spec.prepare(choice.target);
  tracker.attempts++;
  tracker.provider = choice.target.providerName;
  tracker.upstreamModel = choice.target.upstreamModel;
  tracker.keyId = choice.key?.id;
  return prepared;
}

/**
 * A chosen key is at its concurrency cap: no request is sent, its breaker admission is cancelled, and the
 * skip is recorded as an attempt with error type `key_busy` (the failover reason in the usage record).
 */
function skipBusyKey(choice: Choice, env: ExchangeEnv): void {
  const { tracker } = env;
  const provider = choice.target.providerName;
  env.circuits.release(provider, 'cancel');
  tracker.beginAttempt(provider, choice.key?.id).errorType = KEY_BUSY;
  if (tracker.provider === undefined) {
    tracker.provider = provider;
    tracker.keyId = choice.key?.id;
  }
}

/** 503 when every key that could serve was at its cap: a slot is usually free again within a second. */
function allKeysBusy(env: ExchangeEnv): GatewayError {
  env.tracker.outcome = 'no_provider';
  return new GatewayError('upstream_concurrency_exceeded', undefined, { headers: { 'retry-after': '1' } });
}

/**
 * Provider-level failures count against the breaker, also after the first byte (a broken stream); a
 * key-level or request-level failure is an answer from a working provider; a client that left says nothing.
 */
function circuitVerdictOf(result: AttemptResult, outcome: string): CircuitVerdict {
  if (result.kind === 'failed') return result.verdict.scope === 'provider' ? 'failure' : 'success';
  if (outcome === 'client_aborted') return 'cancel';
  return outcome === 'stream_error' ? 'failure' : 'success';
}

/**
 * The next untried (provider, key) from `from` on, admitted by the provider's circuit breaker; providers
 * without keys (mock) count as one target.
 */
function nextChoice(targets: readonly ModelTarget[], from: number, tried: Set<string>, env: ExchangeEnv): Choice | undefined {
  const nowMs = env.now();
  for (let index = from; index < targets.length; index++) {
    const target = targets[index];
    if (target === undefined) continue;
    const ring = target.provider.keys;
    if (ring.keys.length === 0) {
      if (tried.has(target.providerName) || !env.circuits.acquire(target.providerName)) continue;
      tried.add(target.providerName);
      return { index, target, key: undefined };
    }
    const key = ring.next(env.keyStates, nowMs, tried);
    if (key === undefined || !env.circuits.acquire(target.providerName)) continue;
    tried.add(key.id);
    return { index, target, key };
  }
  return undefined;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

function selectionHeaders(choice: Choice, env: ExchangeEnv): Readonly<Record<string, string>> {
  if (!env.settings.exposesSelection) return NO_HEADERS;
  const headers: Record<string, string> = { 'x-louai-provider': choice.target.providerName };
  if (choice.key !== undefined) headers['x-louai-key-id'] = choice.key.id;
  return headers;
}

/** 503 with the time until the first provider is usable again (a key back, a circuit half-open) as Retry-After. */
function allCooling(plan: RoutePlan, env: ExchangeEnv): GatewayError {
  const seconds = Math.max(Math.ceil((plan.usableAgainAtMs - env.now()) / 1000), 1);
  env.tracker.outcome = 'no_provider';
  const headers = Number.isFinite(seconds) ? { 'retry-after': String(seconds) } : undefined;
  return new GatewayError('no_upstream_available', 'every provider of this model is cooling down or has an open circuit', headers === undefined ? undefined : { headers });
}

/** Upstream statuses that blame the provider key, not the client: the client must not read them as its own 401/403. */
const PROVIDER_KEY_REJECTED = new Set(['401', '403']);

function sendFailure(failure: Failure, choice: Choice, spec: ExchangeSpec, env: ExchangeEnv): void {
  const { verdict } = failure;
  const error = verdict.scope === 'key' && PROVIDER_KEY_REJECTED.has(verdict.reason)
    ? new GatewayError('upstream_error', `the provider rejected its configured key (HTTP ${verdict.reason})`)
    : failure.error;
  const rendered = isGatewayError(error) ? renderError(error, spec.clientDialect, env.requestId) : error;
  const headers = withRequestId({ ...rendered.headers }, env.requestId, selectionHeaders(choice, env));
  headers['content-length'] = String(Buffer.byteLength(rendered.body));
  env.tracker.status = rendered.status;
  env.tracker.outcome = verdict.scope === 'final' && rendered.status < 500 ? 'client_error' : 'upstream_error';
  sendHead(env.res, rendered.status, headers, false);
  endBody(env.res, rendered.body);
}

function sendLocalAnswer(body: string, env: ExchangeEnv): void {
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-request-id': env.requestId };
  env.tracker.status = 200;
  env.tracker.markFirstByte(env.now());
  sendHead(env.res, 200, headers, false);
  endBody(env.res, body);
}
