/**
 * The config file the management API owns: `managed-consumers.yaml` in the config directory, read by the
 * loader like any other file of the directory. Written atomically (a dot-named temporary file, which the
 * loader and the `-a` watcher skip, fsynced, then renamed over the file), so a reader sees the old or the
 * new content, never a part, also after a crash. Comments are not kept: the file is the API's.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ManagedDocument } from './consumer-ops.ts';

export const MANAGED_FILE_NAME = 'managed-consumers.yaml';

const HEADER = `# Written by the louailink management API (docs/admin-api.md). Change it through the API: a hand edit
# is read like any config file (after a reload) but its comments are not kept.
`;

export type ManagedFileState =
  /** `text` null: the file does not exist yet. */
  | { readonly ok: true; readonly text: string | null; readonly doc: ManagedDocument }
  | { readonly ok: false; readonly message: string };

export async function readManagedFile(path: string): Promise<ManagedFileState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, text: null, doc: {} };
    return { ok: false, message: `cannot read ${basename(path)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    return { ok: false, message: `${basename(path)} is not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}` };
  }
  if (value === null || value === undefined) return { ok: true, text, doc: {} };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: `${basename(path)} must be a map of sections` };
  return { ok: true, text, doc: value as ManagedDocument };
}

export function serializeManagedDocument(doc: ManagedDocument): string {
  return HEADER + stringify(doc, { lineWidth: 0 });
}

/** Replaces `path` with `text` (null: removes it) atomically. */
export async function writeManagedFile(path: string, text: string | null): Promise<void> {
  if (text === null) {
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    return;
  }
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, path);
  } catch (err) {
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
  // The rename itself is durable only once the directory is synced.
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
