/**
 * The per-request observability of one compiled config in a worker: `start` when the request head is
 * read, `route` once the location is known, and on the response's `close` everything is recorded at
 * once (metrics cells, usage tracker, access-log line). Built once per config with one LocationMeter
 * per location; the hot path only touches pre-resolved cells.
 */
import type { GatewayRequest, GatewayResponse } from '../core/http-types.ts';
import type { LogWriter } from './access-log/log-writer.ts';
import type { LogLineFormatter } from './access-log/log-template.ts';
import { GatewayMetrics, methodLabel } from './gateway-metrics.ts';
import { LocationMeter, methodIndex } from './location-meter.ts';
import { maskToken, presentedToken } from './mask-token.ts';
import { RequestRecord } from './request-record.ts';
import { UsageTracker } from './usage-tracker.ts';

/** Status logged for a request whose client left before the response head (nginx's 499). */
export const CLIENT_CLOSED_STATUS = 499;

export interface AccessLogSink {
  readonly format: LogLineFormatter;
  readonly writer: LogWriter;
}

export interface RequestObserverOptions {
  readonly metrics: GatewayMetrics;
  readonly locationNames: Iterable<string>;
  readonly accessLog: AccessLogSink | null;
}

export class RequestObserver {
  readonly metrics: GatewayMetrics;
  readonly usage: UsageTracker;
  readonly #meters = new Map<string, LocationMeter>();
  readonly #accessLog: AccessLogSink | null;

  constructor(options: RequestObserverOptions) {
    this.metrics = options.metrics;
    for (const name of options.locationNames) this.#meters.set(name, new LocationMeter(name, options.metrics));
    this.usage = new UsageTracker(this.#meters.values());
    this.#accessLog = options.accessLog;
  }

  /** The request head was read; the record is finished when the response closes. */
  start(req: GatewayRequest, res: GatewayResponse, requestId: string): RequestRecord {
    const record = new RequestRecord(req, res, requestId, methodLabel(req.method));
    res.once('close', () => this.#finish(record));
    return record;
  }

  /** The request was routed to location `name` (counted in flight until it ends). */
  route(record: RequestRecord, name: string): void {
    const meter = this.#meters.get(name);
    if (meter === undefined) return;
    record.location = name;
    record.meter = meter;
    meter.begin(methodIndex(record.method));
  }

  /** A provider key changed state (untilMs > now: cooling down until then; 0: usable again). */
  onKeyState(provider: string, keyId: string, untilMs: number): void {
    const isCooling = untilMs > Date.now();
    this.metrics.aiKeyCooldown.cell(provider, keyId).value = isCooling ? 1 : 0;
    this.usage.setKeyState({
      provider,
      keyId,
      state: isCooling ? 'cooling_down' : 'healthy',
      ...(isCooling ? { untilMs } : {}),
      observedAtMs: Date.now(),
    });
  }

  #finish(record: RequestRecord): void {
    const res = record.res;
    record.durationMs = performance.now() - record.startedAt;
    record.status = res.headersSent ? res.statusCode : CLIENT_CLOSED_STATUS;
    const seconds = record.durationMs / 1000;
    const method = methodIndex(record.method);
    const meter = record.meter;
    if (meter !== null) {
      meter.end(method);
      meter.record(method, record.status, seconds);
    } else {
      const m = this.metrics;
      m.httpRequests.cell(record.method, record.location, String(record.status)).value++;
      m.httpDuration.observe(m.httpDuration.cell(record.method, record.location, String(record.status)), seconds);
    }
    if (record.upstream !== '') this.#recordUpstream(record, seconds);
    const token = presentedToken(record.req.headers);
    if (token !== undefined) this.usage.countToken(maskToken(token));
    if (this.#accessLog !== null) this.#accessLog.writer.write(`${this.#accessLog.format(record)}\n`);
  }

  #recordUpstream(record: RequestRecord, seconds: number): void {
    const m = this.metrics;
    const upstream = record.upstream;
    const providerType = record.upstreamProvider;
    if (record.upstreamStatus > 0) m.upstreamRequests.cell(upstream, providerType, String(record.upstreamStatus)).value++;
    if (record.upstreamHeaderMs >= 0) m.upstreamDuration.observe(m.upstreamDuration.cell(upstream, providerType), record.upstreamHeaderMs / 1000);
    if (record.errorType !== '') m.upstreamErrors.cell(upstream, record.errorType).value++;
    const streamLabel = record.provider === '' ? upstream : record.provider;
    if (record.isStream) {
      m.streamingBytes.cell(streamLabel).value += record.bodyBytes;
      m.streamingEvents.cell(streamLabel).value += record.streamEvents;
      m.streamingDuration.observe(m.streamingDuration.cell(streamLabel), seconds);
    }
    if (record.provider === '') return;
    const { provider, model } = record;
    if (record.tokensIn >= 0) m.aiTokens.cell(provider, model, 'input').value += record.tokensIn;
    if (record.tokensOut >= 0) m.aiTokens.cell(provider, model, 'output').value += record.tokensOut;
    if (record.cacheReadTokens > 0) m.aiTokens.cell(provider, model, 'cache_read').value += record.cacheReadTokens;
    if (record.cacheWriteTokens > 0) m.aiTokens.cell(provider, model, 'cache_write').value += record.cacheWriteTokens;
    if (record.ttftMs >= 0) {
      m.aiTimeToFirstToken.observe(m.aiTimeToFirstToken.cell(provider, model), record.ttftMs / 1000);
      if (record.tokensOut > 1) {
        const perToken = (record.durationMs - record.ttftMs) / 1000 / (record.tokensOut - 1);
        m.aiTimePerOutputToken.observe(m.aiTimePerOutputToken.cell(provider, model), Math.max(0, perToken));
      }
    }
    if (record.isTruncated) m.aiTruncatedStreams.cell(provider).value++;
  }
}
