/**
 * One request as observability sees it: filled in by the layers that serve it (the router names the
 * location, the proxy reports the upstream exchange, the AI layer reports usage) and read once when the
 * response closes, by the metrics, the usage summary and the access log. One object per request with
 * every field initialized in the constructor (one hidden class); numbers use -1 for "not known".
 */
import type { GatewayRequest, GatewayResponse } from '../core/http-types.ts';
import { SseEventCounter } from '../lib/sse-event-counter.ts';
import { NO_PROVIDER, UNMATCHED_PATH } from './gateway-metrics.ts';
import type { LocationMeter } from './location-meter.ts';

/** AI usage of one request (provider names, key id, tokens, timing). */
export interface AiUsageFields {
  readonly provider: string;
  /** Provider type ("openai", "anthropic", …), the `provider` label of upstream metrics. */
  readonly providerType?: string;
  readonly model: string;
  readonly keyId?: string | undefined;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cacheReadTokens?: number;
  readonly cacheWriteTokens?: number;
  /** From the request to the first generated token, ms. */
  readonly ttftMs?: number | undefined;
  /** The stream ended without its terminal event. */
  readonly isTruncated?: boolean;
}

/** Wall clock = timeOrigin + performance.now(): one clock read per request instead of two. */
const TIME_ORIGIN = performance.timeOrigin;

export class RequestRecord {
  readonly req: GatewayRequest;
  readonly res: GatewayResponse;
  readonly requestId: string;
  /** performance.now() at the request head. */
  readonly startedAt: number;
  /** Wall clock at the request head (epoch ms), for the log's time. */
  readonly startedAtMs: number;
  readonly method: string;
  location = UNMATCHED_PATH;
  meter: LocationMeter | null = null;
  /** Upstream name (proxy) or provider name (AI); '' when nothing was sent upstream. */
  upstream = '';
  upstreamProvider = NO_PROVIDER;
  upstreamAddr = '';
  upstreamStatus = 0;
  /** performance.now() when the current upstream attempt was dispatched. */
  upstreamStartedAt = -1;
  /** From dispatch to the upstream response head, ms. */
  upstreamHeaderMs = -1;
  isStream = false;
  /** Response body bytes written to the client, as counted by the layer that relays them. */
  bodyBytes = 0;
  streamEvents = 0;
  errorType = '';
  provider = '';
  model = '';
  keyId = '';
  tokensIn = -1;
  tokensOut = -1;
  cacheReadTokens = -1;
  cacheWriteTokens = -1;
  ttftMs = -1;
  isTruncated = false;
  /** The credential the client presented (Bearer or x-api-key), read when the request was routed. */
  presentedToken: string | undefined = undefined;
  /** An AI request whose usage has not been reported yet. */
  get isAwaitingUsage(): boolean {
    return this.isAi && !this.hasUsage;
  }

  /** Answered by the gateway itself (/health, /metrics…): logged, not counted. */
  isBuiltIn = false;
  /** Routed to an AI location. */
  isAi = false;
  hasUsage = false;
  /** Set once the response closed: the duration in ms. */
  durationMs = -1;
  status = 0;

  constructor(req: GatewayRequest, res: GatewayResponse, requestId: string, method: string) {
    this.req = req;
    this.res = res;
    this.requestId = requestId;
    this.startedAt = performance.now();
    this.startedAtMs = TIME_ORIGIN + this.startedAt;
    this.method = method;
  }

  /** The proxy dispatched an attempt to `addr` ("host:port") of upstream `upstream`. */
  onUpstreamStart(upstream: string, addr: string): void {
    this.upstream = upstream;
    this.upstreamAddr = addr;
    this.upstreamStartedAt = performance.now();
  }

  /** The upstream response head arrived. */
  onUpstreamHead(status: number, isStream: boolean): void {
    this.upstreamStatus = status;
    this.isStream = isStream;
    if (this.upstreamStartedAt >= 0) this.upstreamHeaderMs = performance.now() - this.upstreamStartedAt;
  }

  /** Response body bytes relayed to the client. */
  onBodyBytes(bytes: number): void {
    this.bodyBytes += bytes;
  }

  /** A response body chunk relayed to the client: counts its bytes and, on streams, its SSE events. */
  onBodyChunk(chunk: Uint8Array): void {
    if (this.captureLeft > 0) this.#capture(chunk);
    this.bodyBytes += chunk.length;
    if (this.isStream) this.streamEvents += (this.#events ??= new SseEventCounter()).push(chunk);
  }

  /** Bytes of the response body still to keep for the upstream log (0: keep nothing). */
  captureLeft = 0;
  /** The kept start of the response body (upstream log only). */
  captured: Buffer[] | null = null;

  #capture(chunk: Uint8Array): void {
    const kept = chunk.length <= this.captureLeft ? chunk : chunk.subarray(0, this.captureLeft);
    (this.captured ??= []).push(Buffer.from(kept));
    this.captureLeft -= kept.length;
  }

  /** Created on the first streamed chunk (most responses are not streams). */
  #events: SseEventCounter | null = null;

  /** An upstream attempt failed; `errorType` is the gateway error code (upstream_timeout, …). */
  onUpstreamError(errorType: string): void {
    this.errorType = errorType;
  }

  /** The AI layer reports what the request used. */
  onAiUsage(usage: AiUsageFields): void {
    this.hasUsage = true;
    this.provider = usage.provider;
    this.upstream = usage.provider;
    if (usage.providerType !== undefined) this.upstreamProvider = usage.providerType;
    this.model = usage.model;
    if (usage.keyId !== undefined) this.keyId = usage.keyId;
    if (usage.inputTokens !== undefined) this.tokensIn = usage.inputTokens;
    if (usage.outputTokens !== undefined) this.tokensOut = usage.outputTokens;
    if (usage.cacheReadTokens !== undefined) this.cacheReadTokens = usage.cacheReadTokens;
    if (usage.cacheWriteTokens !== undefined) this.cacheWriteTokens = usage.cacheWriteTokens;
    if (usage.ttftMs !== undefined) this.ttftMs = usage.ttftMs;
    if (usage.isTruncated === true) this.isTruncated = true;
  }
}
