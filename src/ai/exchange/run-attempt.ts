/**
 * One upstream attempt: send, then either relay the answer to the client or report a failure the loop may
 * retry. Nothing reaches the client before the upstream's first usable bytes, so until then every
 * failure (connect error, timeout, error status, a stream that breaks or ends before its first event)
 * is still a failover candidate. After that a failure ends the stream with an error event.
 */
import { GatewayError, isGatewayError } from '../../core/errors.ts';
import type { ModelTarget } from '../model-catalog.ts';
import type { ProviderKey } from '../routing/key-ring.ts';
import { verdictForStatus, type FailureVerdict } from '../routing/failure-verdict.ts';
import type { UpstreamReply } from '../providers/provider.ts';
import { endBody, sendHead, writeBody } from './client-writer.ts';
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

/** A network-level failure (no HTTP answer, or a body that broke before the first byte to the client). */
export function networkFailure(err: unknown): AttemptResult {
  const code = errorCodeOf(err);
  let error: GatewayError;
  if (TIMEOUT_CODES.has(code)) error = new GatewayError('upstream_timeout', undefined, { cause: err });
  else if (CONNECT_CODES.has(code)) error = new GatewayError('upstream_connect_error', undefined, { cause: err });
  else error = isGatewayError(err) ? err : new GatewayError('upstream_error', undefined, { cause: err });
  return { kind: 'failed', verdict: { scope: 'provider', reason: error.code, retryAfterMs: undefined }, error };
}

/** Success heads carry our request id; the upstream's own id moves to `x-upstream-request-id`. */
export function withRequestId(headers: Record<string, string>, requestId: string, extra: Readonly<Record<string, string>>): Record<string, string> {
  const upstreamId = headers['x-request-id'];
  if (upstreamId !== undefined) headers['x-upstream-request-id'] = upstreamId;
  return Object.assign(headers, extra, { 'x-request-id': requestId });
}

export async function runAttempt(
  target: ModelTarget,
  key: ProviderKey | undefined,
  prepared: PreparedCall,
  spec: ExchangeSpec,
  env: ExchangeEnv,
  extraHeaders: Readonly<Record<string, string>>,
): Promise<AttemptResult> {
  let reply: UpstreamReply;
  try {
    reply = await target.provider.send({
      operation: spec.operation,
      upstreamModel: target.upstreamModel,
      clientModel: spec.clientModel,
      body: prepared.body,
      isStream: spec.isStream,
      key,
      anthropicBeta: spec.anthropicBeta,
      anthropicVersion: spec.anthropicVersion,
      query: spec.query,
      signal: env.signal,
    });
  } catch (err) {
    return env.signal.aborted ? clientGone(env) : networkFailure(err);
  }
  if (reply.status >= 400) {
    let text = '';
    try {
      text = await reply.text();
    } catch {
      // The error body was lost; the status alone decides.
    }
    const verdict = verdictForStatus(reply.status, text, reply.headers, env.now());
    return { kind: 'failed', verdict, error: prepared.relay.renderError(reply.status, text, reply.headers) };
  }
  const headers = withRequestId(prepared.relay.responseHeaders(reply.headers), env.requestId, extraHeaders);
  if (prepared.dropped.length > 0) headers['x-louai-dropped-params'] = prepared.dropped.join(',');
  return spec.isStream ? relayStream(reply, prepared, env, headers) : relayJson(reply, prepared, env, headers);
}

async function relayJson(reply: UpstreamReply, prepared: PreparedCall, env: ExchangeEnv, headers: Record<string, string>): Promise<AttemptResult> {
  let body: string;
  try {
    body = prepared.relay.relayJson(await reply.text());
  } catch (err) {
    return env.signal.aborted ? clientGone(env) : networkFailure(err);
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  sendHead(env.res, reply.status, headers, false);
  env.tracker.status = reply.status;
  env.tracker.usage = prepared.relay.usage;
  env.tracker.markFirstByte(env.now());
  endBody(env.res, body);
  return ANSWERED;
}

async function relayStream(reply: UpstreamReply, prepared: PreparedCall, env: ExchangeEnv, headers: Record<string, string>): Promise<AttemptResult> {
  const { res, tracker, signal } = env;
  const relay = prepared.relay;
  let isHeadSent = false;
  const openStream = (): void => {
    sendHead(res, reply.status, headers, true);
    tracker.status = reply.status;
    tracker.markFirstByte(env.now());
    isHeadSent = true;
  };
  try {
    for await (const chunk of reply.body) {
      const out = relay.push(chunk);
      if (out.length === 0) continue;
      if (!isHeadSent) openStream();
      await writeBody(res, out, signal);
      if (signal.aborted) break;
    }
  } catch (err) {
    if (signal.aborted) return clientGone(env, relay.usage);
    if (!isHeadSent) return networkFailure(err);
    tracker.outcome = 'stream_error';
    tracker.usage = relay.usage;
    endBody(res, relay.fail());
    return ANSWERED;
  }
  if (signal.aborted) {
    reply.discard();
    return clientGone(env, relay.usage);
  }
  const tail = relay.end();
  if (!isHeadSent && relay.streamOutcome !== 'complete') {
    return networkFailure(new GatewayError('upstream_error', 'upstream stream ended before its first event'));
  }
  if (!isHeadSent) openStream();
  tracker.outcome = relay.streamOutcome === 'complete' ? 'ok' : 'stream_error';
  tracker.usage = relay.usage;
  endBody(res, tail);
  return ANSWERED;
}

function clientGone(env: ExchangeEnv, usage = env.tracker.usage): AttemptResult {
  env.tracker.outcome = 'client_aborted';
  env.tracker.usage = usage;
  if (env.tracker.status === 0) env.tracker.status = 499;
  return ANSWERED;
}
