/**
 * The per-request observability of one compiled config in a worker: `start` when the request head is
 * read, `route` once the location is known, and on the response's `close` everything is recorded at
 * once (metrics cells, usage tracker, access-log line). Built once per config with one LocationMeter
 * per location; the hot path only touches pre-resolved cells.
 */
import type { GatewayRequest, GatewayResponse } from '../core/http-types.ts';
import type { LogWriter } from './access-log/log-writer.ts';
import { TwoKeyCache } from '../lib/two-key-cache.ts';
import { AiModelCells } from './ai-model-cells.ts';
import type { LogLineFormatter } from './access-log/log-template.ts';
import { GatewayMetrics, methodLabel, NO_PROVIDER } from './gateway-metrics.ts';
import { LocationMeter, methodIndex } from './location-meter.ts';
import type { HistogramCell, ValueCell } from './metric-family.ts';
import { maskedTokenOn, presentedToken } from './mask-token.ts';
import { RequestRecord } from './request-record.ts';
import { UsageTracker } from './usage-tracker.ts';
import type { UpstreamLog } from './upstream-log.ts';
import type { UsageRecord } from '../core/usage-record.ts';

const kRecord = Symbol('louailink.requestRecord');

/** A response being observed: its record in a symbol slot. */
interface RecordedResponse {
  [kRecord]?: RequestRecord;
}

/** Status logged for a request whose client left before the response head (nginx's 499). */
export const CLIENT_CLOSED_STATUS = 499;

interface UpstreamCells {
  readonly duration: HistogramCell;
  readonly byStatus: Map<number, ValueCell>;
}

export interface AccessLogSink {
  readonly format: LogLineFormatter;
  readonly writer: LogWriter;
}

export interface RequestObserverOptions {
  readonly metrics: GatewayMetrics;
  readonly locationNames: Iterable<string>;
  readonly accessLog: AccessLogSink | null;
  /** Locations served by the AI layer: their records wait for the AI usage before they are logged. */
  readonly aiLocationNames?: Iterable<string>;
  /** Provider name → type ("openai", …), the `provider` label of upstream metrics. */
  readonly providerTypes?: ReadonlyMap<string, string>;
  /** The upstream debug log, when configured. */
  readonly upstreamLog?: UpstreamLog | null;
}

/** What the AI layer reports per finished request: the shared record from src/core. */
export type AiUsageReport = UsageRecord;

export class RequestObserver {
  readonly metrics: GatewayMetrics;
  readonly usage: UsageTracker;
  /** Hand this to the AI layer (it is a UsageSink). */
  readonly usageSink: { record(usage: AiUsageReport, response?: object): void };
  readonly #meters = new Map<string, LocationMeter>();
  readonly #accessLog: AccessLogSink | null;
  readonly #aiLocations: ReadonlySet<string>;
  readonly #providerTypes: ReadonlyMap<string, string>;
  readonly #upstreamLog: UpstreamLog | null;
  /** Cells of one (upstream, provider type), resolved on first use. */
  readonly #upstreams: TwoKeyCache<UpstreamCells>;
  /** AI cells by provider and model (models come from requests, but only those the catalogue routes reach here). */
  readonly #aiCells: TwoKeyCache<AiModelCells>;

  constructor(options: RequestObserverOptions) {
    const metrics = options.metrics;
    this.metrics = metrics;
    this.#upstreams = new TwoKeyCache((upstream, providerType) => ({ duration: metrics.upstreamDuration.cell(upstream, providerType), byStatus: new Map() }));
    this.#aiCells = new TwoKeyCache((provider, model) => new AiModelCells(metrics, provider, model));
    for (const name of options.locationNames) this.#meters.set(name, new LocationMeter(name, metrics));
    this.usage = new UsageTracker(this.#meters.values());
    this.#accessLog = options.accessLog;
    this.#aiLocations = new Set(options.aiLocationNames ?? []);
    this.#providerTypes = options.providerTypes ?? new Map();
    this.usageSink = { record: (usage, response) => this.#onAiUsage(usage, response) };
    this.#upstreamLog = options.upstreamLog ?? null;
  }

  /** The request head was read; the record is finished when the response closes. */
  start(req: GatewayRequest, res: GatewayResponse, requestId: string): RequestRecord {
    const record = new RequestRecord(req, res, requestId, methodLabel(req.method));
    if (this.#upstreamLog !== null) record.captureLeft = this.#upstreamLog.maxBodyBytes;
    // 'close' fires once per response; `on` skips the wrapper `once` builds, and one listener shared by
    // every response (it finds the record in a symbol slot) spares a closure per request.
    (res as RecordedResponse)[kRecord] = record;
    res.on('close', this.#onResponseClose);
    return record;
  }

  readonly #onResponseClose = ((observer: RequestObserver) =>
    function onResponseClose(this: RecordedResponse): void {
      const record = this[kRecord];
      if (record === undefined) return;
      // The AI layer reports usage when its exchange settles, which may be just after the close.
      if (record.isAwaitingUsage) setImmediate(() => observer.#finish(record));
      else observer.#finish(record);
    })(this);

  /** The request was routed to location `name` (counted in flight until it ends). */
  route(record: RequestRecord, name: string): void {
    const meter = this.#meters.get(name);
    if (meter === undefined) return;
    record.location = name;
    record.meter = meter;
    // Before the plugins run: key-auth clears the gateway key from the headers, and it is the token to count.
    record.presentedToken = presentedToken(record.req.headers);
    meter.begin(methodIndex(record.method));
    // Its usage comes from the AI layer with the response, where the record is found (kRecord).
    if (this.#aiLocations.has(name)) record.isAi = true;
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
    if (record.isBuiltIn) {
      if (this.#accessLog !== null) this.#accessLog.writer.write(`${this.#accessLog.format(record)}\n`);
      return;
    }
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
    // AI requests count their upstream attempts from the usage report (#onAiUsage).
    if (record.upstream !== '' && !record.isAi) {
      this.#recordUpstream(record, seconds);
      if (this.#upstreamLog !== null) this.#upstreamLog.recordExchange(record);
    }
    const token = record.presentedToken ?? presentedToken(record.req.headers);
    if (token !== undefined) this.usage.countToken(maskedTokenOn(record.req.socket, token));
    if (this.#accessLog !== null) this.#accessLog.writer.write(`${this.#accessLog.format(record)}\n`);
  }

  /**
   * One upstream exchange: `upstream_requests_total` by status (0: no response head), the time to the
   * response head (`headerMs` < 0: none) and the error type ('' : none).
   */
  #countUpstream(upstream: string, providerType: string, status: number, headerMs: number, errorType: string): void {
    const m = this.metrics;
    if (errorType !== '') m.upstreamErrors.cell(upstream, errorType).value++;
    if (status === 0 && headerMs < 0) return; // no answer: no series of requests or durations
    const cells = this.#upstreams.get(upstream, providerType);
    if (status > 0) {
      let requests = cells.byStatus.get(status);
      if (requests === undefined) {
        requests = m.upstreamRequests.cell(upstream, providerType, String(status));
        cells.byStatus.set(status, requests);
      }
      requests.value++;
    }
    if (headerMs >= 0) m.upstreamDuration.observe(cells.duration, headerMs / 1000);
  }

  /** A proxied exchange; its stream counts under the upstream name. */
  #recordUpstream(record: RequestRecord, seconds: number): void {
    const upstream = record.upstream;
    this.#countUpstream(upstream, record.upstreamProvider, record.upstreamStatus, record.upstreamHeaderMs, record.errorType);
    if (record.isStream) {
      const m = this.metrics;
      m.streamingBytes.cell(upstream).value += record.bodyBytes;
      m.streamingEvents.cell(upstream).value += record.streamEvents;
      m.streamingDuration.observe(m.streamingDuration.cell(upstream), seconds);
    }
  }

  /**
   * Every upstream attempt of an AI request (failovers included) under its provider name and type; a
   * producer that does not list attempts counts one request with the status the client got.
   */
  #recordAiAttempts(usage: AiUsageReport, provider: string, providerType: string, record: RequestRecord | undefined): void {
    const attempts = usage.upstreamAttempts;
    if (attempts === undefined) {
      this.#countUpstream(provider, providerType, usage.status, -1, '');
      return;
    }
    for (const attempt of attempts) {
      const type = this.#providerTypes.get(attempt.provider) ?? NO_PROVIDER;
      this.#countUpstream(attempt.provider, type, attempt.status, attempt.headerMs ?? -1, attempt.errorType ?? '');
    }
    const last = attempts.at(-1);
    if (record !== undefined && last !== undefined) {
      record.upstreamProvider = providerType;
      record.upstreamStatus = last.status;
      record.upstreamHeaderMs = last.headerMs ?? -1;
      if (last.errorType !== undefined) record.errorType = last.errorType;
    }
  }

  #onAiUsage(usage: AiUsageReport, response: object | undefined): void {
    const m = this.metrics;
    const provider = usage.provider;
    const found = response === undefined ? undefined : (response as RecordedResponse)[kRecord];
    // Usage that comes after its record was logged (its close waited one turn for it) only counts metrics.
    const record = found !== undefined && found.isAwaitingUsage && found.requestId === usage.requestId ? found : undefined;
    const model = usage.model ?? usage.clientModel;
    const isTruncated = usage.outcome === 'stream_error';
    if (record !== undefined && provider !== undefined) {
      record.onAiUsage({
        provider,
        model,
        keyId: usage.keyId,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        cacheReadTokens: usage.cacheReadTokens,
        cacheWriteTokens: usage.cacheWriteTokens,
        ttftMs: usage.timeToFirstTokenMs,
        isTruncated,
      });
    }
    if (provider === undefined) return;
    const providerType = this.#providerTypes.get(provider) ?? NO_PROVIDER;
    this.#recordAiAttempts(usage, provider, providerType, record);
    const uncachedInput = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
    const cells = this.#aiCells.get(provider, model);
    if (uncachedInput > 0) cells.tokens('input').value += uncachedInput;
    if (usage.outputTokens > 0) cells.tokens('output').value += usage.outputTokens;
    if (usage.cacheReadTokens > 0) cells.tokens('cache_read').value += usage.cacheReadTokens;
    if (usage.cacheWriteTokens > 0) cells.tokens('cache_write').value += usage.cacheWriteTokens;
    const ttftMs = usage.timeToFirstTokenMs;
    if (ttftMs !== undefined) {
      m.aiTimeToFirstToken.observe(cells.timeToFirstToken, ttftMs / 1000);
      if (usage.outputTokens > 1) {
        const perToken = Math.max(0, usage.durationMs - ttftMs) / 1000 / (usage.outputTokens - 1);
        m.aiTimePerOutputToken.observe(cells.timePerOutputToken, perToken);
      }
    }
    // A stream request answered with an error (JSON) or abandoned before the head is no stream.
    const isStreamed = usage.isStream && usage.status >= 200 && usage.status < 300;
    if (isStreamed) {
      m.streamingDuration.observe(m.streamingDuration.cell(provider), usage.durationMs / 1000);
      if (usage.streamEvents !== undefined) m.streamingEvents.cell(provider).value += usage.streamEvents;
      if (usage.bodyBytes !== undefined) m.streamingBytes.cell(provider).value += usage.bodyBytes;
    }
    if (record !== undefined) {
      if (usage.bodyBytes !== undefined) record.bodyBytes = usage.bodyBytes;
      if (usage.streamEvents !== undefined) {
        record.isStream = isStreamed;
        record.streamEvents = usage.streamEvents;
      }
    }
    if (isTruncated) m.aiTruncatedStreams.cell(provider).value++;
  }
}
