/**
 * Location path rewrite ("<regex> <replacement>", see docs/routing.md): applied to the path only, the query
 * string is re-attached untouched. The regex is compiled once per config.
 */
import { isPatternError, parseRewrite } from '../config/patterns.ts';

/** Rewrites the path part of "/path?query"; returns the input unchanged when the regex does not match. */
export type PathRewriter = (pathWithQuery: string) => string;

/** Null when no rewrite is configured, so the hot path skips it with one check. Throws on an invalid rule. */
export function compileRewrite(text: string | undefined): PathRewriter | null {
  if (text === undefined) return null;
  const rule = parseRewrite(text);
  if (isPatternError(rule)) throw new Error(rule.error);
  const { regex, replacement } = rule;
  return (pathWithQuery) => {
    const queryStart = pathWithQuery.indexOf('?');
    const path = queryStart < 0 ? pathWithQuery : pathWithQuery.slice(0, queryStart);
    if (!regex.test(path)) return pathWithQuery;
    const rewritten = ensureLeadingSlash(path.replace(regex, replacement));
    return queryStart < 0 ? rewritten : rewritten + pathWithQuery.slice(queryStart);
  };
}

/** A request target must be origin-form: "^/api$ " style rules that empty the path yield "/". */
function ensureLeadingSlash(path: string): string {
  return path.charCodeAt(0) === 0x2f /* / */ ? path : `/${path}`;
}
