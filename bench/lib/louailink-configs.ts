/**
 * The louailink configs the benchmark starts, as YAML text. Every one is a master with one worker (`workers: 1`,
 * like production minus the core count) and `log_level: warn`; the sections differ only in what they measure:
 * plain proxying (core, reload marker, observability and access-control variants) or the AI layer.
 */

/** Gateway key of the access-control variants; clients send `authorization: Bearer <BENCH_GATEWAY_KEY>`. */
export const BENCH_GATEWAY_KEY = 'bench-key-0123456789abcdef';

export interface ProxyConfigOptions {
  /** Lines of the `observability:` section, indented by two spaces (absent: the defaults). */
  observability?: readonly string[];
  /** Lines of the `plugins:` section (indented by two spaces) and the names the location runs, in order. */
  plugins?: { section: readonly string[]; names: readonly string[] };
  /** Headers the location sets on every response (the reload section's config marker). */
  responseHeaders?: Readonly<Record<string, string>>;
}

function basic(): string[] {
  return ['basic:', '  log_level: warn', '  workers: 1'];
}

/** One server, one location "/" proxied to the benchmark mock, plus the variant's options. */
export function proxyConfig(port: number, mockPort: number, options: ProxyConfigOptions = {}): string {
  const headers = Object.entries(options.responseHeaders ?? {});
  return [
    '# written by bench/lib/louailink-configs.ts: one server, everything proxied to the benchmark mock',
    ...basic(),
    'servers:',
    '  bench:',
    `    listen: "127.0.0.1:${port}"`,
    '    locations: [all]',
    'locations:',
    '  all:',
    '    path: /',
    '    upstream: mock',
    ...(options.plugins === undefined ? [] : [`    plugins: [${options.plugins.names.join(', ')}]`]),
    ...(headers.length === 0 ? [] : ['    headers:', '      response:', '        set:', ...headers.map(([k, v]) => `          ${k}: "${v}"`)]),
    'upstreams:',
    '  mock:',
    `    targets: ["127.0.0.1:${mockPort}"]`,
    ...(options.plugins === undefined ? [] : ['plugins:', ...options.plugins.section]),
    ...(options.observability === undefined ? [] : ['observability:', ...options.observability]),
    '',
  ].join('\n');
}

/** Metrics, health and access log all off: the observability baseline. */
export const OBSERVABILITY_OFF = ['  health: false', '  metrics:', '    enabled: false'];

/** The defaults (metrics and health on) plus an access log in `format` written to <config dir>/access.log. */
export function observabilityWithAccessLog(format: 'combined' | 'json' | 'main'): string[] {
  return ['  access_log:', `    format: ${format}`, '    file: access.log'];
}

/** key-auth with one consumer and one key (read from `authorization: Bearer`). */
export const KEY_AUTH_PLUGIN = [
  '  keys:',
  '    type: key-auth',
  '    headers: [authorization]',
  '    consumers:',
  '      bench:',
  '        keys:',
  '          - name: wrk',
  `            key: "${BENCH_GATEWAY_KEY}"`,
];

/** A limit per consumer far above any load this machine makes (nothing is refused), with a token bucket. */
export const LIMIT_PLUGIN = [
  '  limits:',
  '    type: limit',
  '    by: consumer',
  '    rpm: 60000000',
  '    token_bucket: { capacity: 1000000, refill_per_second: 1000000 }',
];

/**
 * One AI location at /v1 with an OpenAI-compatible provider and an Anthropic provider, both the benchmark mock.
 * For each spec ("n50-d0": N token events, ms between them) the catalogue has `gpt-<spec>` (OpenAI provider) and
 * `claude-<spec>` (Anthropic provider), both asking the mock for `mock-<spec>`; `mock-n1-d0` answers the
 * readiness probe.
 */
export function aiConfig(port: number, mockPort: number, specs: readonly string[]): string {
  const models = specs.flatMap((spec) => [
    `  gpt-${spec}:`, `    providers: { oai: mock-${spec} }`,
    `  claude-${spec}:`, `    providers: { ant: mock-${spec} }`,
  ]);
  return [
    '# written by bench/lib/louailink-configs.ts: the AI layer in front of the benchmark mock (both dialects)',
    ...basic(),
    'servers:',
    '  bench:',
    `    listen: "127.0.0.1:${port}"`,
    '    locations: [ai]',
    'locations:',
    '  ai:',
    '    path: /v1',
    '    ai: {}',
    'providers:',
    '  oai:',
    '    type: openai',
    `    base_url: "http://127.0.0.1:${mockPort}/v1"`,
    '    keys: [sk-bench-openai-0000]',
    '  ant:',
    '    type: anthropic',
    `    base_url: "http://127.0.0.1:${mockPort}"`,
    '    keys: [sk-ant-bench-0000]',
    'models:',
    '  mock-n1-d0:',
    '    providers: { oai: mock-n1-d0 }',
    ...models,
    '',
  ].join('\n');
}
