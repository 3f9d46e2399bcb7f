/** A PluginRequestContext for unit tests of plugins: a fake request with the given headers and address. */
import type { IncomingMessage } from 'node:http';
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
}

export function fakeContext(options: FakeContextOptions = {}): PluginRequestContext {
  const path = options.path ?? '/';
  const req = {
    method: options.method ?? 'GET',
    url: path,
    headers: { ...options.headers },
    socket: { remoteAddress: options.remoteAddress ?? '127.0.0.1' },
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
