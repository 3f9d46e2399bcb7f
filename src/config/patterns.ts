/**
 * Parsers for the location match patterns and the rewrite rule, shared by the config validator (which reports
 * `{error}` values to the user) and the router (which compiles them once per config). Syntax and priority
 * rules are documented in docs/routing.md; keep both in step.
 */
import { isIP } from 'node:net';

export interface PatternError {
  readonly error: string;
}

export function isPatternError(value: unknown): value is PatternError {
  return typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string';
}

export type PathPattern =
  /** "=/health": the whole path, nothing more. */
  | { readonly kind: 'exact'; readonly path: string }
  /** "/v1": prefix on a segment boundary ("/v1", "/v1/x", not "/v1x"); "/v1/" requires the slash; "/" matches all. */
  | { readonly kind: 'prefix'; readonly path: string }
  /** "~^/v\\d+/": a JavaScript regex, unanchored unless written with ^/$, case-sensitive. */
  | { readonly kind: 'regex'; readonly source: string; readonly regex: RegExp };

export type HostPattern =
  /** "api.example.com", lower-cased, IPv6 literals without brackets. */
  | { readonly kind: 'exact'; readonly host: string }
  /** "*.example.com" → suffix ".example.com": one or more labels before it, never the bare domain. */
  | { readonly kind: 'wildcard'; readonly suffix: string }
  /** "~^api\\d+\\.": a case-insensitive regex tested on the host without port. */
  | { readonly kind: 'regex'; readonly source: string; readonly regex: RegExp };

/** A compiled `rewrite`; `replacement` uses String.prototype.replace syntax ($1, $<name>, $&, $$). */
export interface RewriteRule {
  readonly regex: RegExp;
  readonly replacement: string;
}

const WHITESPACE_RE = /\s/;
const HOST_LABELS_RE = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;
const REPLACEMENT_REF_RE = /\$(?:\$|(\d{1,2})|<([^>]*)>)/g;

export function parsePathPattern(text: string): PathPattern | PatternError {
  if (text.length === 0) return { error: 'path is empty: use "/" to match every path' };
  const first = text[0];
  if (first === '~') {
    const source = text.slice(1);
    const compiled = compileRegex(source, '', `path regex "${text}"`);
    return isPatternError(compiled) ? compiled : { kind: 'regex', source, regex: compiled };
  }
  const path = first === '=' ? text.slice(1) : text;
  if (!path.startsWith('/')) {
    return first === '='
      ? { error: `exact path "${text}" must be "=" followed by a path starting with "/", e.g. "=/health"` }
      : { error: `path "${text}" must start with "/" (prefix), "=/" (exact) or "~" (regex)` };
  }
  if (WHITESPACE_RE.test(path)) return { error: `path "${text}" contains whitespace` };
  if (path.includes('?') || path.includes('#')) {
    return { error: `path "${text}" must not contain "?" or "#": the query string is never part of the matched path` };
  }
  return first === '=' ? { kind: 'exact', path } : { kind: 'prefix', path };
}

export function parseHostPattern(text: string): HostPattern | PatternError {
  if (text.length === 0) return { error: 'host is empty: leave "host" out to match any host' };
  if (text.startsWith('~')) {
    const source = text.slice(1);
    const compiled = compileRegex(source, 'i', `host regex "${text}"`);
    return isPatternError(compiled) ? compiled : { kind: 'regex', source, regex: compiled };
  }
  if (WHITESPACE_RE.test(text)) {
    return { error: `host "${text}" contains whitespace: list several hosts as a YAML list, not one string` };
  }
  const lower = text.toLowerCase();
  if (lower.startsWith('*.')) {
    const domain = stripTrailingDot(lower.slice(2));
    if (domain.includes(':')) return { error: `host "${text}" must not include a port: hosts are matched without it` };
    if (!HOST_LABELS_RE.test(domain)) {
      return { error: `wildcard host "${text}" must be "*." followed by a domain, e.g. "*.example.com"` };
    }
    return { kind: 'wildcard', suffix: `.${domain}` };
  }
  if (lower.includes('*')) {
    return { error: `host "${text}": "*" is only allowed as the whole first label ("*.example.com"); use "~" for a regex` };
  }
  const ipv6 = parseIpv6Literal(lower);
  if (ipv6 !== undefined) return isPatternError(ipv6) ? ipv6 : { kind: 'exact', host: ipv6 };
  if (lower.includes(':')) return { error: `host "${text}" must not include a port: hosts are matched without it` };
  const host = stripTrailingDot(lower);
  if (!HOST_LABELS_RE.test(host)) return { error: `host "${text}" is not a valid host name or IP address` };
  return { kind: 'exact', host };
}

export function parseRewrite(text: string): RewriteRule | PatternError {
  const parts = text.trim().split(/\s+/);
  const [source, replacement] = parts;
  if (source === undefined || source.length === 0) {
    return { error: 'rewrite is empty: expected "<regex> <replacement>", e.g. "^/api/(.*)$ /$1"' };
  }
  if (replacement === undefined) {
    return { error: `rewrite "${text}" needs a replacement: expected "<regex> <replacement>", e.g. "^/api/(.*)$ /$1"` };
  }
  if (parts.length > 2) {
    const expected = 'expected "<regex> <replacement>" (write a space in the regex as \\s)';
    return { error: `rewrite "${text}" has ${parts.length} parts, ${expected}` };
  }
  const regex = compileRegex(source, '', `rewrite regex "${source}"`);
  if (isPatternError(regex)) return regex;
  const refError = checkReplacementRefs(regex, source, replacement);
  return refError ?? { regex, replacement };
}

function compileRegex(source: string, flags: string, what: string): RegExp | PatternError {
  if (source.length === 0) return { error: `${what} is empty: write the regex after "~"` };
  try {
    return new RegExp(source, flags);
  } catch (err) {
    return { error: `${what} is not a valid regular expression: ${(err as Error).message}` };
  }
}

/** A "$3" or "$<id>" the regex cannot fill would silently become literal text at request time; refuse it now. */
function checkReplacementRefs(regex: RegExp, source: string, replacement: string): PatternError | undefined {
  // An alternative that always matches the empty string exposes the group count and names without input.
  const probe = new RegExp(`(?:${regex.source})|`).exec('');
  const groupCount = probe === null ? 0 : probe.length - 1;
  const names = probe?.groups === undefined ? [] : Object.keys(probe.groups);
  for (const ref of replacement.matchAll(REPLACEMENT_REF_RE)) {
    const [whole, digits, name] = ref;
    // "$12" means group 12 if it exists, else group 1 then "2" (String.prototype.replace rules).
    if (digits !== undefined && Number(digits) > groupCount && Number(digits.slice(0, 1)) > groupCount) {
      return { error: `rewrite replacement uses ${whole} but the regex "${source}" has ${groupCount} capture group(s)` };
    }
    if (name !== undefined && !names.includes(name)) {
      return { error: `rewrite replacement uses ${whole} but the regex "${source}" has no group named "${name}"` };
    }
  }
  return undefined;
}

function parseIpv6Literal(lower: string): string | PatternError | undefined {
  if (lower.startsWith('[')) {
    const end = lower.indexOf(']');
    if (end < 0) return { error: `host "${lower}" has "[" without "]"` };
    if (end !== lower.length - 1) return { error: `host "${lower}" must not include a port: hosts are matched without it` };
    const inner = lower.slice(1, end);
    return isIP(inner) === 6 ? inner : { error: `host "${lower}" is not a valid IPv6 address` };
  }
  return isIP(lower) === 6 ? lower : undefined;
}

function stripTrailingDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}
