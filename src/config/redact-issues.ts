/**
 * Keeps values that came from `${VAR}` out of issue messages (they are often secrets). An issue about an
 * interpolated value shows the text as written (`"${ADDR}"`); a quoted fragment of that value
 * (`bad host "…"`) becomes `"***"`; any environment value left anywhere else becomes `***`.
 */
import type { ConfigIssue } from './config-issue.ts';

export interface InterpolatedValue {
  /** Dotted path of the scalar. */
  readonly path: string;
  readonly value: string;
  /** The scalar as written, e.g. `Bearer ${TOKEN}`. */
  readonly source: string;
}

/** Shorter values are only redacted where the issue is about them: elsewhere they would garble the text. */
const MIN_GLOBAL_LENGTH = 3;
const QUOTED_RE = /"([^"]*)"/g;

export function redactIssues(
  issues: readonly ConfigIssue[],
  interpolated: readonly InterpolatedValue[],
  secrets: readonly string[],
): ConfigIssue[] {
  if (interpolated.length === 0 && secrets.length === 0) return [...issues];
  const byLength = [...interpolated].sort((a, b) => b.value.length - a.value.length);
  const global = byLength.filter((entry) => entry.value.length >= MIN_GLOBAL_LENGTH);
  const longSecrets = [...new Set(secrets)].filter((s) => s.length >= MIN_GLOBAL_LENGTH).sort((a, b) => b.length - a.length);
  return issues.map((issue) => {
    let message = issue.message;
    for (const entry of byLength) {
      if (!isRelated(entry.path, issue.path)) continue;
      if (entry.value.length > 0) message = message.split(entry.value).join(entry.source);
      message = message.replace(QUOTED_RE, (quoted, inner: string) =>
        inner !== '' && entry.value.includes(inner) && !entry.source.includes(inner) ? '"***"' : quoted,
      );
    }
    for (const entry of global) message = message.split(entry.value).join(entry.source);
    for (const secret of longSecrets) message = message.split(secret).join('***');
    return message === issue.message ? issue : { ...issue, message };
  });
}

/** Same path, or one inside the other (an issue on `servers.main.listen.0` about the scalar `servers.main.listen`). */
function isRelated(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`) || a === '' || b === '';
}
