/**
 * The admin listener's request handler. Every request needs an admin bearer token (401 otherwise, and an
 * audit line); the metrics endpoints also take the metrics token, so a scraper never holds a token that
 * can change keys. Routes: the built-in metrics and health endpoints, `GET /admin/provider-keys`, and the
 * management routes of admin-requests.ts, which the master answers (management-client.ts). Answers are
 * JSON: `{"error": code, "message": …}` for failures (docs/admin-api.md lists the codes).
 */
import { randomUUID } from 'node:crypto';
import type { GatewayRequest, GatewayResponse } from '../core/http-types.ts';
import type { Logger } from '../lib/logger.ts';
import type { BuiltInHandler } from '../observability/endpoints.ts';
import type { TokenTable } from './admin-auth.ts';
import { matchManagementRoute } from './admin-requests.ts';
import type { AuditLog } from './audit-log.ts';
import type { ManagementClient } from './management-client.ts';
import type { ProviderKeysAnswer } from './provider-keys.ts';
import { sendNoStore } from '../observability/endpoints.ts';
import { AdminError } from './admin-error.ts';

export interface AdminHandlerOptions {
  readonly adminTokens: TokenTable;
  /** Accepted by the built-in (metrics, health) endpoints besides the admin tokens. */
  readonly metricsTokens: TokenTable;
  /** Path → built-in endpoint (empty when `admin.metrics` is off). */
  readonly builtIns: ReadonlyMap<string, BuiltInHandler>;
  /** Null without a master (in-process gateway): the management routes answer 503. */
  readonly management: ManagementClient | null;
  readonly providerKeys: () => ProviderKeysAnswer;
  readonly audit: AuditLog;
  readonly logger: Logger;
}

export type AdminHandler = (req: GatewayRequest, res: GatewayResponse) => void;

export const MAX_ADMIN_BODY_BYTES = 64 * 1024;
const ADMIN_PREFIX = '/admin/';

export function createAdminHandler(options: AdminHandlerOptions): AdminHandler {
  const { adminTokens, metricsTokens, builtIns, management, audit, logger } = options;

  const deny = (req: GatewayRequest, res: GatewayResponse, requestId: string, path: string): void => {
    audit.write({ action: 'admin.auth', outcome: 'denied', actor: { address: addressOf(req) }, method: req.method, path, request_id: requestId });
    sendJson(res, 401, requestId, { error: 'unauthorized', message: 'send "authorization: Bearer <admin token>"' }, { 'www-authenticate': 'Bearer' });
  };

  async function manage(req: GatewayRequest, res: GatewayResponse, requestId: string, tokenId: string, segments: readonly string[]): Promise<void> {
    const method = req.method ?? 'GET';
    const match = matchManagementRoute(method, segments);
    if (!match.ok) {
      if (match.status === 404) sendJson(res, 404, requestId, { error: 'not_found', message: 'no such admin endpoint' });
      else sendJson(res, 405, requestId, { error: 'method_not_allowed', message: `use ${match.allow ?? ''}` }, { allow: match.allow ?? '' });
      return;
    }
    const body = match.hasBody ? await readJsonBody(req) : undefined;
    const built = match.build(body);
    if (!built.ok) {
      sendJson(res, 400, requestId, { error: 'invalid_request', message: built.message, issues: built.issues });
      return;
    }
    if (management === null) {
      sendJson(res, 503, requestId, { error: 'management_unavailable', message: 'the management API needs the master process (louailink -c DIR with workers)' });
      return;
    }
    const reply = await management.request(built.op, { token: tokenId, address: addressOf(req) });
    // The generated keys are shown once, here; the master and the config only have their hashes.
    const issued = reply.status === 201 && built.issued.length > 0 ? issuedField(built.op.kind, built.issued) : {};
    sendJson(res, reply.status, requestId, { ...reply.body, ...issued });
  }

  return function handleAdmin(req, res) {
    const requestId = randomUUID();
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const tokenId = adminTokens.identify(req.headers);
    const builtIn = builtIns.get(path);
    if (builtIn !== undefined) {
      if (tokenId === undefined && metricsTokens.identify(req.headers) === undefined) deny(req, res, requestId, path);
      else builtIn(req, res, requestId);
      return;
    }
    if (tokenId === undefined) {
      deny(req, res, requestId, path);
      return;
    }
    const segments = path.startsWith(ADMIN_PREFIX) ? decodeSegments(path.slice(ADMIN_PREFIX.length)) : null;
    if (segments === null) {
      sendJson(res, 404, requestId, { error: 'not_found', message: 'no such admin endpoint' });
      return;
    }
    if (segments.length === 1 && segments[0] === 'provider-keys') {
      if (req.method === 'GET') sendJson(res, 200, requestId, options.providerKeys());
      else sendJson(res, 405, requestId, { error: 'method_not_allowed', message: 'use GET' }, { allow: 'GET' });
      return;
    }
    manage(req, res, requestId, tokenId, segments).catch((err: unknown) => {
      if (err instanceof AdminError) {
        sendJson(res, err.status, requestId, { error: err.code, message: err.message });
        return;
      }
      logger.error({ err, requestId }, 'admin request failed');
      sendJson(res, 500, requestId, { error: 'internal_error', message: 'the admin request failed' });
    });
  };
}

function issuedField(kind: string, issued: readonly { name: string; key: string }[]): Record<string, unknown> {
  return kind === 'create-key' ? { key: issued[0] } : { keys: issued };
}

function addressOf(req: GatewayRequest): string {
  return req.socket?.remoteAddress ?? '-';
}

/** Path segments, percent-decoded; null when a segment is empty or badly encoded. */
function decodeSegments(rest: string): string[] | null {
  const parts = rest.split('/');
  try {
    const decoded = parts.map((part) => decodeURIComponent(part));
    return decoded.some((part) => part === '') ? null : decoded;
  } catch {
    return null;
  }
}

async function readJsonBody(req: GatewayRequest): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_ADMIN_BODY_BYTES) throw new AdminError(413, 'body_too_large', `the body may have at most ${MAX_ADMIN_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_ADMIN_BODY_BYTES) throw new AdminError(413, 'body_too_large', `the body may have at most ${MAX_ADMIN_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AdminError(400, 'invalid_json', 'the body is not valid JSON');
  }
}

function sendJson(res: GatewayResponse, status: number, requestId: string, value: unknown, extra?: Record<string, string>): void {
  sendNoStore(res, status, requestId, 'application/json', JSON.stringify(value), extra);
}
