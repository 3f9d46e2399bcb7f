/**
 * Checks the access-log format (`observability.access_log.format`) with the same parser the workers compile
 * it with (./log-format.ts), so an unknown `$variable` or a mistyped preset is a config issue with its
 * position in `louailink -t` and before every reload, instead of a worker refusing the new generation.
 */
import type { ConfigProblem } from './config-issue.ts';
import { parseLogFormat } from './log-format.ts';

const FORMAT_PATH = ['observability', 'access_log', 'format'] as const;

export function validateLogFormat(document: unknown): ConfigProblem[] {
  const format = field(field(field(document, FORMAT_PATH[0]), FORMAT_PATH[1]), FORMAT_PATH[2]);
  if (typeof format !== 'string') return []; // absent (the default is a preset) or a wrong type (the schema reports it)
  const parsed = parseLogFormat(format);
  return parsed.ok ? [] : parsed.problems.map((message) => ({ path: FORMAT_PATH, at: 'value', message }));
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}
