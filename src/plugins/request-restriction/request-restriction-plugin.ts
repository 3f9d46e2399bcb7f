/**
 * `type: request-restriction`: allow-lists of methods (405 method_not_allowed) and paths, and required
 * request headers (403 forbidden). Paths: exact, prefix written "/x/*" (segment boundary), or "~regex";
 * all compiled once.
 */
import type { PluginConfig } from '../../config/schema.ts';
import { GatewayError } from '../../core/errors.ts';
import { errorReply } from '../plugin-reply.ts';
import type { PluginType } from '../plugin.ts';

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

export const requestRestrictionPlugin: PluginType<RequestRestrictionPluginConfig> = {
  type: 'request-restriction',
  create(config) {
    const methods = config.methods === undefined ? null : new Set(config.methods);
    const isPathAllowed = config.paths === undefined ? null : compilePathList(config.paths);
    const required: HeaderRequirement[] = Object.entries(config.required_headers ?? {}).map(([name, values]) => ({
      name: name.toLowerCase(),
      values: values === true ? null : new Set(values),
    }));
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
        return undefined;
      },
    };
  },
};
