/**
 * One config problem, reported as `file:line:col path: message` (positions 1-based, paths dotted with array
 * indexes as `.0`). Validators produce `ConfigProblem`s (a path into the merged document, no position);
 * the loader turns them into `ConfigIssue`s through the position index built while reading the YAML.
 */
import { relative, isAbsolute, sep } from 'node:path';

export type ConfigPath = readonly (string | number)[];

export interface SourcePosition {
  /** File as shown to the user: relative to the cwd when under it. */
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface ConfigIssue extends SourcePosition {
  /** Dotted path such as `locations.api.upstream` (array index `servers.main.listen.0`); "" for file-level issues. */
  readonly path: string;
  readonly message: string;
}

export interface ConfigProblem {
  readonly path: ConfigPath;
  readonly message: string;
  /**
   * `key`: the key node (unknown keys, bad names); `value`: the value node (wrong types); absent: the value,
   * or the key line when the value is a map or list (a problem with the whole entry).
   */
  readonly at?: 'key' | 'value';
}

export function formatPath(path: ConfigPath): string {
  return path.map(String).join('.');
}

export function formatIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/** `file` relative to `cwd` when it lies under it (short and clickable), else unchanged. */
export function displayFile(file: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, file);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return file;
  return rel;
}

export function compareIssues(a: ConfigIssue, b: ConfigIssue): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.col - b.col;
}
