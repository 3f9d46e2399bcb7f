/**
 * Every metric a worker records, with the names and labels users already query (issue 5; keep them
 * exactly). `path` is the location name, never the raw URL, so the number of series stays bounded by the
 * config; requests no location matched count under path="unmatched". Methods outside the common set
 * count as "OTHER".
 */
import { CounterFamily, GaugeFamily, HistogramFamily } from './metric-family.ts';
import type { MetricSnapshot } from './metric-snapshot.ts';

/** Seconds; request latency of a gateway that mostly relays streams up to minutes long. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TTFB_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const STREAM_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64];
const TPOT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];

export const UNMATCHED_PATH = 'unmatched';
export const NO_PROVIDER = 'none';

const METHODS: Readonly<Record<string, string>> = { GET: 'GET', POST: 'POST', PUT: 'PUT', DELETE: 'DELETE', PATCH: 'PATCH', HEAD: 'HEAD', OPTIONS: 'OPTIONS' };
const OTHER_METHOD = 'OTHER';

/** A bounded method label. */
export function methodLabel(method: string | undefined): string {
  return (method === undefined ? undefined : METHODS[method]) ?? OTHER_METHOD;
}

export type TokenType = 'input' | 'output' | 'cache_read' | 'cache_write';

export class GatewayMetrics {
  readonly httpRequests = new CounterFamily({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, location name (path) and status.',
    labelNames: ['method', 'path', 'status'],
  });
  readonly httpDuration = new HistogramFamily({
    name: 'http_request_duration_seconds',
    help: 'Time from the request head to the end of the response, by method, location name (path) and status.',
    labelNames: ['method', 'path', 'status'],
    buckets: REQUEST_BUCKETS,
  });
  readonly httpInFlight = new GaugeFamily({
    name: 'http_requests_in_flight',
    help: 'Requests being served now, by method and location name (path).',
    labelNames: ['method', 'path'],
  });
  readonly upstreamDuration = new HistogramFamily({
    name: 'upstream_request_duration_seconds',
    help: 'Time to the first byte of the upstream response head.',
    labelNames: ['upstream', 'provider'],
    buckets: TTFB_BUCKETS,
  });
  readonly upstreamRequests = new CounterFamily({
    name: 'upstream_requests_total',
    help: 'Upstream responses, by upstream (or AI provider name), provider type and status.',
    labelNames: ['upstream', 'provider', 'status'],
  });
  readonly upstreamErrors = new CounterFamily({
    name: 'upstream_errors_total',
    help: 'Upstream attempts that failed before or during the response, by error type (the gateway error code).',
    labelNames: ['upstream', 'error_type'],
  });
  readonly streamingEvents = new CounterFamily({
    name: 'streaming_events_total',
    help: 'Server-sent events relayed to clients.',
    labelNames: ['provider'],
  });
  readonly streamingBytes = new CounterFamily({
    name: 'streaming_bytes_total',
    help: 'Bytes of streamed (text/event-stream) response bodies relayed to clients.',
    labelNames: ['provider'],
  });
  readonly streamingDuration = new HistogramFamily({
    name: 'streaming_duration_seconds',
    help: 'Duration of streamed responses, from the request to the last event.',
    labelNames: ['provider'],
    buckets: STREAM_BUCKETS,
  });
  readonly authRequests = new CounterFamily({
    name: 'auth_requests_total',
    help: 'Gateway authentication decisions (success, missing, invalid, …).',
    labelNames: ['result'],
  });
  readonly rateLimitExceeded = new CounterFamily({
    name: 'rate_limit_exceeded_total',
    help: 'Requests refused by a rate limit, by gateway key name.',
    labelNames: ['key_name'],
  });
  readonly quotaExceeded = new CounterFamily({
    name: 'quota_exceeded_total',
    help: 'Requests refused by a quota, by gateway key name.',
    labelNames: ['key_name'],
  });
  readonly aiTokens = new CounterFamily({
    name: 'louailink_ai_tokens_total',
    help: 'AI tokens by provider, model and type: input (not cached), output, cache_read, cache_write; the types do not overlap.',
    labelNames: ['provider', 'model', 'type'],
  });
  readonly aiTimeToFirstToken = new HistogramFamily({
    name: 'louailink_ai_time_to_first_token_seconds',
    help: 'Time from the request to the first generated token of an AI response.',
    labelNames: ['provider', 'model'],
    buckets: TTFT_BUCKETS,
  });
  readonly aiTimePerOutputToken = new HistogramFamily({
    name: 'louailink_ai_time_per_output_token_seconds',
    help: 'Generation time after the first token divided by the further output tokens.',
    labelNames: ['provider', 'model'],
    buckets: TPOT_BUCKETS,
  });
  readonly aiTruncatedStreams = new CounterFamily({
    name: 'louailink_ai_truncated_streams_total',
    help: 'AI streams that ended without their terminal event (upstream cut, idle timeout, client gone).',
    labelNames: ['provider'],
  });
  readonly aiKeyCooldown = new GaugeFamily({
    name: 'louailink_ai_key_cooldown',
    help: '1 while a provider key is cooling down (skipped), 0 when usable.',
    labelNames: ['provider', 'key_id'],
    aggregator: 'max',
  });
  readonly aiKeyInFlight = new GaugeFamily({
    name: 'louailink_ai_key_in_flight',
    help: 'Upstream attempts running now on a provider key (summed over workers); max_concurrency_per_key caps it.',
    labelNames: ['provider', 'key_id'],
  });
  readonly circuitBreakerState = new GaugeFamily({
    name: 'louailink_circuit_breaker_state',
    help: 'Circuit of a proxied upstream target: 0 closed, 1 open, 2 half-open (the highest among workers; each worker has its own breakers).',
    labelNames: ['upstream', 'target'],
    aggregator: 'max',
  });
  readonly circuitBreakerTransitions = new CounterFamily({
    name: 'louailink_circuit_breaker_transitions_total',
    help: 'State changes of the circuit of a proxied upstream target, by the state entered.',
    labelNames: ['upstream', 'target', 'to'],
  });
  readonly aiProviderCircuitState = new GaugeFamily({
    name: 'louailink_ai_provider_circuit_state',
    help: 'Circuit of an AI provider with circuit_breaker: 0 closed, 1 open, 2 half-open (the highest among workers; each worker has its own breakers).',
    labelNames: ['provider'],
    aggregator: 'max',
  });
  readonly aiProviderCircuitTransitions = new CounterFamily({
    name: 'louailink_ai_provider_circuit_transitions_total',
    help: 'State changes of the circuit of an AI provider, by the state entered.',
    labelNames: ['provider', 'to'],
  });

  readonly #families = [
    this.httpRequests,
    this.httpDuration,
    this.httpInFlight,
    this.upstreamDuration,
    this.upstreamRequests,
    this.upstreamErrors,
    this.streamingEvents,
    this.streamingBytes,
    this.streamingDuration,
    this.authRequests,
    this.rateLimitExceeded,
    this.quotaExceeded,
    this.aiTokens,
    this.aiTimeToFirstToken,
    this.aiTimePerOutputToken,
    this.aiTruncatedStreams,
    this.aiKeyCooldown,
    this.aiKeyInFlight,
    this.circuitBreakerState,
    this.circuitBreakerTransitions,
    this.aiProviderCircuitState,
    this.aiProviderCircuitTransitions,
  ];

  /** Every family in prom-client's JSON shape (families without series included, so HELP/TYPE show). */
  snapshot(): MetricSnapshot[] {
    return this.#families.map((family) => family.snapshot());
  }
}
