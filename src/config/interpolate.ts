/**
 * `${VAR}` and `${VAR:-default}` in config strings (shell semantics: the default applies when VAR is unset
 * or empty); `$${` is a literal `${`. Substituted values are returned so callers can keep them out of
 * every message: they are often secrets.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface InterpolationResult {
  readonly value: string;
  /** Values taken from the environment (not defaults), to redact from messages. */
  readonly substituted: readonly string[];
  /** Problems (names only, never values): unset variables, malformed references. */
  readonly errors: readonly string[];
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function hasInterpolation(text: string): boolean {
  return text.includes('${');
}

export function interpolate(text: string, env: Env): InterpolationResult {
  if (!text.includes('${')) return { value: text, substituted: [], errors: [] };
  const substituted: string[] = [];
  const errors: string[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('$', i);
    if (start < 0) break;
    out += text.slice(i, start);
    if (text.startsWith('$${', start)) {
      out += '${';
      i = start + 3;
      continue;
    }
    if (!text.startsWith('${', start)) {
      out += '$';
      i = start + 1;
      continue;
    }
    const end = text.indexOf('}', start + 2);
    if (end < 0) {
      errors.push('unterminated "${" (write "$${" for a literal "${")');
      out += text.slice(start);
      i = text.length;
      break;
    }
    const body = text.slice(start + 2, end);
    const sepAt = body.indexOf(':-');
    const name = sepAt < 0 ? body : body.slice(0, sepAt);
    const fallback = sepAt < 0 ? undefined : body.slice(sepAt + 2);
    i = end + 1;
    if (!NAME_RE.test(name)) {
      errors.push(`invalid environment variable name "${name}" in "\${${body}}"`);
      continue;
    }
    const value = env[name];
    if (value !== undefined && (value !== '' || fallback === undefined)) {
      out += value;
      if (value !== '') substituted.push(value);
    } else if (fallback !== undefined) {
      out += fallback;
    } else {
      errors.push(`environment variable ${name} is not set`);
    }
  }
  out += text.slice(i);
  return { value: out, substituted, errors };
}
