/**
 * Reads one YAML config file into a plain value plus the position of every key and value, interpolating
 * `${VAR}` in string scalars on the way. Syntax errors come back as issues with file:line:col; duplicate
 * keys are detected here (not by the parser) so the issue can name the path and both lines.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { ConfigIssue, ConfigPath, SourcePosition } from './config-issue.ts';
import { formatPath } from './config-issue.ts';
import { interpolate } from './interpolate.ts';
import type { Env } from './interpolate.ts';
import type { InterpolatedValue } from './redact-issues.ts';
import { PositionIndex } from './position-index.ts';

export interface ParsedFile {
  /** Display name (relative to the cwd when under it). */
  readonly file: string;
  readonly value: unknown;
  readonly positions: PositionIndex;
  readonly issues: readonly ConfigIssue[];
  /** True when the file could not be parsed: its value must not be validated. */
  readonly isBroken: boolean;
  /** Interpolated scalars: `value` must never be shown, `source` (the text as written) may. */
  readonly interpolated: readonly InterpolatedValue[];
  /** Dotted paths whose interpolation failed: later problems at these paths are consequences, not news. */
  readonly unresolved: ReadonlySet<string>;
  /** Values taken from the environment. */
  readonly secrets: readonly string[];
}

const MAX_DEPTH = 64;

export function parseYamlFile(file: string, text: string, env: Env): ParsedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number | undefined): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { file, line, col };
  };
  const positions = new PositionIndex(at(0));
  const issues: ConfigIssue[] = [];
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      issues.push({ ...at(error.pos[0]), path: '', message: `YAML syntax: ${error.message}` });
    }
    return { file, value: undefined, positions, issues, isBroken: true, interpolated: [], unresolved: new Set(), secrets: [] };
  }
  const walker = new Walker(doc, env, at, positions, issues);
  const value = doc.contents === null ? null : walker.walk(doc.contents, [], undefined, 0);
  return {
    file,
    value,
    positions,
    issues,
    isBroken: false,
    interpolated: walker.interpolated,
    unresolved: walker.unresolved,
    secrets: walker.secrets,
  };
}

class Walker {
  readonly interpolated: InterpolatedValue[] = [];
  readonly unresolved = new Set<string>();
  readonly secrets: string[] = [];
  readonly #doc: Document;
  readonly #env: Env;
  readonly #at: (offset: number | undefined) => SourcePosition;
  readonly #positions: PositionIndex;
  readonly #issues: ConfigIssue[];

  constructor(
    doc: Document,
    env: Env,
    at: (offset: number | undefined) => SourcePosition,
    positions: PositionIndex,
    issues: ConfigIssue[],
  ) {
    this.#doc = doc;
    this.#env = env;
    this.#at = at;
    this.#positions = positions;
    this.#issues = issues;
  }

  walk(node: unknown, path: ConfigPath, key: SourcePosition | undefined, depth: number): unknown {
    if (node === null || node === undefined) return null;
    const here = this.#at(rangeStart(node));
    if (depth > MAX_DEPTH) {
      this.#issue(here, path, `nesting deeper than ${MAX_DEPTH} levels`);
      return null;
    }
    if (isAlias(node)) {
      const target = node.resolve(this.#doc);
      if (target === undefined) {
        this.#issue(here, path, `unknown YAML alias "*${node.source}"`);
        return null;
      }
      this.#positions.add({ path, value: here, key, isCollection: isMap(target) || isSeq(target) });
      return this.walk(target, path, key, depth + 1);
    }
    if (isScalar(node)) {
      this.#positions.add({ path, value: here, key, isCollection: false });
      return typeof node.value === 'string' ? this.#interpolate(node.value, here, path) : node.value;
    }
    if (isSeq(node)) {
      this.#positions.add({ path, value: here, key, isCollection: true });
      return node.items.map((item, index) => this.walk(item, [...path, index], undefined, depth + 1));
    }
    if (isMap(node)) {
      this.#positions.add({ path, value: here, key, isCollection: true });
      const result: Record<string, unknown> = {};
      const seen = new Map<string, SourcePosition>();
      for (const pair of node.items) {
        const keyPos = this.#at(rangeStart(pair.key));
        if (!isScalar(pair.key) || pair.key.value === null || typeof pair.key.value === 'object') {
          this.#issue(keyPos, path, 'map keys must be plain strings');
          continue;
        }
        const name = String(pair.key.value);
        const previous = seen.get(name);
        if (previous !== undefined) {
          this.#issue(keyPos, [...path, name], `duplicate key "${name}" (first defined at line ${previous.line})`);
          continue;
        }
        seen.set(name, keyPos);
        const childPath = [...path, name];
        const value = pair.value === null ? null : this.walk(pair.value, childPath, keyPos, depth + 1);
        if (pair.value === null) this.#positions.add({ path: childPath, value: keyPos, key: keyPos, isCollection: false });
        // defineProperty: a "__proto__" key is data, never the prototype.
        Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
      }
      return result;
    }
    this.#issue(here, path, 'unsupported YAML node');
    return null;
  }

  #interpolate(text: string, here: SourcePosition, path: ConfigPath): string {
    const result = interpolate(text, this.#env);
    for (const message of result.errors) this.#issue(here, path, message);
    if (result.errors.length > 0) this.unresolved.add(formatPath(path));
    if (result.value !== text) this.interpolated.push({ path: formatPath(path), value: result.value, source: text });
    this.secrets.push(...result.substituted);
    return result.value;
  }

  #issue(position: SourcePosition, path: ConfigPath, message: string): void {
    this.#issues.push({ ...position, path: formatPath(path), message });
  }
}

function rangeStart(node: unknown): number | undefined {
  return (node as Partial<Pick<YamlNode, 'range'>> | null)?.range?.[0];
}
