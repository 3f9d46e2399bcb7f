/**
 * `type: cors`: browsers from the allowed origins. A preflight (OPTIONS with Access-Control-Request-Method)
 * is answered here with 204 and never reaches the upstream; other requests from an allowed origin get
 * `access-control-allow-origin` (+ credentials, exposed headers) set on the response before anything
 * answers, so the gateway's own errors (401, 429) are readable by the page too. Put it first in the chain.
 * Requests without Origin pass untouched; a disallowed origin gets no CORS headers (its preflight a 403).
 */
import type { PluginConfig } from '../../config/schema.ts';
import { GatewayError } from '../../core/errors.ts';
import { errorReply } from '../plugin-reply.ts';
import type { PluginType, Reply } from '../plugin.ts';

export type CorsPluginConfig = Extract<PluginConfig, { type: 'cors' }>;

const ANY = '*';

export const corsPlugin: PluginType<CorsPluginConfig> = {
  type: 'cors',
  create(config) {
    const isAnyOrigin = config.allow_origins.includes(ANY);
    const origins = new Set(config.allow_origins);
    // With credentials the spec forbids "*": the request's origin is echoed instead (and Vary: Origin).
    const isEchoed = !isAnyOrigin || config.allow_credentials;
    const preflightHeaders: Record<string, string> = {
      'access-control-allow-methods': config.allow_methods.join(', '),
      'access-control-allow-headers': config.allow_headers.join(', '),
      'access-control-max-age': String(Math.floor(config.max_age / 1000)),
      'content-length': '0',
    };
    const actualHeaders: [string, string][] = [];
    if (config.allow_credentials) {
      preflightHeaders['access-control-allow-credentials'] = 'true';
      actualHeaders.push(['access-control-allow-credentials', 'true']);
    }
    if (config.expose_headers !== undefined) actualHeaders.push(['access-control-expose-headers', config.expose_headers.join(', ')]);
    if (isEchoed) preflightHeaders.vary = 'origin';
    const refused = new GatewayError('forbidden', 'this origin is not allowed');

    return {
      onRequest(ctx) {
        const origin = ctx.req.headers.origin;
        if (origin === undefined) return undefined;
        const isAllowed = isAnyOrigin || origins.has(origin);
        const allowOrigin = isEchoed ? origin : ANY;
        if (ctx.req.method === 'OPTIONS' && ctx.req.headers['access-control-request-method'] !== undefined) {
          if (!isAllowed) return errorReply(ctx, refused);
          const reply: Reply = { status: 204, headers: { ...preflightHeaders, 'access-control-allow-origin': allowOrigin }, body: '' };
          return reply;
        }
        const res = ctx.res;
        if (!isAllowed || res === undefined || res.headersSent) return undefined;
        res.setHeader('access-control-allow-origin', allowOrigin);
        if (isEchoed) res.setHeader('vary', 'origin');
        for (const [name, value] of actualHeaders) res.setHeader(name, value);
        return undefined;
      },
    };
  },
};
