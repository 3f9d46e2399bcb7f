/**
 * The AI location handler (OpenAI-compatible). Built once per config: the model catalogue and the
 * serialized `/models` answers live in the closure; a request only strips the location prefix, matches
 * the path suffix and dispatches. Paths are matched on their ending so any base URL works
 * (`/v1/chat/completions`, `/v1beta/openai/chat/completions`, `/models`):
 *   GET  …/models            model list          GET …/models/{id}   one model (name or alias)
 *   POST …/chat/completions  chat completion (JSON or SSE)
 * Every answer carries `x-request-id`; every error is a GatewayError rendered in the OpenAI dialect.
 */
import type { Config } from '../config/schema.ts';
import { GatewayError, isGatewayError } from '../core/errors.ts';
import type { GatewayRequest, GatewayResponse } from '../core/http-types.ts';
import { renderError } from '../core/render-error.ts';
import { ModelCatalog } from './model-catalog.ts';
import { ModelsEndpoint } from './models-endpoint.ts';
import { sendJson, writeHead } from './send-json.ts';
import { serveChatCompletion } from './serve-chat-completion.ts';
import { SseWriter } from './sse-writer.ts';

export interface AiRequestContext {
  readonly requestId: string;
  readonly locationName: string;
  /** The location's path prefix ("/v1", "/"); routes are matched on the path after it. */
  readonly pathPrefix: string;
  readonly maxBodyBytes: number;
}

/** Answers one request of an AI location; resolves once the response is complete or the client left. Never rejects. */
export type AiHandler = (req: GatewayRequest, res: GatewayResponse, ctx: AiRequestContext) => Promise<void>;

const CHAT_COMPLETIONS_SUFFIX = '/chat/completions';
const MODELS_SUFFIX = '/models';
const MODELS_SEGMENT = '/models/';

/** Builds the handler for one config snapshot (call at compile time, not per request). */
export function createAiHandler(config: Config): AiHandler {
  const catalog = new ModelCatalog(config);
  const modelsEndpoint = new ModelsEndpoint(catalog);

  return async function handleAiRequest(req, res, ctx) {
    const headers = { 'x-request-id': ctx.requestId };
    try {
      const path = relativePath(req.url ?? '/', ctx.pathPrefix);
      if (path.endsWith(CHAT_COMPLETIONS_SUFFIX)) {
        requireMethod(req.method, 'POST');
        await serveChatCompletion(req, res, catalog, ctx.maxBodyBytes, headers);
      } else if (path.endsWith(MODELS_SUFFIX)) {
        requireMethod(req.method, 'GET');
        sendJson(res, 200, headers, modelsEndpoint.listBody);
      } else if (path.includes(MODELS_SEGMENT)) {
        requireMethod(req.method, 'GET');
        const id = decodeModelId(path.slice(path.indexOf(MODELS_SEGMENT) + MODELS_SEGMENT.length));
        const body = modelsEndpoint.modelBody(id);
        if (body === undefined) throw new GatewayError('model_not_found', `The model '${id}' does not exist`);
        sendJson(res, 200, headers, body);
      } else {
        throw new GatewayError('route_not_found', 'no AI endpoint at this path');
      }
    } catch (err) {
      sendError(res, err, ctx.requestId);
    }
  };
}

/** The path without query string and without the location prefix (segment boundary), one trailing "/" dropped. */
function relativePath(url: string, pathPrefix: string): string {
  const queryAt = url.indexOf('?');
  let path = queryAt === -1 ? url : url.slice(0, queryAt);
  const prefix = pathPrefix.endsWith('/') ? pathPrefix.slice(0, -1) : pathPrefix;
  if (prefix.length > 0 && path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/')) {
    path = path.slice(prefix.length);
  }
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path.length === 0 ? '/' : path;
}

function requireMethod(method: string | undefined, allowed: 'GET' | 'POST'): void {
  if (method !== allowed) throw new GatewayError('method_not_allowed', undefined, { headers: { allow: allowed } });
}

function decodeModelId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (cause) {
    throw new GatewayError('bad_request', 'the model id in the path is not valid percent-encoding', { cause });
  }
}

/** Before the head: a JSON error response. After it (a stream): an SSE error event, then the end. */
function sendError(res: GatewayResponse, err: unknown, requestId: string): void {
  const error = isGatewayError(err) ? err : new GatewayError('internal_error', undefined, { cause: err });
  const rendered = renderError(error, 'openai', requestId);
  if (res.destroyed || res.writableEnded) return;
  if (res.headersSent) {
    new SseWriter(res).endWithError(rendered.body);
    return;
  }
  writeHead(res, rendered.status, { ...rendered.headers, 'x-request-id': requestId }, false);
  res.end(rendered.body);
}
