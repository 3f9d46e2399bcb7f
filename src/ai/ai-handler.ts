/**
 * The AI location handler. Built once per config: providers (pools, key rings), the model catalogue, the
 * serialized `/models` answers and each AI location's settings live in the closure; a request strips the
 * location prefix, matches the path's ending and dispatches. Paths are matched on their ending, so any
 * base URL works (`/v1/chat/completions`, `/v1beta/openai/chat/completions`):
 *   POST …/chat/completions            OpenAI chat (JSON or SSE)
 *   POST …/messages[?beta=true]        Anthropic messages (JSON or SSE)
 *   POST …/messages/count_tokens       Anthropic token count (upstream, else a local estimate)
 *   POST …/embeddings                  OpenAI embeddings
 *   GET  …/models, …/models/{id}       the catalogue (both SDKs read the same body)
 *   HEAD any path                      200, for connectivity probes (Claude Code sends `HEAD /`)
 * Every answer carries `x-request-id`; every error is rendered in the client's dialect.
 */
import type { Config } from '../config/schema.ts';
import { GatewayError, isGatewayError } from '../core/errors.ts';
import { Cancellation } from '../lib/cancellation.ts';
import type { GatewayRequest, GatewayResponse } from '../core/http-types.ts';
import { renderError } from '../core/render-error.ts';
import { checkAiAccess, isModelVisible, modelsListFor } from './access/request-access.ts';
import { chatCompletionsSpec } from './endpoints/chat-completions.ts';
import { countTokensSpec } from './endpoints/count-tokens.ts';
import { embeddingsSpec } from './endpoints/embeddings.ts';
import type { EndpointContext } from './endpoints/endpoint-context.ts';
import { messagesSpec } from './endpoints/messages.ts';
import { endBody } from './exchange/client-writer.ts';
import type { AiLocationSettings, ExchangeSpec } from './exchange/exchange-types.ts';
import { streamErrorEvent } from './exchange/passthrough-relay.ts';
import type { ClientAiDialect } from './exchange/response-relay.ts';
import { runExchange } from './exchange/run-exchange.ts';
import { ModelCatalog } from './model-catalog.ts';
import { ModelsEndpoint } from './models-endpoint.ts';
import { closeProviders, compileProviders } from './providers/compile-providers.ts';
import { TranslationProfiles } from './providers/translation-profile.ts';
import { readJsonBody } from './read-json-body.ts';
import { compileKeySlots, type SlotStore } from './routing/key-slots.ts';
import { processKeyStateStore, type KeyStateStore } from './routing/key-state-store.ts';
import { ProviderCircuits, type CircuitFactory } from './routing/provider-circuits.ts';
import { sendJson, writeHead } from './send-json.ts';
import { DISCARD_USAGE, type AiEndpoint, type UsageSink } from './usage/usage-record.ts';
import { UsageTracker } from './usage/usage-tracker.ts';

export interface AiRequestContext {
  readonly requestId: string;
  readonly locationName: string;
  /** The location's path prefix ("/v1", "/"); routes are matched on the path after it. */
  readonly pathPrefix: string;
  readonly maxBodyBytes: number;
}

/** Answers one request of an AI location; resolves once the response is complete or the client left. Never rejects. */
export interface AiHandler {
  (req: GatewayRequest, res: GatewayResponse, ctx: AiRequestContext): Promise<void>;
  /** Closes the provider connections once in-flight calls finish (when the config generation retires). */
  close(): Promise<void>;
}

export interface AiHandlerOptions {
  /** Key cooldowns; default: the process store (processKeyStateStore), shared by every config generation. */
  readonly keyStates?: KeyStateStore;
  /** Builds the providers' circuit breakers (src/limits/circuit-breaker.ts); without it `circuit_breaker` has no effect. */
  readonly circuitFactory?: CircuitFactory;
  /**
   * Counts the slots of `max_concurrency_per_key` (src/limits `processCounterStore()`, cluster-wide in a
   * worker); default: a store of this process shared by every handler.
   */
  readonly slotStore?: SlotStore;
  /** Receives one UsageRecord per chat, messages, count_tokens and embeddings request. */
  readonly usageSink?: UsageSink;
  /** For tests: random source of the weighted provider order. */
  readonly random?: () => number;
}

const DEFAULT_SETTINGS: AiLocationSettings = { isStrict: false, exposesSelection: false, allowProviders: null, maxAttempts: 3, maxRetryWaitMs: 2000 };

type SpecBuilder = (body: unknown, ctx: EndpointContext) => ExchangeSpec;

/** What a request answered without waiting returns (one settled promise for all of them). */
const ANSWERED: Promise<void> = Promise.resolve();

interface ExchangeRoute {
  readonly endpoint: AiEndpoint;
  readonly dialect: ClientAiDialect;
  readonly build: SpecBuilder;
}

const CHAT: ExchangeRoute = { endpoint: 'chat_completions', dialect: 'openai', build: chatCompletionsSpec };
const MESSAGES: ExchangeRoute = { endpoint: 'messages', dialect: 'anthropic', build: messagesSpec };
const COUNT_TOKENS: ExchangeRoute = { endpoint: 'count_tokens', dialect: 'anthropic', build: countTokensSpec };
const EMBEDDINGS: ExchangeRoute = { endpoint: 'embeddings', dialect: 'openai', build: embeddingsSpec };

/** The exchange endpoint a path ends with, or undefined. */
function exchangeRouteOf(path: string): ExchangeRoute | undefined {
  if (path.endsWith('/chat/completions')) return CHAT;
  if (path.endsWith('/messages/count_tokens')) return COUNT_TOKENS;
  if (path.endsWith('/messages')) return MESSAGES;
  if (path.endsWith('/embeddings')) return EMBEDDINGS;
  return undefined;
}

/** Builds the handler for one config snapshot (call at compile time, not per request). */
export function createAiHandler(config: Config, options: AiHandlerOptions = {}): AiHandler {
  const providers = compileProviders(config.providers);
  const catalog = new ModelCatalog(config, providers);
  const profiles = new TranslationProfiles(config);
  const modelsEndpoint = new ModelsEndpoint(catalog);
  const settingsByLocation = compileSettings(config);
  const keyStates = options.keyStates ?? processKeyStateStore();
  const circuits = new ProviderCircuits(config.providers, options.circuitFactory);
  const keySlots = compileKeySlots(config, providers, options.slotStore);
  const usageSink = options.usageSink ?? DISCARD_USAGE;
  const random = options.random ?? Math.random;
  const now = Date.now;

  async function serveExchange(route: ExchangeRoute, req: GatewayRequest, res: GatewayResponse, ctx: AiRequestContext, url: string): Promise<void> {
    const tracker = new UsageTracker({ requestId: ctx.requestId, locationName: ctx.locationName, endpoint: route.endpoint, clientDialect: route.dialect }, now());
    const cancellation = new Cancellation();
    const onClose = (): void => {
      if (!res.writableFinished) cancellation.cancel();
    };
    res.on('close', onClose);
    try {
      if (req.method !== 'POST') throw new GatewayError('method_not_allowed', undefined, { headers: { allow: 'POST' } });
      const { value: body, text: bodyText, bytes: bodyBytes } = await readJsonBody(req, ctx.maxBodyBytes);
      const model = typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : undefined;
      if (typeof model === 'string') tracker.clientModel = model;
      const settings = settingsByLocation.get(ctx.locationName) ?? DEFAULT_SETTINGS;
      const beta = req.headers['anthropic-beta'];
      const version = req.headers['anthropic-version'];
      const queryAt = url.indexOf('?');
      const spec = route.build(body, {
        bodyText,
        bodyBytes,
        catalog,
        settings,
        profiles,
        anthropicBeta: Array.isArray(beta) ? beta.join(',') : beta,
        anthropicVersion: Array.isArray(version) ? version[0] : version,
        query: queryAt === -1 ? '' : url.slice(queryAt),
      });
      // Rules access plugins attached to the request (allowed models, parameter allow-lists).
      const refusal = checkAiAccess(req, body, spec.model);
      if (refusal !== undefined) throw refusal;
      const env = { res, requestId: ctx.requestId, settings, keyStates, circuits, keySlots: keySlots.forLocation(ctx.locationName), tracker, cancellation, now, random };
      await runExchange(spec, env);
    } catch (err) {
      const status = sendError(res, err, route.dialect, ctx.requestId);
      if (tracker.status === 0) tracker.status = status;
      if (tracker.outcome === 'ok') tracker.outcome = status >= 500 ? 'upstream_error' : 'client_error';
    } finally {
      res.off('close', onClose);
      if (cancellation.isCancelled && tracker.outcome === 'ok') tracker.outcome = 'client_aborted';
      tracker.finish(usageSink, now(), res);
    }
  }

  /** HEAD probes and the catalogue: answered at once. */
  function serveDirect(req: GatewayRequest, res: GatewayResponse, ctx: AiRequestContext, path: string): void {
    const headers = { 'x-request-id': ctx.requestId };
    if (req.method === 'HEAD') {
      writeHead(res, 200, headers, false);
      res.end();
      return;
    }
    try {
      if (path.endsWith('/models')) {
        requireGet(req.method);
        sendJson(res, 200, headers, modelsListFor(req, modelsEndpoint.listBody, catalog));
      } else if (path.includes('/models/')) {
        requireGet(req.method);
        const id = decodeModelId(path.slice(path.indexOf('/models/') + '/models/'.length));
        const body = isModelVisible(req, catalog.resolve(id)) ? modelsEndpoint.modelBody(id) : undefined;
        if (body === undefined) throw new GatewayError('model_not_found', `The model '${id}' does not exist`);
        sendJson(res, 200, headers, body);
      } else {
        throw new GatewayError('route_not_found', 'no AI endpoint at this path');
      }
    } catch (err) {
      sendError(res, err, dialectOfHeaders(req), ctx.requestId);
    }
  }

  // Not an async function: returning the exchange's own promise spares the two extra turns an async
  // function takes to adopt a returned promise.
  const handle = function handleAiRequest(req: GatewayRequest, res: GatewayResponse, ctx: AiRequestContext): Promise<void> {
    const url = req.url ?? '/';
    const path = relativePath(url, ctx.pathPrefix);
    if (req.method !== 'HEAD') {
      const route = exchangeRouteOf(path);
      if (route !== undefined) return serveExchange(route, req, res, ctx, url);
    }
    try {
      serveDirect(req, res, ctx, path);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return ANSWERED;
  };
  return Object.assign(handle, { close: () => closeProviders(providers) });
}

function compileSettings(config: Config): ReadonlyMap<string, AiLocationSettings> {
  const out = new Map<string, AiLocationSettings>();
  for (const [name, location] of Object.entries(config.locations)) {
    const ai = location.ai;
    if (ai === undefined) continue;
    out.set(name, {
      isStrict: ai.strict,
      exposesSelection: ai.expose_selection,
      allowProviders: ai.allow_providers === undefined ? null : new Set(ai.allow_providers),
      maxAttempts: ai.max_attempts,
      maxRetryWaitMs: ai.max_retry_wait,
    });
  }
  return out;
}

/** Anthropic clients announce themselves with `anthropic-version` (the SDK, Claude Code) or `x-api-key`. */
function dialectOfHeaders(req: GatewayRequest): ClientAiDialect {
  return req.headers['anthropic-version'] !== undefined || req.headers['x-api-key'] !== undefined ? 'anthropic' : 'openai';
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

function requireGet(method: string | undefined): void {
  if (method !== 'GET') throw new GatewayError('method_not_allowed', undefined, { headers: { allow: 'GET, HEAD' } });
}

function decodeModelId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (cause) {
    throw new GatewayError('bad_request', 'the model id in the path is not valid percent-encoding', { cause });
  }
}

/** Before the head: a JSON error. After it (a stream): an error event in the dialect, then the end. Returns the status. */
function sendError(res: GatewayResponse, err: unknown, dialect: ClientAiDialect, requestId: string): number {
  const error = isGatewayError(err) ? err : new GatewayError('internal_error', undefined, { cause: err });
  const rendered = renderError(error, dialect, requestId);
  if (res.destroyed || res.writableEnded) return rendered.status;
  if (res.headersSent) {
    endBody(res, streamErrorEvent(dialect, error.message));
    return rendered.status;
  }
  writeHead(res, rendered.status, { ...rendered.headers, 'x-request-id': requestId }, false);
  res.end(rendered.body);
  return rendered.status;
}
