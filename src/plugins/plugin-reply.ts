/**
 * Early answers of access plugins, in the client's dialect: plain JSON on proxy routes; on AI routes
 * Anthropic's error shape for `…/messages` endpoints (and their `/count_tokens`) and OpenAI's for the rest.
 */
import type { GatewayError } from '../core/errors.ts';
import { renderError } from '../core/render-error.ts';
import type { ClientDialect } from '../core/render-error.ts';
import type { PluginRequestContext, Reply } from './plugin.ts';

export function dialectOf(ctx: PluginRequestContext): ClientDialect {
  if (ctx.isAiRoute !== true) return 'plain';
  const path = ctx.path;
  return path.endsWith('/messages') || path.endsWith('/messages/count_tokens') ? 'anthropic' : 'openai';
}

/** The reply for a GatewayError, rendered for this request's client. */
export function errorReply(ctx: PluginRequestContext, err: GatewayError): Reply {
  return renderError(err, dialectOf(ctx), ctx.requestId);
}

