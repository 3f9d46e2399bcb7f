import { formatIssue } from '../config/config-issue.ts';
import { loadConfig } from '../config/load.ts';
import type { Env } from '../config/interpolate.ts';
import type { CliIo } from './cli-io.ts';

/**
 * `louailink -c PATH -t`: loads and validates only — nothing is bound or started. Every issue goes to
 * stderr, one per line; returns the exit code (0 valid, 1 invalid).
 */
export async function testConfig(path: string, io: CliIo, env?: Env): Promise<number> {
  const result = await loadConfig(path, env === undefined ? {} : { env });
  if (!result.ok) {
    for (const issue of result.issues) io.stderr(`${formatIssue(issue)}\n`);
    const count = result.issues.length;
    io.stderr(`configuration ${path} is invalid (${count} ${count === 1 ? 'issue' : 'issues'})\n`);
    return 1;
  }
  const { files, hash } = result.loaded;
  io.stdout(`configuration ${path} is valid (${files.length} ${files.length === 1 ? 'file' : 'files'}, ${hash.slice(0, 12)})\n`);
  return 0;
}
