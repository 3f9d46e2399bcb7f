/**
 * Several protocols share each worker's IPC channel (docs/architecture.md, "Master ↔ worker messages"):
 * each receiving guard recognises its messages by `type` alone, so a type name declared by two protocols
 * would be taken by the wrong receiver. Every `readonly type: '…'` literal (messages, and the few other
 * tagged shapes) is declared in one file only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');
function listTsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return listTsFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('IPC message types', () => {
  it('declares every message type in exactly one file', () => {
    const owners = new Map<string, Set<string>>();
    for (const file of listTsFiles(SRC)) {
      const name = relative(SRC, file);
      for (const match of readFileSync(file, 'utf8').matchAll(/readonly type: '([^']+)'/g)) {
        const type = match[1] as string;
        owners.set(type, (owners.get(type) ?? new Set()).add(name));
      }
    }
    expect(owners.get('obs:report')).toEqual(new Set(['observability/observability-messages.ts']));
    expect(owners.get('reopen-logs')).toEqual(new Set(['core/ipc.ts']));
    const shared = [...owners].filter(([, files]) => files.size > 1).map(([type, files]) => `${type}: ${[...files].join(', ')}`);
    expect(shared).toEqual([]);
  });
});
