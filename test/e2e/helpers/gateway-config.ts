/**
 * The YAML the e2e tests serve: `/v` answers `body` (a version marker), optional extra exact routes answer
 * the same, `stream` adds an OpenAI-compatible `/v1` location whose mock model "m" streams `reply`, and
 * `ssePort` proxies `/sse` to a test upstream.
 */
export interface GatewayConfigOptions {
  readonly ports: number | readonly number[];
  readonly body: string;
  /** Extra exact routes (`/r3` for "r3") answering `body`. */
  readonly routes?: readonly string[];
  /** Replaces the server's location list (name a missing one to make the config invalid). */
  readonly serverLocations?: readonly string[];
  readonly stream?: { readonly reply: string; readonly chunkDelayMs: number };
  /** Adds `/sse` (prefix) proxied to an upstream on 127.0.0.1 at this port. */
  readonly ssePort?: number;
  readonly name?: string;
}

export function gatewayConfig(options: GatewayConfigOptions): string {
  const ports = typeof options.ports === 'number' ? [options.ports] : options.ports;
  const routes = options.routes ?? [];
  const extra = [...(options.stream === undefined ? [] : ['ai']), ...(options.ssePort === undefined ? [] : ['sse'])];
  const locations = options.serverLocations ?? [...extra, 'v', ...routes];
  const lines = [
    ...(options.name === undefined ? [] : ['basic:', `  name: ${options.name}`]),
    'servers:',
    '  main:',
    `    listen: [${ports.map((port) => `127.0.0.1:${port}`).join(', ')}]`,
    `    locations: [${locations.join(', ')}]`,
    'locations:',
    '  v:',
    '    path: =/v',
    '    plugins: [version]',
    ...routes.flatMap((route) => [`  ${route}:`, `    path: =/${route}`, '    plugins: [version]']),
    ...(options.stream === undefined ? [] : ['  ai:', '    path: /v1', '    ai: {}']),
    ...(options.ssePort === undefined ? [] : ['  sse:', '    path: /sse', '    upstream: sse']),
    'plugins:',
    '  version:',
    '    type: mock',
    `    body: ${options.body}`,
  ];
  if (options.ssePort !== undefined) lines.push('upstreams:', '  sse:', `    targets: [127.0.0.1:${options.ssePort}]`);
  if (options.stream !== undefined) {
    lines.push(
      'providers:',
      '  mock:',
      '    type: mock',
      `    chunk_delay: ${options.stream.chunkDelayMs}ms`,
      `    reply: "${options.stream.reply}"`,
      'models:',
      '  m:',
      '    providers: { mock: m }',
    );
  }
  return `${lines.join('\n')}\n`;
}
