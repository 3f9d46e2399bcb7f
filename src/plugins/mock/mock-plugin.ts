/**
 * `type: mock`: answers with a fixed status, headers and body, for every request of the location or
 * only for one exact path. The reply (with its content-length) is built once in `create`.
 */
import type { PluginConfig } from '../../config/schema.ts';
import type { PluginType, Reply } from '../plugin.ts';

export type MockPluginConfig = Extract<PluginConfig, { type: 'mock' }>;

export const mockPlugin: PluginType<MockPluginConfig> = {
  type: 'mock',
  create(config) {
    const body = Buffer.from(config.body);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
    headers['content-length'] = String(body.length);
    const reply: Reply = { status: config.status, headers, body };
    const onlyPath = config.path;
    if (onlyPath === undefined) return { onRequest: () => reply };
    return { onRequest: (ctx) => (ctx.path === onlyPath ? reply : undefined) };
  },
};
