/**
 * The per-request entry point of a server (HTTP/1.1 and the HTTP/2 compat API alike): request id,
 * route, plugins, body limit, then the proxy or the AI layer. It only reads the compiled
 * ServerRuntime; every answer it generates goes through renderError via respondError.
 */
import { Http2ServerRequest } from 'node:http2';
import type { AiHandler } from '../ai/ai-handler.ts';
import { GatewayError } from '../core/errors.ts';
import type { GatewayRequest, GatewayResponse } from '../core/http-types.ts';
import type { Logger } from '../lib/logger.ts';
import type { BuiltInHandler } from '../observability/endpoints.ts';
import type { RequestRecord } from '../observability/request-record.ts';
import type { RequestObserver } from '../observability/request-observer.ts';
import type { PluginRequestContext, Reply } from '../plugins/plugin.ts';
import { runRequestChain } from '../plugins/registry.ts';
import { forwardRequest } from '../proxy/forward.ts';
import { respondError, sendGenerated } from '../proxy/respond-error.ts';
import { normalizeHost } from '../proxy/router.ts';
import { requestIdFor } from './request-id.ts';
import type { LocationRuntime, ServerRuntime } from './runtime.ts';

export type RequestHandler = (req: GatewayRequest, res: GatewayResponse) => void;

const SLASH = 0x2f;
// Shared instances: these answers are common (scanners, oversized uploads) and carry no per-request data.
const ROUTE_NOT_FOUND = new GatewayError('route_not_found');
const BODY_TOO_LARGE = new GatewayError('body_too_large');
const NO_UPSTREAM = new GatewayError('no_upstream_available');
const BAD_TARGET = new GatewayError('bad_request', 'the request target must be an absolute path');

function sendReply(loc: LocationRuntime, reply: Reply, requestId: string, res: GatewayResponse): void {
  sendGenerated(res, reply.status, { ...reply.headers }, reply.body, requestId, loc.generated);
}

/**
 * `observer` (null when metrics and access log are off) sees every request; `builtIns` (/health, /metrics…)
 * are answered on their exact path before routing and plugins.
 */
export function createRequestHandler(
  server: ServerRuntime,
  aiHandler: AiHandler | null,
  logger: Logger,
  observer: RequestObserver | null = null,
  builtIns: ReadonlyMap<string, BuiltInHandler> | null = null,
): RequestHandler {
  const { routes, locations, proto } = server;
  // Claude Code probes `HEAD /` before its first request; a server with an AI location answers it even when
  // that location sits under /v1, so the probe does not read as "gateway down".
  const isAnsweringRootProbe = aiHandler !== null && [...locations.values()].some((l) => l.ai !== null);

  function route(req: GatewayRequest, res: GatewayResponse, requestId: string, record: RequestRecord | null): void {
    const url = req.url;
    if (url === undefined || url.charCodeAt(0) !== SLASH) {
      respondError(res, BAD_TARGET, requestId, server.generated, true);
      return;
    }
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    if (builtIns !== null) {
      const builtIn = builtIns.get(path);
      if (builtIn !== undefined) {
        builtIn(req, res, requestId, record);
        return;
      }
    }
    const hostHeader = req.headers.host ?? (req instanceof Http2ServerRequest ? req.authority : undefined);
    const host = normalizeHost(hostHeader);
    const name = routes.match(host, path);
    const loc = name === undefined ? undefined : locations.get(name);
    if (loc === undefined) {
      if (isAnsweringRootProbe && path === '/' && req.method === 'HEAD') {
        sendGenerated(res, 200, { 'content-length': '0' }, '', requestId, server.generated);
        return;
      }
      respondError(res, ROUTE_NOT_FOUND, requestId, server.generated);
      return;
    }
    if (record !== null && observer !== null) observer.route(record, loc.name);
    if (loc.plugins !== null) {
      const ctx: PluginRequestContext = { req, res, requestId, locationName: loc.name, host, path, isAiRoute: loc.ai !== null };
      const verdict = runRequestChain(loc.plugins, ctx);
      if (verdict instanceof Promise) {
        // A plugin waits (a cluster-wide limit asking the master for budget): serve once it has decided.
        verdict
          .then((reply) => (reply === undefined ? serve(loc, req, res, requestId, record) : sendReply(loc, reply, requestId, res)))
          .catch((err: unknown) => {
            logger.error({ err, requestId }, 'request plugin failed');
            respondError(res, new GatewayError('internal_error'), requestId, loc.generated);
          });
        return;
      }
      if (verdict !== undefined) {
        sendReply(loc, verdict, requestId, res);
        return;
      }
    }
    serve(loc, req, res, requestId, record);
  }

  /** After the plugins let the request through: body limit, then the proxy or the AI layer. */
  function serve(loc: LocationRuntime, req: GatewayRequest, res: GatewayResponse, requestId: string, record: RequestRecord | null): void {
    const contentLength = req.headers['content-length'];
    if (contentLength !== undefined && Number(contentLength) > loc.maxBodyBytes) {
      respondError(res, BODY_TOO_LARGE, requestId, loc.generated, true);
      return;
    }
    if (loc.proxy !== null) {
      forwardRequest(req, res, loc.proxy, requestId, proto, record);
    } else if (loc.ai !== null && aiHandler !== null) {
      aiHandler(req, res, { requestId, locationName: loc.ai.locationName, pathPrefix: loc.ai.pathPrefix, maxBodyBytes: loc.ai.maxBodyBytes }).catch(
        (err: unknown) => {
          logger.error({ err, requestId }, 'AI handler failed');
          respondError(res, new GatewayError('internal_error'), requestId, loc.generated);
        },
      );
    } else if (loc.isUpstreamMissing) {
      respondError(res, NO_UPSTREAM, requestId, loc.generated);
    } else {
      respondError(res, ROUTE_NOT_FOUND, requestId, loc.generated);
    }
  }

  return function handleRequest(req, res) {
    const requestId = requestIdFor(req.headers['x-request-id']);
    const record = observer === null ? null : observer.start(req, res, requestId);
    try {
      route(req, res, requestId, record);
    } catch (err) {
      logger.error({ err, requestId }, 'request handler failed');
      respondError(res, new GatewayError('internal_error'), requestId, server.generated);
    }
  };
}
