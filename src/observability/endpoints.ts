/**
 * The gateway's own HTTP answers, matched on the exact path before routing and plugins (so they bypass
 * auth): `/health` and `/healthz` (load balancers, Kubernetes probes), and under the metrics path
 * (default `/metrics`) the Prometheus text, `/summary` (JSON usage windows) and `/ui` (an HTML page that
 * fetches the summary). The metrics endpoints answer 401 without the configured bearer token; the UI
 * page itself holds no data and asks for the token in the browser (or reads it from `#token=`).
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { GatewayRequest, GatewayResponse } from '../core/http-types.ts';
import { VERSION } from '../core/version.ts';
import type { ObservabilityHub } from './observability-hub.ts';
import type { RequestRecord } from './request-record.ts';

/** `record` (when observability records the request) is marked so the gateway's own answers stay out of the metrics. */
export type BuiltInHandler = (req: GatewayRequest, res: GatewayResponse, requestId: string, record?: RequestRecord | null) => void;

export interface EndpointOptions {
  readonly isHealthEnabled: boolean;
  /** Null when the metrics endpoints are off for this server. */
  readonly metricsPath: string | null;
  readonly token: string | undefined;
  readonly hub: ObservabilityHub;
}

const UI_HTML = readFileSync(new URL('./metrics-ui.html', import.meta.url));
const HEALTHZ_BODY = Buffer.from('{"status":"ok"}');
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Answers with a complete body that no cache may keep (the built-in and admin endpoints). */
export function sendNoStore(res: GatewayResponse, status: number, requestId: string, contentType: string, body: string | Buffer, extra?: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  const headers = {
    'content-type': contentType,
    'content-length': String(payload.length),
    'cache-control': 'no-store',
    'x-request-id': requestId,
    ...extra,
  };
  // The two response classes' writeHead overloads cannot be called through the union.
  if ('stream' in res) res.writeHead(status, headers);
  else res.writeHead(status, headers);
  res.end(payload);
}

function sendJson(res: GatewayResponse, status: number, requestId: string, value: unknown): void {
  sendNoStore(res, status, requestId, 'application/json', JSON.stringify(value));
}

function failed(res: GatewayResponse, requestId: string): (err: unknown) => void {
  return (err) => {
    const code = (err as { code?: unknown }).code;
    sendJson(res, 503, requestId, { error: 'observability_unavailable', code: typeof code === 'string' ? code : 'LL_OBS_FAILED' });
  };
}

function tokenCheck(token: string | undefined): (req: GatewayRequest) => boolean {
  if (token === undefined) return () => true;
  const expected = Buffer.from(`Bearer ${token}`);
  return (req) => {
    const given = req.headers.authorization;
    if (typeof given !== 'string') return false;
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  };
}

/** Path → handler for one server; empty when everything is off. */
export function compileEndpoints(options: EndpointOptions): ReadonlyMap<string, BuiltInHandler> {
  const { hub } = options;
  const handlers = new Map<string, BuiltInHandler>();
  const add = (path: string, handler: BuiltInHandler): void => {
    handlers.set(path, (req, res, requestId, record) => {
      if (record != null) record.isBuiltIn = true;
      handler(req, res, requestId);
    });
  };
  if (options.isHealthEnabled) {
    add('/healthz', (_req, res, requestId) => sendNoStore(res, 200, requestId, 'application/json', HEALTHZ_BODY));
    add('/health', (_req, res, requestId) => {
      hub.health().then((info) => sendJson(res, 200, requestId, { status: 'healthy', version: VERSION, ...info }), failed(res, requestId));
    });
  }
  const base = options.metricsPath;
  if (base === null) return handlers;
  const isAllowed = tokenCheck(options.token);
  const guarded = (handler: BuiltInHandler): BuiltInHandler => (req, res, requestId) => {
    if (isAllowed(req)) handler(req, res, requestId);
    else sendNoStore(res, 401, requestId, 'application/json', '{"error":"unauthorized"}', { 'www-authenticate': 'Bearer' });
  };
  add(
    base,
    guarded((_req, res, requestId) => {
      hub.metricsText().then((text) => sendNoStore(res, 200, requestId, PROMETHEUS_CONTENT_TYPE, text), failed(res, requestId));
    }),
  );
  add(
    `${base}/summary`,
    guarded((_req, res, requestId) => {
      hub.summary().then((summary) => sendJson(res, 200, requestId, summary), failed(res, requestId));
    }),
  );
  add(`${base}/ui`, (_req, res, requestId) => sendNoStore(res, 200, requestId, 'text/html; charset=utf-8', UI_HTML));
  return handlers;
}
