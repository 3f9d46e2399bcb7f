/**
 * Location header rules (`headers.request` toward the upstream, `headers.response` toward the client):
 * `remove`, then `set` (overwrite), then `add` (append next to existing values). Names are case-insensitive
 * and stored lower-case; the rule lists are built once per config.
 */
import type { HeaderRulesConfig } from '../config/schema.ts';
import type { HeaderMap } from '../core/http-types.ts';
import { HOP_BY_HOP_HEADERS } from './hop-by-hop.ts';

export interface HeaderRuleSet {
  /** Mutates `headers` (lower-case names): removes, then sets, then adds. */
  apply(headers: HeaderMap): void;
}

type HeaderPair = readonly [name: string, value: string];

// RFC 9110 §5.1 field-name = token; §5.5 field values exclude CR, LF and NUL.
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE_RE = /[\r\n\0]/;
/** Message framing and connection management belong to the proxy; a rule setting them would corrupt the exchange. */
const UNSETTABLE: ReadonlySet<string> = new Set([...HOP_BY_HOP_HEADERS, 'content-length']);

/** Every problem in a rule set, as messages for `louailink -t`; empty when the rules are valid. */
export function findHeaderRuleErrors(rules: HeaderRulesConfig | undefined): string[] {
  if (rules === undefined) return [];
  const errors: string[] = [];
  for (const name of rules.remove ?? []) {
    if (!TOKEN_RE.test(name)) errors.push(`remove: "${name}" is not a valid header name`);
  }
  for (const kind of ['set', 'add'] as const) {
    for (const [name, value] of Object.entries(rules[kind] ?? {})) {
      if (!TOKEN_RE.test(name)) errors.push(`${kind}: "${name}" is not a valid header name`);
      else if (UNSETTABLE.has(name.toLowerCase())) {
        errors.push(`${kind}: "${name}" is managed by the proxy and cannot be ${kind === 'set' ? 'set' : 'added'}`);
      }
      if (INVALID_VALUE_RE.test(value)) errors.push(`${kind}: the value of "${name}" contains CR, LF or NUL`);
    }
  }
  return errors;
}

/** Null when there are no rules, so the hot path skips them with one check. Throws on invalid rules. */
export function compileHeaderRules(rules: HeaderRulesConfig | undefined): HeaderRuleSet | null {
  if (rules === undefined) return null;
  const errors = findHeaderRuleErrors(rules);
  if (errors.length > 0) throw new Error(`invalid header rules: ${errors.join('; ')}`);
  const remove = (rules.remove ?? []).map((name) => name.toLowerCase());
  const set = toPairs(rules.set);
  const add = toPairs(rules.add);
  if (remove.length === 0 && set.length === 0 && add.length === 0) return null;
  return {
    apply(headers) {
      for (const name of remove) delete headers[name];
      for (const [name, value] of set) headers[name] = value;
      for (const [name, value] of add) {
        const existing = headers[name];
        // A fresh array: the existing one may be shared with the incoming message.
        if (existing === undefined) headers[name] = value;
        else headers[name] = typeof existing === 'string' ? [existing, value] : [...existing, value];
      }
    },
  };
}

function toPairs(map: Record<string, string> | undefined): HeaderPair[] {
  return map === undefined ? [] : Object.entries(map).map(([name, value]) => [name.toLowerCase(), value] as const);
}
