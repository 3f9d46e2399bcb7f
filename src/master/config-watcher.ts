/**
 * `-a`: watches the config file or directory and asks for a reload when a YAML file changes. Editors save
 * in bursts (temporary file, rename, chmod), so events are debounced; the reload itself skips a config
 * whose content hash did not change, so a save without changes does nothing.
 */
import { watch } from 'chokidar';
import type { Stats } from 'node:fs';
import { basename } from 'node:path';

export interface ConfigWatcher {
  /** Resolves once the initial scan is done: changes from then on are seen. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export const WATCH_DEBOUNCE_MS = 300;

/** Only YAML files count (not the pid file, the control socket or an editor's dot-files). */
function ignoredUnder(root: string): (path: string, stats?: Stats) => boolean {
  return (path, stats) => {
    if (path === root) return false;
    if (basename(path).startsWith('.')) return true;
    return stats?.isFile() === true && !/\.ya?ml$/i.test(path);
  };
}

export function watchConfig(path: string, onChange: (file: string) => void, debounceMs = WATCH_DEBOUNCE_MS): ConfigWatcher {
  let timer: NodeJS.Timeout | undefined;
  let lastFile = path;
  const watcher = watch(path, { ignoreInitial: true, ignored: ignoredUnder(path) });
  watcher.on('all', (_event, file) => {
    lastFile = file;
    clearTimeout(timer);
    timer = setTimeout(() => onChange(lastFile), debounceMs);
  });
  watcher.on('error', () => undefined);
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
