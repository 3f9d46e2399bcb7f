import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ConfigDir {
  readonly path: string;
  /** Replaces louailink.yaml atomically (write + rename), like an editor or a deploy tool would. */
  write(yaml: string): Promise<void>;
  remove(): Promise<void>;
}

export async function createConfigDir(): Promise<ConfigDir> {
  const path = await mkdtemp(join(tmpdir(), 'louai-test-e2e-'));
  return {
    path,
    async write(yaml) {
      const temporary = join(path, '.louailink.yaml.tmp');
      await writeFile(temporary, yaml);
      await rename(temporary, join(path, 'louailink.yaml'));
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
