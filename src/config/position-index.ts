/**
 * Where each value of the merged config document was written. Built while walking the YAML nodes; looked up
 * by the path of a validation problem. A path that was never written (a missing required key, a default)
 * falls back to its nearest written ancestor, so an issue always has a position.
 */
import type { ConfigPath, ConfigProblem, SourcePosition } from './config-issue.ts';

interface PositionEntry {
  readonly path: ConfigPath;
  readonly value: SourcePosition;
  /** The key node of a map entry; undefined for array items and the document root. */
  readonly key: SourcePosition | undefined;
  /** Maps and sequences: issues about the whole entry point at its key line, where the reader looks. */
  readonly isCollection: boolean;
}

export class PositionIndex {
  readonly #entries = new Map<string, PositionEntry>();
  readonly #root: SourcePosition;

  constructor(root: SourcePosition) {
    this.#root = root;
  }

  /** Records a position unless the path already has one (the first definition wins). */
  add(entry: PositionEntry): void {
    const id = pathId(entry.path);
    if (!this.#entries.has(id)) this.#entries.set(id, entry);
  }

  entries(): IterableIterator<PositionEntry> {
    return this.#entries.values();
  }

  get(path: ConfigPath): PositionEntry | undefined {
    return this.#entries.get(pathId(path));
  }

  /**
   * `at` undefined: a scalar's value, or the key line of a map/list entry (an issue about the whole entry);
   * `value` forces the value node (a wrong type), `key` the key node (an unknown key).
   */
  locate(path: ConfigPath, at?: ConfigProblem['at']): SourcePosition {
    const exact = this.get(path);
    if (exact !== undefined) {
      if (exact.key !== undefined && (at === 'key' || (at === undefined && exact.isCollection))) return exact.key;
      return exact.value;
    }
    for (let length = path.length - 1; length > 0; length--) {
      const ancestor = this.get(path.slice(0, length));
      // A missing child of a map points at the map's key line; a scalar the schema turned into a list
      // (`listen: "a:1"` → ["a:1"]) points at the scalar itself.
      if (ancestor !== undefined) return ancestor.isCollection ? (ancestor.key ?? ancestor.value) : ancestor.value;
    }
    return this.#root;
  }
}

function pathId(path: ConfigPath): string {
  return JSON.stringify(path.map(String));
}
