/**
 * The management API's routes and request bodies → a ManagementOp for the master. Gateway keys are
 * generated here, in the worker that answers: the master only ever sees their hashes, and the clear keys
 * go back to the client once, in this worker's answer.
 *
 *   GET    /admin/consumers                                   every key-auth plugin and its consumers
 *   GET    /admin/plugins/{plugin}/consumers                  one plugin
 *   POST   /admin/plugins/{plugin}/consumers                  create a consumer (and its keys)
 *   GET    /admin/plugins/{plugin}/consumers/{consumer}
 *   PATCH  /admin/plugins/{plugin}/consumers/{consumer}       active, expires_at, allowed_models, allowed_locations
 *   DELETE /admin/plugins/{plugin}/consumers/{consumer}
 *   POST   /admin/plugins/{plugin}/consumers/{consumer}/keys  add a key
 *   PATCH  /admin/plugins/{plugin}/consumers/{consumer}/keys/{key}   expires_at
 *   DELETE /admin/plugins/{plugin}/consumers/{consumer}/keys/{key}
 */
import { hash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { KeySpec, ManagementOp } from './admin-messages.ts';

export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A generated gateway key: "llk_" + 32 random bytes in base64url (256 bits). */
export function generateGatewayKey(): string {
  return `llk_${randomBytes(32).toString('base64url')}`;
}

export function keyHashOf(key: string): string {
  return `sha256:${hash('sha256', key, 'hex')}`;
}

export interface IssuedKey {
  readonly name: string;
  readonly key: string;
}

export interface RequestIssue {
  readonly path: string;
  readonly message: string;
}

export type RouteMatch =
  | { readonly ok: true; readonly hasBody: boolean; readonly build: (body: unknown) => BuildResult }
  | { readonly ok: false; readonly status: 404 | 405; readonly allow?: string };

export type BuildResult =
  | { readonly ok: true; readonly op: ManagementOp; readonly issued: readonly IssuedKey[] }
  | { readonly ok: false; readonly message: string; readonly issues: readonly RequestIssue[] };

const name = z.string().regex(NAME_RE, 'use 1-64 letters, digits, "_", "-" and "." starting with a letter or digit');
const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), { message: 'expected an ISO 8601 date such as "2027-01-31" or "2027-01-31T12:00:00Z"' });
const nameList = z.array(z.string().min(1)).max(1000);
const keyBody = z.strictObject({ name, expires_at: instant.optional() });

const createConsumerBody = z
  .strictObject({
    name,
    active: z.boolean().optional(),
    expires_at: instant.optional(),
    allowed_models: nameList.optional(),
    allowed_locations: nameList.optional(),
    keys: z.array(keyBody).min(1).max(100).optional(),
  })
  .refine((b) => new Set((b.keys ?? []).map((k) => k.name)).size === (b.keys ?? []).length, { message: 'key names must be unique', path: ['keys'] });

const updateConsumerBody = z
  .strictObject({
    active: z.boolean().optional(),
    expires_at: instant.nullable().optional(),
    allowed_models: nameList.nullable().optional(),
    allowed_locations: nameList.nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'give at least one of active, expires_at, allowed_models, allowed_locations' });

const updateKeyBody = z.strictObject({ expires_at: instant.nullable() });

/** Matches `/admin/...` path segments (decoded) and the method. */
export function matchManagementRoute(method: string, segments: readonly string[]): RouteMatch {
  const [first, plugin, consumersWord, consumer, keysWord, key, ...rest] = segments;
  if (first === 'consumers' && segments.length === 1) return only(method, 'GET', () => op({ kind: 'list' }));
  if (first !== 'plugins' || plugin === undefined || consumersWord !== 'consumers' || rest.length > 0) return NOT_FOUND;
  if (consumer === undefined) {
    if (method === 'GET') return route(false, () => op({ kind: 'list', plugin }));
    if (method === 'POST') return route(true, (body) => createConsumer(plugin, body));
    return notAllowed('GET, POST');
  }
  if (keysWord === undefined) {
    if (method === 'GET') return route(false, () => op({ kind: 'get-consumer', plugin, consumer }));
    if (method === 'PATCH') return route(true, (body) => parsed(updateConsumerBody, body, (patch) => op({ kind: 'update-consumer', plugin, consumer, patch })));
    if (method === 'DELETE') return route(false, () => op({ kind: 'delete-consumer', plugin, consumer }));
    return notAllowed('GET, PATCH, DELETE');
  }
  if (keysWord !== 'keys') return NOT_FOUND;
  if (key === undefined) return only(method, 'POST', (body) => createKey(plugin, consumer, body), true);
  if (method === 'PATCH') return route(true, (body) => parsed(updateKeyBody, body, (patch) => op({ kind: 'update-key', plugin, consumer, key, patch })));
  if (method === 'DELETE') return route(false, () => op({ kind: 'delete-key', plugin, consumer, key }));
  return notAllowed('PATCH, DELETE');
}

const NOT_FOUND: RouteMatch = { ok: false, status: 404 };

function notAllowed(allow: string): RouteMatch {
  return { ok: false, status: 405, allow };
}

function route(hasBody: boolean, build: (body: unknown) => BuildResult): RouteMatch {
  return { ok: true, hasBody, build };
}

function only(method: string, allowed: string, build: (body: unknown) => BuildResult, hasBody = false): RouteMatch {
  return method === allowed ? route(hasBody, build) : notAllowed(allowed);
}

function op(operation: ManagementOp, issued: readonly IssuedKey[] = []): BuildResult {
  return { ok: true, op: operation, issued };
}

function parsed<T>(schema: z.ZodType<T>, body: unknown, then: (value: T) => BuildResult): BuildResult {
  const result = schema.safeParse(body);
  if (result.success) return then(result.data);
  return {
    ok: false,
    message: 'the request body is not valid',
    issues: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  };
}

function issue(name: string, expiresAt: string | undefined): { spec: KeySpec; issued: IssuedKey } {
  const key = generateGatewayKey();
  return { spec: { name, key_hash: keyHashOf(key), ...(expiresAt === undefined ? {} : { expires_at: expiresAt }) }, issued: { name, key } };
}

function createConsumer(plugin: string, body: unknown): BuildResult {
  return parsed(createConsumerBody, body, (b) => {
    const keys = (b.keys ?? [{ name: 'default', expires_at: undefined }]).map((k) => issue(k.name, k.expires_at));
    const consumer = {
      name: b.name,
      ...(b.active === undefined ? {} : { active: b.active }),
      ...(b.expires_at === undefined ? {} : { expires_at: b.expires_at }),
      ...(b.allowed_models === undefined ? {} : { allowed_models: b.allowed_models }),
      ...(b.allowed_locations === undefined ? {} : { allowed_locations: b.allowed_locations }),
      keys: keys.map((k) => k.spec),
    };
    return op({ kind: 'create-consumer', plugin, consumer }, keys.map((k) => k.issued));
  });
}

function createKey(plugin: string, consumer: string, body: unknown): BuildResult {
  return parsed(keyBody, body, (b) => {
    const { spec, issued } = issue(b.name, b.expires_at);
    return op({ kind: 'create-key', plugin, consumer, key: spec }, [issued]);
  });
}
