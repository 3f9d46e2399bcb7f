/**
 * `type: request-restriction`: allow-lists of methods (405 method_not_allowed) and paths, required
 * request headers and allowed values of JSON body parameters (403 forbidden). Paths: exact, prefix
 * written "/x/*" (segment boundary), or "~regex"; all compiled once.
 * `params` on an AI location become a rule the AI layer applies to the body it parses anyway; on a
 * proxied location the plugin reads the body (up to `max_body_size`), checks it and hands the bytes to
 * the proxy. Requests without a body are not checked against `params`.
 */
import type { PluginConfig } from '../../config/schema.ts';
import { addBodyRule } from '../../ai/access/request-access.ts';
import type { AiBodyRule } from '../../ai/access/request-access.ts';
import { GatewayError } from '../../core/errors.ts';
import { isBodyless } from '../../proxy/request-body.ts';
import { setBufferedBody } from '../../proxy/buffered-body.ts';
import { errorReply } from '../plugin-reply.ts';
import type { PluginHooks, PluginRequestContext, RequestVerdict } from '../plugin.ts';
import type { PluginType } from '../plugin.ts';
import { compileParamRule } from './param-rule.ts';
import { readBody } from './read-body.ts';

export type RequestRestrictionPluginConfig = Extract<PluginConfig, { type: 'request-restriction' }>;

export type PathMatcher = (path: string) => boolean;

/** One matcher for the allowed-path list. */
export function compilePathList(patterns: readonly string[]): PathMatcher {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const regexes: RegExp[] = [];
  for (const pattern of patterns) {
    if (pattern.startsWith('~')) regexes.push(new RegExp(pattern.slice(1)));
    else if (pattern.endsWith('/*')) {
      const base = pattern.slice(0, -2);
      exact.add(base === '' ? '/' : base);
      prefixes.push(`${base}/`);
    } else exact.add(pattern);
  }
  return (path) => exact.has(path) || prefixes.some((p) => path.startsWith(p)) || regexes.some((r) => r.test(path));
}

interface HeaderRequirement {
  readonly name: string;
  /** null = any value. */
  readonly values: ReadonlySet<string> | null;
}

const NOT_JSON = new GatewayError('bad_request', 'the request body must be a JSON object');

/** Reads a proxied body, checks it against the rule and leaves the bytes for the proxy. */
async function checkProxiedBody(ctx: PluginRequestContext, rule: AiBodyRule, maxBytes: number): Promise<RequestVerdict> {
  const bytes = await readBody(ctx.req, maxBytes);
  if (bytes instanceof GatewayError) return errorReply(ctx, bytes);
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    return errorReply(ctx, NOT_JSON);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return errorReply(ctx, NOT_JSON);
  const refusal = rule.check(body as Readonly<Record<string, unknown>>);
  if (refusal !== undefined) return errorReply(ctx, refusal);
  setBufferedBody(ctx.req, bytes);
  return undefined;
}

export const requestRestrictionPlugin: PluginType<RequestRestrictionPluginConfig, PluginHooks> = {
  type: 'request-restriction',
  create(config) {
    const methods = config.methods === undefined ? null : new Set(config.methods);
    const isPathAllowed = config.paths === undefined ? null : compilePathList(config.paths);
    const required: HeaderRequirement[] = Object.entries(config.required_headers ?? {}).map(([name, values]) => ({
      name: name.toLowerCase(),
      values: values === true ? null : new Set(values),
    }));
    const paramRule = config.params === undefined ? null : compileParamRule(config.params);
    const maxBodyBytes = config.max_body_size;
    const badMethod = new GatewayError('method_not_allowed', undefined, methods === null ? undefined : { headers: { allow: [...methods].join(', ') } });
    const badPath = new GatewayError('forbidden', 'this endpoint is not allowed');
    return {
      onRequest(ctx) {
        if (methods !== null && !methods.has(ctx.req.method ?? '')) return errorReply(ctx, badMethod);
        if (isPathAllowed !== null && !isPathAllowed(ctx.path)) return errorReply(ctx, badPath);
        for (const { name, values } of required) {
          const value = ctx.req.headers[name];
          if (typeof value !== 'string' || (values !== null && !values.has(value))) {
            return errorReply(ctx, new GatewayError('forbidden', `the request header ${name} is missing or not allowed`));
          }
        }
        if (paramRule === null) return undefined;
        if (ctx.isAiRoute === true) {
          addBodyRule(ctx.req, paramRule);
          return undefined;
        }
        if (isBodyless(ctx.req)) return undefined;
        return checkProxiedBody(ctx, paramRule, maxBodyBytes);
      },
    };
  },
};
