/**
 * `type: key-auth`: the request must carry a gateway key of a configured consumer, as
 * `Authorization: Bearer <key>` or in another configured header. The key's headers are removed from the
 * request before it goes upstream (the proxy copies request headers; the AI layer builds its own), and
 * later plugins find the consumer in `ctx.consumer`. Denials: 401 unauthorized / key_expired,
 * 403 project_inactive / forbidden (location not allowed), in the client's dialect; on AI locations the
 * AI layer refuses models outside the consumer's `allowed_models` (403 model_not_allowed).
 */
import { restrictModels } from '../../ai/access/request-access.ts';
import { GatewayError } from '../../core/errors.ts';
import type { GatewayRequest } from '../../core/http-types.ts';
import { publishAuth } from '../access-events.ts';
import { errorReply } from '../plugin-reply.ts';
import type { PluginType } from '../plugin.ts';
import { SecretMemo } from '../../lib/secret-memo.ts';
import { compileKeyTable } from './key-table.ts';
import type { GatewayKey, KeyAuthPluginConfig } from './key-table.ts';

const AUTHORIZATION = 'authorization';
const BEARER_RE = /^bearer\s+/i;
const WWW_AUTHENTICATE = { 'www-authenticate': 'Bearer' };

/** The first configured header holding a key; `authorization` counts only with the Bearer scheme. */
function presentedKey(req: GatewayRequest, headers: readonly string[]): string | undefined {
  for (const name of headers) {
    const value = req.headers[name];
    if (typeof value !== 'string') continue;
    if (name === AUTHORIZATION) {
      const match = BEARER_RE.exec(value);
      if (match !== null) return value.slice(match[0].length).trim();
      continue;
    }
    const key = value.trim();
    if (key !== '') return key;
  }
  return undefined;
}

export const keyAuthPlugin: PluginType<KeyAuthPluginConfig> = {
  type: 'key-auth',
  create(config) {
    const table = compileKeyTable(config);
    // A keep-alive client presents the same key on every request: the key accepted last on a connection is
    // kept on it, and a request presenting the same secret skips the SHA-256 and the lookup.
    const accepted = new SecretMemo<GatewayKey>();
    const headers = config.headers;
    const missing = new GatewayError('unauthorized', 'a gateway key is required', { headers: WWW_AUTHENTICATE });
    const unknown = new GatewayError('unauthorized', 'the gateway key is not valid', { headers: WWW_AUTHENTICATE });
    const expired = new GatewayError('key_expired', undefined, { headers: WWW_AUTHENTICATE });
    const inactive = new GatewayError('project_inactive');
    const wrongLocation = new GatewayError('forbidden', 'this gateway key may not use this location');
    return {
      onRequest(ctx) {
        const secret = presentedKey(ctx.req, headers);
        if (secret === undefined) {
          publishAuth(ctx, 'missing');
          return errorReply(ctx, missing);
        }
        const socket = ctx.req.socket;
        let key = accepted.get(socket, secret);
        if (key === undefined) {
          key = table.find(secret);
          if (key !== undefined) accepted.set(socket, secret, key);
        }
        if (key === undefined) {
          publishAuth(ctx, 'invalid');
          return errorReply(ctx, unknown);
        }
        const { name, keyName } = key.identity;
        if (!key.consumer.isActive) {
          publishAuth(ctx, 'inactive', name, keyName);
          return errorReply(ctx, inactive);
        }
        if (Date.now() >= key.expiresAtMs) {
          publishAuth(ctx, 'expired', name, keyName);
          return errorReply(ctx, expired);
        }
        const locations = key.consumer.allowedLocations;
        if (locations !== null && !locations.has(ctx.locationName)) {
          publishAuth(ctx, 'forbidden', name, keyName);
          return errorReply(ctx, wrongLocation);
        }
        // Cleared, not deleted: `delete` would turn node's header object into a slow dictionary for every
        // later lookup and the proxy's header copy; every reader skips undefined values.
        const reqHeaders = ctx.req.headers;
        for (const header of headers) if (reqHeaders[header] !== undefined) reqHeaders[header] = undefined;
        ctx.consumer = key.identity;
        // allowed_models needs the model from the body: the AI layer checks it once it has parsed it.
        if (ctx.isAiRoute === true && key.identity.allowedModels !== null) restrictModels(ctx.req, key.identity.allowedModels);
        publishAuth(ctx, 'ok', name, keyName);
        return undefined;
      },
    };
  },
};
