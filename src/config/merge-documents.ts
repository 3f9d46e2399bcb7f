/**
 * Merges the files of a config directory into one document. Map sections (`servers`, `locations`, …) merge
 * by entry name; an entry defined in two files is an issue naming both places. Whole sections (`basic`,
 * anything unknown, a section that is not a map) may appear in one file only.
 */
import type { ConfigIssue, SourcePosition } from './config-issue.ts';
import { PositionIndex } from './position-index.ts';
import type { ParsedFile } from './yaml-source.ts';

const MAP_SECTIONS: ReadonlySet<string> = new Set([
  'servers',
  'locations',
  'upstreams',
  'certificates',
  'plugins',
  'providers',
  'models',
  'notifications',
]);

export interface MergedDocument {
  readonly value: Record<string, unknown>;
  readonly positions: PositionIndex;
  readonly issues: readonly ConfigIssue[];
}

export function mergeDocuments(files: readonly ParsedFile[], root: SourcePosition): MergedDocument {
  const value: Record<string, unknown> = {};
  const positions = new PositionIndex(root);
  const issues: ConfigIssue[] = [];
  /** Where each accepted section (whole) or section entry was defined, by "section" / "section\0name". */
  const owners = new Map<string, SourcePosition>();

  for (const file of files) {
    if (file.isBroken || file.value === null || file.value === undefined) continue;
    if (!isPlainObject(file.value)) {
      issues.push({ ...file.positions.locate([]), path: '', message: 'a config file must be a map of sections' });
      continue;
    }
    const rejected = new Set<string>();
    for (const [section, sectionValue] of Object.entries(file.value)) {
      const target = value[section];
      if (MAP_SECTIONS.has(section) && isPlainObject(sectionValue) && (target === undefined || isPlainObject(target))) {
        const merged: Record<string, unknown> = target ?? {};
        if (!owners.has(section)) owners.set(section, file.positions.locate([section], 'key'));
        for (const [name, entry] of Object.entries(sectionValue)) {
          const id = `${section}\0${name}`;
          const here = file.positions.locate([section, name], 'key');
          const first = owners.get(id);
          if (first !== undefined) {
            issues.push({ ...here, path: `${section}.${name}`, message: `${section}.${name} is defined in ${where(first)} and ${where(here)}` });
            rejected.add(id);
            continue;
          }
          owners.set(id, here);
          Object.defineProperty(merged, name, { value: entry, enumerable: true, writable: true, configurable: true });
        }
        if (target === undefined) {
          Object.defineProperty(value, section, { value: merged, enumerable: true, writable: true, configurable: true });
        }
        continue;
      }
      const here = file.positions.locate([section], 'key');
      const first = owners.get(section);
      if (first !== undefined || target !== undefined) {
        const firstText = first === undefined ? 'another file' : where(first);
        issues.push({ ...here, path: section, message: `${section} is defined in ${firstText} and ${where(here)}` });
        rejected.add(section);
        continue;
      }
      owners.set(section, here);
      Object.defineProperty(value, section, { value: sectionValue, enumerable: true, writable: true, configurable: true });
    }
    for (const entry of file.positions.entries()) {
      const [section, name] = entry.path;
      if (section !== undefined && rejected.has(String(section))) continue;
      if (section !== undefined && name !== undefined && rejected.has(`${section}\0${name}`)) continue;
      positions.add(entry);
    }
  }
  return { value, positions, issues };
}

function where(position: SourcePosition): string {
  return `${position.file}:${position.line}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
