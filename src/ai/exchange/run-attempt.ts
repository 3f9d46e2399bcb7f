/**
 * One upstream attempt: send, then either relay the answer to the client or report a failure the loop may
 * retry. Nothing reaches the client before the upstream's first usable bytes, so until then every
 * failure (connect error, timeout, error status, a stream that breaks or ends before its first event)
 * is still a failover candidate. After that a failure ends the stream with an error event.
 * Each attempt is logged in the usage tracker (status, time to the upstream's response head, error type),
 * and every body byte written to the client is counted there (bytes, and events on streams).
 */
import { GatewayError, isGatewayError } from '../../core/errors.ts';
import type { ModelTarget } from '../model-catalog.ts';
import type { ProviderKey } from '../routing/key-ring.ts';
import { verdictForStatus, type FailureVerdict } from '../routing/failure-verdict.ts';
import type { UpstreamCall, UpstreamReply } from '../providers/provider.ts';
import type { AttemptLog } from '../usage/usage-tracker.ts';
import { endBody, sendHead, writeChunk } from './client-writer.ts';
import { forEachChunk } from './for-each-chunk.ts';
import type { ExchangeEnv, ExchangeSpec, PreparedCall } from './exchange-types.ts';
import type { RelayedError } from './response-relay.ts';

export type AttemptResult =
  | { readonly kind: 'answered' }
  | { readonly kind: 'failed'; readonly verdict: FailureVerdict; readonly error: RelayedError | GatewayError };

const ANSWERED: AttemptResult = { kind: 'answered' };
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCodeOf(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

/** The gateway error for a network-level failure: a timeout, a connect error, or anything else. */
function networkError(err: unknown): GatewayError {
  const code = errorCodeOf(err);
  if (TIMEOUT_CODES.has(code)) return new GatewayError('upstream_timeout', undefined, { cause: err });
  if (CONNECT_CODES.has(code)) return new GatewayError('upstream_connect_error', undefined, { cause: err });
  return isGatewayError(err) ? err : new GatewayError('upstream_error', undefined, { cause: err });
}

/** A network-level failure (no HTTP answer, or a body that broke before the first byte to the client). */
export function networkFailure(err: unknown, attempt?: AttemptLog): AttemptResult {
  const error = networkError(err);
  if (attempt !== undefined) attempt.errorType = error.code;
  return { kind: 'failed', verdict: { scope: 'provider', reason: error.code, retryAfterMs: undefined }, error };
}

/** Success heads carry our request id; the upstream's own id moves to `x-upstream-request-id`. */
export function withRequestId(headers: Record<string, string>, requestId: string, extra: Readonly<Record<string, string>>): Record<string, string> {
  const upstreamId = headers['x-request-id'];
  if (upstreamId !== undefined) headers['x-upstream-request-id'] = upstreamId;
  for (const name in extra) headers[name] = extra[name] as string;
  headers['x-request-id'] = requestId;
  return headers;
}

export async function runAttempt(
  target: ModelTarget,
  key: ProviderKey | undefined,
  prepared: PreparedCall,
  spec: ExchangeSpec,
  env: ExchangeEnv,
  extraHeaders: Readonly<Record<string, string>>,
): Promise<AttemptResult> {
  const attempt = env.tracker.beginAttempt(target.providerName, key?.id);
  const sentAt = performance.now();
  const call: UpstreamCall = {
    operation: spec.operation,
    upstreamModel: target.upstreamModel,
    clientModel: spec.clientModel,
    body: prepared.body,
    isStream: spec.isStream,
    key,
    anthropicBeta: spec.anthropicBeta,
    anthropicVersion: spec.anthropicVersion,
    query: spec.query,
    cancellation: env.cancellation,
  };
  let reply: UpstreamReply;
  try {
    reply = await target.provider.send(call);
  } catch (err) {
    return env.cancellation.isCancelled ? clientGone(env) : networkFailure(err, attempt);
  }
  attempt.status = reply.status;
  attempt.headerMs = performance.now() - sentAt;
  if (reply.status >= 400) {
    const text = await errorText(reply);
    target.provider.noteErrorAnswer(call, reply.status, text);
    const retry = prepared.retryFor?.(reply.status, text);
    if (retry !== undefined) return runAttempt(target, key, { ...retry, retryFor: undefined }, spec, env, extraHeaders);
    const verdict = verdictForStatus(reply.status, text, reply.headers, env.now());
    return { kind: 'failed', verdict, error: prepared.relay.renderError(reply.status, text, reply.headers) };
  }
  const headers = withRequestId(prepared.relay.responseHeaders(reply.headers), env.requestId, extraHeaders);
  if (prepared.dropped.length > 0) headers['x-louai-dropped-params'] = prepared.dropped.join(',');
  if (spec.isStream) return await relayStream(reply, prepared, env, headers, attempt);
  let whole = reply.whole;
  if (whole === undefined) {
    try {
      whole = Buffer.from(await reply.text());
    } catch (err) {
      return env.cancellation.isCancelled ? clientGone(env) : networkFailure(err, attempt);
    }
  }
  return relayJson(whole, reply.status, prepared, env, headers, attempt);
}

/** An error answer's body (empty when it was lost: the status alone decides). */
async function errorText(reply: UpstreamReply): Promise<string> {
  try {
    return await reply.text();
  } catch {
    return '';
  }
}

/** A whole JSON answer: head and body leave in one write. */
function relayJson(whole: Uint8Array, status: number, prepared: PreparedCall, env: ExchangeEnv, headers: Record<string, string>, attempt: AttemptLog): AttemptResult {
  let body: Uint8Array;
  try {
    const out = prepared.relay.relayJson(whole);
    body = typeof out === 'string' ? Buffer.from(out) : out;
  } catch (err) {
    return networkFailure(err, attempt);
  }
  headers['content-length'] = String(body.length);
  sendHead(env.res, status, headers, false);
  env.tracker.status = status;
  env.tracker.usage = prepared.relay.usage;
  env.tracker.markFirstByte(env.now());
  env.tracker.countBody(body);
  endBody(env.res, body);
  return ANSWERED;
}

async function relayStream(
  reply: UpstreamReply,
  prepared: PreparedCall,
  env: ExchangeEnv,
  headers: Record<string, string>,
  attempt: AttemptLog,
): Promise<AttemptResult> {
  const { res, tracker, cancellation } = env;
  const relay = prepared.relay;
  let isHeadSent = false;
  // The head is opened only when bytes follow at once (a first event, or the stream's end): it leaves with
  // them in one write instead of a write of its own (node sends an unflushed head with the first body write).
  const openStream = (): void => {
    sendHead(res, reply.status, headers, false);
    tracker.status = reply.status;
    tracker.markFirstByte(env.now());
    isHeadSent = true;
  };
  try {
    await forEachChunk(reply.body, (chunk) => {
      const pushed = relay.push(chunk);
      if (pushed.length === 0) return true;
      if (!isHeadSent) openStream();
      // Translated text is encoded once here: counting its bytes and writing a string would each measure it.
      const out = typeof pushed === 'string' ? Buffer.from(pushed) : pushed;
      tracker.countBody(out);
      const drained = writeChunk(res, out, cancellation);
      return drained === undefined ? !cancellation.isCancelled : drained.then(() => !cancellation.isCancelled);
    });
  } catch (err) {
    if (cancellation.isCancelled) return clientGone(env, relay.usage);
    if (!isHeadSent) return networkFailure(err, attempt);
    attempt.errorType = networkError(err).code;
    tracker.outcome = 'stream_error';
    tracker.usage = relay.usage;
    endClientStream(env, relay.fail());
    return ANSWERED;
  }
  if (cancellation.isCancelled) {
    reply.discard();
    return clientGone(env, relay.usage);
  }
  const tail = relay.end();
  if (!isHeadSent && relay.streamOutcome !== 'complete') {
    return networkFailure(new GatewayError('upstream_error', 'upstream stream ended before its first event'), attempt);
  }
  if (!isHeadSent) openStream();
  const isComplete = relay.streamOutcome === 'complete';
  if (!isComplete) attempt.errorType = 'upstream_error';
  tracker.outcome = isComplete ? 'ok' : 'stream_error';
  tracker.usage = relay.usage;
  endClientStream(env, tail);
  return ANSWERED;
}

/** The last bytes of a stream (often the error event that ends a cut one) are counted like the others. */
function endClientStream(env: ExchangeEnv, tail: string): void {
  if (tail.length > 0) env.tracker.countBody(tail);
  endBody(env.res, tail);
}

function clientGone(env: ExchangeEnv, usage = env.tracker.usage): AttemptResult {
  env.tracker.outcome = 'client_aborted';
  env.tracker.usage = usage;
  if (env.tracker.status === 0) env.tracker.status = 499;
  return ANSWERED;
}
