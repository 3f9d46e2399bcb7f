/**
 * The configuration schema: the single source of the TypeScript types (`ConfigInput` as written,
 * `Config` after defaults and unit normalization), runtime validation, the JSON Schema printed by
 * `louailink config schema`, and docs/config.md. Objects are closed (a typo is an error).
 * Cross-references (server → locations, location → upstream, …) are checked in ./validate-refs.ts.
 * Model: pingap's (basic, servers, locations, upstreams, plugins, certificates) plus the AI sections
 * (providers, models).
 */
import { z } from 'zod';
import { duration, size, sizeWithDefault } from './schema-units.ts';
import { parseListenAddress } from './listen-address.ts';
import { notificationSchema } from './notification-schema.ts';
import { adminSchema, checkAdminListen } from './admin-schema.ts';
import { circuitBreakerSchema } from './circuit-breaker-schema.ts';
import { providerMaxOutputTokens, translationOptionFields } from './provider-options-schema.ts';
import { corsPluginSchema, ipRestrictionPluginSchema, keyAuthPluginSchema, limitPluginSchema, requestRestrictionPluginSchema } from './access-plugin-schemas.ts';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const listenAddress = z.string().superRefine((value, ctx) => {
  const parsed = parseListenAddress(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const listenItem = z.union([z.string(), z.number().int()]).transform(String);
const listenList = z.union([listenItem, z.array(listenItem)]).transform((v) => (Array.isArray(v) ? v : [v]));

const stringList = z.union([z.string(), z.array(z.string())]).transform((v) => (typeof v === 'string' ? [v] : v));

const headerMap = z.record(z.string(), z.string());

const headerRules = z
  .strictObject({
    set: headerMap.optional().describe('Headers set (overwriting any existing value).'),
    add: headerMap.optional().describe('Headers appended (kept next to existing values).'),
    remove: z.array(z.string()).optional().describe('Header names removed.'),
  })
  .describe('Header rules: `remove` first, then `set`, then `add`.');

/** A cap on requests in flight at once (absent: none). */
const concurrencyCap = () => z.number().int().min(1).max(1_000_000).optional();

export const basicSchema = z
  .strictObject({
    name: z.string().default('louailink').describe('Instance name, used in logs, the Server header and events.'),
    log_level: z
      .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
      .default('info')
      .describe('Minimum level of the application log.'),
    server_header: z.boolean().default(false).describe('Send `server: louailink` on responses the gateway generates.'),
    workers: z
      .union([z.literal('auto'), z.number().int().min(1).max(1024)])
      .default('auto')
      .describe('Worker processes the master forks ("auto" = one per core). `--workers N` on the command line overrides it.'),
    drain_timeout: duration('5m').describe(
      'On reload or stop, how long old workers may keep finishing requests and streams before they are killed.',
    ),
    pid_file: z.string().optional().describe('Pid file of the master (default: louailink.pid in the config directory).'),
    semi_space_size: sizeWithDefault('64mb').describe(
      "V8's young-generation semi-space of each worker (`--max-semi-space-size`; 0 = V8's default, 16 MB). A larger one lets per-request garbage die young instead of being promoted and marked: about 15–25 % less CPU per proxied request measured (docs/benchmarks.md), for some more RSS per worker. Applies to workers forked after a reload.",
    ),
    log_rotate: z
      .strictObject({
        size: size().optional().describe('Rotate when the `--log` file reaches this size (checked every second: a soft limit).'),
        frequency: z.enum(['hourly', 'daily']).optional().describe('Rotate at the start of every local hour or day.'),
        count: z.number().int().min(1).max(1000).default(10).describe('Rotated files kept: FILE.1 (newest) … FILE.count.'),
      })
      .refine((v) => v.size !== undefined || v.frequency !== undefined, { message: 'set `size`, `frequency` or both' })
      .optional()
      .describe('Built-in rotation of the `--log` file (the master renames it and every process reopens). Absent: the file only grows; use logrotate and SIGUSR1.'),
  })
  .describe('Instance-wide settings.');

export const serverSchema = z
  .strictObject({
    listen: listenList.pipe(z.array(listenAddress).min(1)).describe(
      'One or more addresses: "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80" or a bare port. An address may belong to one server only.',
    ),
    locations: z.array(z.string()).min(1).describe('Names of the locations this server routes to (see Routing priority).'),
    http2: z
      .boolean()
      .default(false)
      .describe('Accept HTTP/2: h2c with prior knowledge next to HTTP/1.1 on cleartext, ALPN "h2" on TLS.'),
    tls: z
      .strictObject({
        certificates: z
          .array(z.string())
          .optional()
          .describe('Certificate names offered by SNI on this server (default: all certificates).'),
      })
      .optional()
      .describe('Serve TLS. Certificates are picked by SNI: exact domain, then wildcard, then the default one.'),
    keepalive_timeout: duration('60s').describe('How long an idle client keep-alive connection stays open.'),
    request_header_timeout: duration('30s').describe('Time a client has to send the complete request head.'),
    max_body_size: sizeWithDefault('10mb').describe('Largest request body accepted (413 body_too_large above it); locations may override.'),
  })
  .describe('A listener: addresses, protocol and the locations it routes to.');

export const forwardedSchema = z
  .strictObject({
    for: z.boolean().default(false).describe('Append the client address to X-Forwarded-For (off by default: only enable behind trusted clients).'),
    proto: z.boolean().default(true).describe('Set X-Forwarded-Proto to the client-side scheme.'),
    host: z.boolean().default(true).describe('Set X-Forwarded-Host to the client-side Host.'),
  })
  .describe('X-Forwarded-* headers sent upstream.');

export const aiLocationSchema = z
  .strictObject({
    strict: z
      .boolean()
      .default(false)
      .describe('Reject (400) request parameters a translation would drop or clamp, instead of listing them in `x-louai-dropped-params`.'),
    expose_selection: z
      .boolean()
      .default(false)
      .describe('Name the provider and key id (never the key) in `x-louai-provider` and `x-louai-key-id` response headers.'),
    allow_providers: z
      .array(z.string())
      .optional()
      .describe('Providers this location may use (default: all). A model with none of them answers 404.'),
    max_attempts: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(3)
      .describe('Upstream attempts per request (first try plus retries/failovers), all before the first byte reaches the client.'),
    max_retry_wait: duration('2s').describe(
      'Longest `Retry-After` honoured by waiting when no untried provider or key is left; a longer one is answered to the client.',
    ),
    max_concurrency_per_key: concurrencyCap().describe(
      "Most requests of this location in flight on one provider key at once, over all workers (default: no cap); a key at its cap is skipped like a cooling one. Applies with the provider's `max_concurrency_per_key`.",
    ),
  })
  .describe('AI location settings.');

export const locationSchema = z
  .strictObject({
    host: stringList
      .optional()
      .describe('Host names to match: exact ("api.example.com"), wildcard ("*.example.com") or regex ("~^api\\d+\\."). Absent = any host.'),
    path: z
      .string()
      .default('/')
      .describe('Path to match: prefix on segment boundaries ("/v1" matches /v1 and /v1/x, not /v1x), exact ("=/health") or regex ("~^/v\\d+/").'),
    priority: z.number().int().optional().describe('Explicit priority; higher wins over the computed order.'),
    upstream: z.string().optional().describe('Name of the upstream requests are proxied to.'),
    ai: aiLocationSchema
      .optional()
      .describe('Mark this location as an AI location: OpenAI and Anthropic endpoints are answered from `providers` and `models`.'),
    rewrite: z
      .string()
      .optional()
      .describe('Path rewrite "<regex> <replacement>" with $1…$9 / $<name> captures, e.g. "^/api/(.*)$ /$1". The query string is kept.'),
    headers: z
      .strictObject({
        request: headerRules.optional().describe('Rules for the request sent upstream.'),
        response: headerRules.optional().describe('Rules for the response sent to the client.'),
      })
      .optional()
      .describe('Header rules toward the upstream and toward the client.'),
    forwarded: forwardedSchema.optional().describe('X-Forwarded-* headers (default: For off, Proto and Host on).'),
    max_body_size: size().optional().describe("Largest request body for this location (default: the server's)."),
    plugins: z.array(z.string()).optional().describe('Plugin names run for this location, in order.'),
  })
  .describe('A route: host and path match, and what serves it (an upstream, the AI layer or plugins).');

const targetSchema = z.union([
  z.string().describe('"host:port", "host:port weight" or "http(s)://host:port".'),
  z.strictObject({
    addr: z.string().describe('"host:port" or "http(s)://host:port".'),
    weight: z.number().int().min(1).max(1000).default(1).describe('Relative share of requests (smooth weighted round-robin).'),
  }),
]);

export const upstreamSchema = z
  .strictObject({
    targets: z.array(targetSchema).min(1).describe('Backend addresses; requests are spread by smooth weighted round-robin.'),
    tls: z
      .strictObject({
        servername: z.string().optional().describe('SNI name sent to the targets (default: the target host).'),
        verify: z.boolean().default(true).describe('Verify the target certificate.'),
        ca: z.string().optional().describe('PEM file with extra CA certificates, relative to the config directory.'),
      })
      .optional()
      .describe('Use HTTPS to the targets (also implied by an https:// target).'),
    http2: z
      .boolean()
      .default(false)
      .describe('Use HTTP/2 upstream: ALPN h2 over TLS, h2c with prior knowledge over cleartext.'),
    preserve_host: z.boolean().default(false).describe("Send the client's Host header upstream instead of the target's host:port."),
    timeouts: z
      .strictObject({
        connect: duration('5s').describe('TCP connect (plus TLS handshake) to a target.'),
        response_header: duration('60s').describe('From sending the request to the upstream response head.'),
        idle: duration('60s').describe('Longest gap between two body chunks of the response (streams included).'),
        total: duration('10m').describe('Whole exchange for non-streaming responses; streams (text/event-stream) have no total deadline.'),
      })
      .prefault({})
      .describe('Upstream timeouts; 504 upstream_timeout when one fires before the response starts.'),
    keepalive: z
      .strictObject({
        connections: z.number().int().min(1).optional().describe('Most connections per target (default: unlimited).'),
        idle_timeout: duration('60s').describe('How long an idle upstream connection is kept.'),
      })
      .prefault({})
      .describe('Upstream connection pool.'),
    circuit_breaker: circuitBreakerSchema
      .optional()
      .describe('Circuit breaker per target (off when absent; `{}` turns it on with the defaults). 503 circuit_open when every circuit is open.'),
  })
  .describe('A group of backend targets with its pool, protocol and timeouts.');

export const certificateSchema = z
  .strictObject({
    cert: z.string().describe('PEM certificate chain file, relative to the config directory.'),
    key: z.string().describe('PEM private key file, relative to the config directory.'),
    domains: z.array(z.string()).optional().describe('SNI names ("api.example.com", "*.example.com"); default: the names in the certificate are not read, so list them.'),
    default: z.boolean().default(false).describe('Served when SNI matches no domain (or is absent).'),
  })
  .describe('A TLS certificate and key from files.');

export const pluginSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('mock'),
      status: z.number().int().min(100).max(599).default(200).describe('Status code.'),
      headers: headerMap.optional().describe('Response headers.'),
      body: z.string().default('').describe('Response body.'),
      path: z.string().optional().describe('Answer only this exact path (default: every request of the location).'),
    }),
    keyAuthPluginSchema,
    requestRestrictionPluginSchema,
    ipRestrictionPluginSchema,
    corsPluginSchema,
    limitPluginSchema,
  ])
  .describe('A named plugin instance; `type` picks the implementation.');

const providerKey = z
  .string()
  .min(1)
  .describe('An API key; write `${ENV_NAME}` to read it from the environment.');

const providerTimeouts = z
  .strictObject({
    connect: duration('5s').describe('TCP connect (plus TLS handshake) to the provider.'),
    response_header: duration('60s').describe('Streaming requests: from sending the request to the response head (a slow first byte fails over).'),
    idle: duration('120s').describe('Longest gap between two body chunks (streams included; streams have no total deadline).'),
    total: duration('10m').describe('Non-streaming requests: until the response head, which such answers send only once generated.'),
  })
  .prefault({})
  .describe('Provider timeouts; one that fires before the first byte reaches the client fails over.');

/** Fields every network provider has. */
const providerCommon = {
  keys: z.array(providerKey).min(1).describe('API keys, used round robin; a key that fails with 401/402/403/429 (or a quota-worded 400) cools down.'),
  weight: z.number().int().min(1).max(1000).default(1).describe('Relative share among the non-default providers of a model (weighted random).'),
  timeouts: providerTimeouts,
  headers: headerMap.optional().describe('Extra request headers sent to the provider (e.g. OpenRouter `http-referer`).'),
  cooldown: duration('600s').describe('How long a failing key is skipped (a `Retry-After` shorter than this wins for 429s).'),
  circuit_breaker: z
    .strictObject({
      failures: z.number().int().min(1).max(10_000).default(5).describe('Consecutive provider-level failures (connect errors, timeouts, 408, 5xx, 529, broken streams) that open the circuit.'),
      cooldown: duration('30s').describe('How long an open circuit leaves the provider out of routing before probes may go through.'),
      half_open_probes: z.number().int().min(1).max(1000).default(1).describe('Requests let through at once after the cooldown; a success closes the circuit, a failure opens it again.'),
    })
    .optional()
    .describe('Circuit breaker of this provider, per worker process (off when absent; `{}` for the defaults). Key-level failures (401/402/403/429, quota) cool the key instead.'),
  connections: z.number().int().min(1).optional().describe('Most connections to the provider (default: unlimited).'),
  max_concurrency_per_key: concurrencyCap().describe(
    'Most requests in flight on one key at once, over all workers and locations (a provider without keys counts as one key; default: no cap). A key at its cap is skipped (next key, then next provider); all at their cap: 503 upstream_concurrency_exceeded.',
  ),
};

export const providerSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('openai'),
      base_url: z
        .url()
        .describe('Base URL as the OpenAI SDK takes it, e.g. "https://api.openai.com/v1", "https://openrouter.ai/api/v1", "http://127.0.0.1:11434/v1".'),
      ...providerCommon,
      keys: z
        .array(providerKey)
        .default([])
        .describe('API keys, used round robin (none: no `authorization` header, e.g. a local vLLM or Ollama); a key that fails with 401/402/403/429 (or a quota-worded 400) cools down.'),
      max_output_tokens: providerMaxOutputTokens,
      ...translationOptionFields,
    }),
    z.strictObject({
      type: z.literal('anthropic'),
      base_url: z.url().default('https://api.anthropic.com').describe('Base URL as the Anthropic SDK takes it (without /v1).'),
      version: z.string().default('2023-06-01').describe('`anthropic-version` header sent upstream.'),
      ...providerCommon,
      max_output_tokens: providerMaxOutputTokens,
    }),
    z.strictObject({
      type: z.literal('azure-openai'),
      base_url: z.url().describe('Resource endpoint, e.g. "https://NAME.openai.azure.com"; the model ids in `models` are deployment names.'),
      api_version: z.string().describe('The `api-version` query parameter, e.g. "2024-10-21".'),
      ...providerCommon,
      max_output_tokens: providerMaxOutputTokens,
      ...translationOptionFields,
    }),
    z.strictObject({
      type: z.literal('mock'),
      chunk_delay: duration('20ms').describe('Delay between streamed chunks.'),
      reply: z.string().optional().describe('Fixed reply text (default: echoes the last user message).'),
      weight: z.number().int().min(1).max(1000).default(1).describe('Relative share among the non-default providers of a model.'),
    }),
  ])
  .describe('An AI provider: `openai` (any OpenAI-compatible API), `anthropic`, `azure-openai`, or the built-in `mock` (no network, no key).');

const modelTarget = z.union([
  z.string().describe('The model id the provider knows (a deployment name for azure-openai).'),
  z.strictObject({
    model: z.string().describe('The model id the provider knows.'),
    max_output_tokens: z.number().int().min(1).optional().describe("This provider's output-token limit for the model (default: the model's, then the provider's)."),
    ...translationOptionFields,
  }),
]);

export const modelSchema = z
  .strictObject({
    aliases: z.array(z.string()).optional().describe('Other names clients may use for this model.'),
    providers: z
      .record(z.string(), modelTarget)
      .refine((v) => Object.keys(v).length > 0, { message: 'a model needs at least one provider' })
      .describe('Provider name → the model id that provider knows it as (or `{model, max_output_tokens, …}` with translation options that override the provider\'s for this model).'),
    default_provider: z
      .string()
      .optional()
      .describe('Tried first while it has a usable key; the others follow in weighted random order (default: all weighted random).'),
    max_output_tokens: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        "Output-token limit: the `max_tokens` sent to Anthropic upstreams when the client sets none, and the ceiling of translated client values. Unset: the provider's `max_output_tokens`; without one the client value is kept, and 8192 is sent when the client sets none.",
      ),
  })
  .describe('A model clients can ask for, and the providers that serve it.');

export const observabilitySchema = z
  .strictObject({
    health: z
      .boolean()
      .default(true)
      .describe('Answer `GET /health` (JSON status) and `GET /healthz` on every server before routing, without auth.'),
    metrics: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Serve the metrics endpoints and record metrics.'),
        path: z
          .string()
          .regex(/^\/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$/, 'an absolute path such as "/metrics"')
          .default('/metrics')
          .describe('Prometheus text at this path; the usage summary at `<path>/summary` (JSON) and `<path>/ui` (HTML).'),
        token: z
          .string()
          .optional()
          .describe('Bearer token required by the metrics endpoints (`authorization: Bearer <token>`); absent = open.'),
        servers: z
          .array(z.string())
          .optional()
          .describe('Servers that answer the metrics endpoints (default: every server).'),
      })
      .prefault({})
      .describe('Prometheus metrics (aggregated over all workers) and the usage summary.'),
    access_log: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Write one line per request.'),
        format: z
          .string()
          .default('combined')
          .describe('Preset (`combined`, `json`, `main`) or a template of `$variables` (see docs/observability.md).'),
        file: z.string().default('stdout').describe('"stdout", or a file path (relative to the config directory) appended to without blocking.'),
        rotate: z
          .strictObject({
            size: size().optional().describe('Start a new file above this size (soft limit).'),
            frequency: z.enum(['hourly', 'daily']).optional().describe('Start a new file every hour or day.'),
            count: z.number().int().min(1).default(10).describe('Rotated files kept besides the active one.'),
          })
          .optional()
          .describe('Rotate the file; each worker slot writes its own file family (`access.log` of slot 3: `access.3.1.log`, `access.3.2.log`, …).'),
      })
      .prefault({ enabled: false })
      .describe('The access log (off unless this section is present).'),
    upstream_log: z
      .strictObject({
        file: z.string().describe('File path (relative to the config directory) for request/response bodies.'),
        max_body: sizeWithDefault('64kb').describe('Longest body excerpt recorded per direction.'),
      })
      .optional()
      .describe('Debug log of upstream request and response bodies with credentials redacted.'),
  })
  .describe('Metrics, health endpoints and logs.');

const named = <T extends z.ZodType>(item: T) =>
  z.record(z.string().regex(NAME_RE, 'names use letters, digits, "_", "-" and "." and start with a letter or digit'), item);

export const configSchema = z
  .strictObject({
    basic: basicSchema.prefault({}),
    servers: named(serverSchema).refine((v) => Object.keys(v).length > 0, { message: 'at least one server is needed' })
      .describe('Listeners, by name.'),
    locations: named(locationSchema).default({}).describe('Routes, by name.'),
    upstreams: named(upstreamSchema).default({}).describe('Backend groups, by name.'),
    certificates: named(certificateSchema).default({}).describe('TLS certificates, by name.'),
    plugins: named(pluginSchema).default({}).describe('Plugin instances, by name.'),
    providers: named(providerSchema).default({}).describe('AI providers, by name.'),
    models: named(modelSchema).default({}).describe('AI models, by name.'),
    observability: observabilitySchema.prefault({}).describe('Metrics, health endpoints and logs.'),
    notifications: named(notificationSchema).default({}).describe('Notification channels (webhooks), by name.'),
    admin: adminSchema.optional().describe('The admin listener: management API, provider key states, metrics (docs/admin-api.md). Absent: none.'),
  })
  .superRefine(checkAdminListen)
  .describe('louailink configuration: one YAML document, or a directory of YAML files merged into one.');

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type BasicConfig = Config['basic'];
export type ServerConfig = z.output<typeof serverSchema>;
export type LocationConfig = z.output<typeof locationSchema>;
export type UpstreamConfig = z.output<typeof upstreamSchema>;
export type CertificateConfig = z.output<typeof certificateSchema>;
export type PluginConfig = z.output<typeof pluginSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type AiLocationConfig = z.output<typeof aiLocationSchema>;
export type HeaderRulesConfig = z.output<typeof headerRules>;
export type ForwardedConfig = z.output<typeof forwardedSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
export type ObservabilityConfig = z.output<typeof observabilitySchema>;
export type { AdminConfig } from './admin-schema.ts';

/** The JSON Schema (draft 2020-12) of the config as written. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
