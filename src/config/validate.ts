/**
 * Validates a merged config document: the zod schema (types, closed objects, units), the cross-references
 * of ./validate-refs.ts and the access-log format (./validate-log-format.ts), reported together so `-t`
 * shows every problem at once. Zod's issues are rewritten into short messages with a path each (one per
 * unknown key, unions reduced to their useful branch).
 * Works on paths only, so any config source (files, etcd) can map problems to its own positions.
 */
import type { z } from 'zod';
import type { ConfigPath, ConfigProblem } from './config-issue.ts';
import { configSchema } from './schema.ts';
import type { Config } from './schema.ts';
import { validateLogFormat } from './validate-log-format.ts';
import { validateRefs } from './validate-refs.ts';

type ZodIssue = z.core.$ZodIssue;

export type ValidationResult = { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export function validateDocument(document: unknown): ValidationResult {
  const parsed = configSchema.safeParse(document);
  const problems: ConfigProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...describeIssue(issue, [], document));
  }
  problems.push(...validateRefs(document), ...validateLogFormat(document));
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, config: parsed.data };
}

function describeIssue(issue: ZodIssue, base: ConfigPath, document: unknown): ConfigProblem[] {
  const path: ConfigPath = [...base, ...issue.path.map(pathPart)];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], at: 'key', message: `unknown key "${key}"` }));
    case 'invalid_key': {
      const reason = issue.issues[0]?.message ?? issue.message;
      return [{ path, at: 'key', message: `invalid name "${String(path.at(-1))}": ${reason}` }];
    }
    case 'invalid_type':
      return [{ path, at: 'value', message: describeType(issue.expected, path, document) }];
    case 'too_small':
    case 'too_big':
      return [{ path, at: 'value', message: describeBound(issue) }];
    case 'invalid_union':
      return describeUnion(issue, path, document);
    default:
      return [{ path, message: issue.message }];
  }
}

function describeType(expected: string, path: ConfigPath, document: unknown): string {
  const found = lookup(document, path);
  if (!found.exists) return `missing required key "${String(path.at(-1))}"`;
  return `expected ${yamlTypeName(expected)}, received ${typeName(found.value)}`;
}

function describeBound(issue: Extract<ZodIssue, { code: 'too_small' | 'too_big' }>): string {
  const isMin = issue.code === 'too_small';
  const limit = Number(isMin ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum);
  if (issue.origin === 'array' || issue.origin === 'set') {
    return `expected ${isMin ? 'at least' : 'at most'} ${limit} ${limit === 1 ? 'item' : 'items'}`;
  }
  if (issue.origin === 'string') return `expected ${isMin ? 'at least' : 'at most'} ${limit} characters`;
  if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
    const op = isMin ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
    return `expected a number ${op} ${limit}`;
  }
  return issue.message;
}

function describeUnion(issue: Extract<ZodIssue, { code: 'invalid_union' }>, path: ConfigPath, document: unknown): ConfigProblem[] {
  if (issue.discriminator !== undefined) {
    const found = lookup(document, path);
    if (!found.exists) return [{ path, message: `missing required key "${issue.discriminator}"` }];
    const options = 'options' in issue && issue.options !== undefined ? issue.options.map((o) => `"${String(o)}"`).join(', ') : '';
    return [{ path, message: `unknown ${issue.discriminator} ${JSON.stringify(found.value)}: expected one of ${options}` }];
  }
  const branches = issue.errors;
  const isTypeMismatch = (branch: readonly ZodIssue[]): boolean =>
    branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0;
  if (branches.length > 0 && branches.every(isTypeMismatch)) {
    const expected = branches.map((b) => (b[0] as Extract<ZodIssue, { code: 'invalid_type' }>).expected);
    return [{ path, message: describeType([...new Set(expected)].join(' or '), path, document) }];
  }
  // The value had the shape of some branch: report that branch's problems (the fewest, if several).
  const candidates = branches.filter((b) => !isTypeMismatch(b) && b.length > 0).sort((a, b) => a.length - b.length);
  const best = candidates[0];
  if (best === undefined) return [{ path, message: issue.message }];
  return best.flatMap((inner) => describeIssue(inner, path, document));
}

function pathPart(part: PropertyKey): string | number {
  return typeof part === 'number' ? part : String(part);
}

function lookup(document: unknown, path: ConfigPath): { exists: boolean; value: unknown } {
  let current: unknown = document;
  for (const part of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, part)) return { exists: false, value: undefined };
    current = (current as Record<string | number, unknown>)[part];
  }
  return { exists: current !== undefined, value: current };
}

/** Zod's type names in YAML words: maps and lists. */
function yamlTypeName(expected: string): string {
  return expected.replace(/\b(record|object)\b/g, 'map').replace(/\barray\b/g, 'list');
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'map';
  return typeof value;
}
