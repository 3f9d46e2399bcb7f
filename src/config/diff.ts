/**
 * What a reload changes: per section, the names of entries added, removed and changed (`servers.main`),
 * and for the single-object sections (`basic`, `observability`) the names of the fields that differ.
 * Only names: values never appear (they may hold secrets from `${VAR}`). Feeds the `diff_config` event.
 */
import type { Config } from './schema.ts';

export interface SectionDiff {
  readonly section: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

export interface ConfigDiff {
  /** Sections with at least one difference, in schema order. */
  readonly sections: readonly SectionDiff[];
}

/** Stable JSON: object keys sorted, so the order keys were written in does not count as a change. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function diffMaps(section: string, before: Record<string, unknown>, after: Record<string, unknown>): SectionDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const name of Object.keys(after)) {
    if (!Object.hasOwn(before, name)) added.push(name);
    else if (canonical(before[name]) !== canonical(after[name])) changed.push(name);
  }
  for (const name of Object.keys(before)) if (!Object.hasOwn(after, name)) removed.push(name);
  return { section, added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};

/** Sections in the order the configs list them; a single-object section's fields count as its names. */
export function diffConfig(before: Config, after: Config): ConfigDiff {
  const sections: SectionDiff[] = [];
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const section of names) {
    const a = asRecord((before as Record<string, unknown>)[section]);
    const b = asRecord((after as Record<string, unknown>)[section]);
    const diff = diffMaps(section, a, b);
    if (diff.added.length + diff.removed.length + diff.changed.length > 0) sections.push(diff);
  }
  return { sections };
}

/** One line per section: `locations +r3 -r1 ~v; basic ~workers`. */
export function formatConfigDiff(diff: ConfigDiff): string {
  if (diff.sections.length === 0) return 'no change';
  return diff.sections
    .map((s) => {
      const parts = [...s.added.map((n) => `+${n}`), ...s.removed.map((n) => `-${n}`), ...s.changed.map((n) => `~${n}`)];
      return `${s.section} ${parts.join(' ')}`;
    })
    .join('; ');
}
