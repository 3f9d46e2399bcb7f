/** Unit-test helpers for plugins: a fake request context, and plugin configs parsed like loaded ones. */
import type { IncomingMessage } from 'node:http';
import { configSchema } from '../../src/config/schema.ts';
import type { PluginConfig } from '../../src/config/schema.ts';
import type { GatewayResponse } from '../../src/core/http-types.ts';
import type { PluginRequestContext } from '../../src/plugins/plugin.ts';

export interface FakeContextOptions {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly remoteAddress?: string;
  readonly isAiRoute?: boolean;
  readonly locationName?: string;
  readonly res?: GatewayResponse;
  /** The connection, to share between requests (default: a new one per context). */
  readonly socket?: { remoteAddress: string };
}

export function fakeContext(options: FakeContextOptions = {}): PluginRequestContext {
  const path = options.path ?? '/';
  const req = {
    method: options.method ?? 'GET',
    url: path,
    headers: { ...options.headers },
    socket: options.socket ?? { remoteAddress: options.remoteAddress ?? '127.0.0.1' },
  } as unknown as IncomingMessage;
  return {
    req,
    requestId: 'req-1',
    locationName: options.locationName ?? 'loc',
    host: 'example.test',
    path,
    isAiRoute: options.isAiRoute ?? false,
    ...(options.res === undefined ? {} : { res: options.res }),
  };
}

/** One plugin config as the loader leaves it (defaults, units), narrowed to its type. */
export function parsePluginConfig<T extends PluginConfig['type']>(type: T, input: Record<string, unknown>): Extract<PluginConfig, { type: T }> {
  const config = configSchema.parse({ servers: { s: { listen: '127.0.0.1:1', locations: ['loc'] } }, plugins: { p: { ...input, type } } });
  const parsed = config.plugins.p;
  if (parsed?.type !== type) throw new Error(`expected a ${type} plugin`);
  return parsed as Extract<PluginConfig, { type: T }>;
}
