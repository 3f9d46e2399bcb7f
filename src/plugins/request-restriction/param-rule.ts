/**
 * `params` of the request-restriction plugin: allowed values of JSON body parameters, compiled once per
 * config into one rule. A parameter is named by its key (`model`) or a dotted path into nested objects
 * (`reasoning.effort`); an absent parameter counts as `null`, so listing `null` allows leaving it out.
 * Only scalars can match: an object or array where a listed value is expected is refused. A refusal
 * names the parameter, never the value the client sent (it may be a secret).
 */
import { GatewayError } from '../../core/errors.ts';
import type { AiBodyRule } from '../../ai/access/request-access.ts';

export type ParamValue = string | number | boolean | null;

interface CompiledParam {
  readonly path: readonly string[];
  readonly allowed: ReadonlySet<ParamValue>;
  readonly refusal: GatewayError;
}

function valueAt(body: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

function isScalar(value: unknown): value is ParamValue {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** One rule checking every listed parameter, in config order. */
export function compileParamRule(params: Readonly<Record<string, readonly ParamValue[]>>): AiBodyRule {
  const compiled: CompiledParam[] = Object.entries(params).map(([name, values]) => ({
    path: name.split('.'),
    allowed: new Set(values),
    refusal: new GatewayError('forbidden', `the value of the request parameter '${name}' is not allowed here`),
  }));
  return {
    check(body) {
      for (const param of compiled) {
        const value = valueAt(body, param.path) ?? null;
        if (!isScalar(value) || !param.allowed.has(value)) return param.refusal;
      }
      return undefined;
    },
  };
}
