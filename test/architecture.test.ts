/**
 * The folder tree is the architecture: these are the allowed imports between top-level folders of src/
 * (docs/architecture.md §Folder layout). A violation names the file and the import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/** folder → the src folders it may import from (its own folder is always allowed). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  lib: ['core'],
  config: ['core', 'lib'],
  ai: ['core', 'lib', 'config'],
  observability: ['core', 'lib', 'config'],
  proxy: ['core', 'lib', 'config', 'ai'],
  limits: ['core', 'lib', 'config'],
  plugins: ['core', 'lib', 'config', 'ai', 'proxy', 'limits'],
  acme: ['core', 'lib', 'config'],
  notify: ['core', 'lib', 'config'],
  admin: ['core', 'lib', 'config', 'observability'],
  master: ['core', 'lib', 'config', 'observability', 'acme', 'limits', 'notify', 'admin'],
  worker: ['core', 'lib', 'config', 'ai', 'proxy', 'plugins', 'limits', 'observability', 'admin', 'acme'],
  cli: ['core', 'lib', 'config', 'master', 'worker'],
};

function listTsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return listTsFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function violations(): string[] {
  const found: string[] = [];
  for (const file of listTsFiles(SRC)) {
    const folder = relative(SRC, file).split('/')[0] ?? '';
    const allowed = ALLOWED[folder];
    if (allowed === undefined) {
      found.push(`${relative(SRC, file)}: folder "${folder}" has no import rule`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT_RE)) {
      const spec = match[1] ?? match[2] ?? '';
      if (folder === 'core' && !spec.startsWith('.') && !spec.startsWith('node:')) {
        found.push(`${relative(SRC, file)} imports "${spec}": core imports only node:* and itself`);
      }
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(file), spec)).split('/')[0] ?? '';
      if (target !== folder && !allowed.includes(target)) {
        found.push(`${relative(SRC, file)} imports "${spec}": ${folder} may not import ${target}`);
      }
    }
  }
  return found;
}

describe('architecture', () => {
  it('keeps imports between src folders within the documented layering', () => {
    expect(violations()).toEqual([]);
  });

  it('never imports provider SDKs at runtime (they are type-only dev dependencies)', () => {
    const offenders = listTsFiles(SRC).filter((file) =>
      /^\s*import\s+(?!type\b)[^;]*from\s+['"](openai|@anthropic-ai\/sdk)/m.test(readFileSync(file, 'utf8')));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });
});
