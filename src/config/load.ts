/**
 * Loads the configuration from one YAML file or a directory of them (recursive, sorted by path, dot-entries
 * skipped), merges, interpolates `${VAR}`, validates, and reports every issue with its file:line:col.
 * Interpolated values never appear in an issue: they are replaced by the text as written. Provider keys
 * written as `enc:v1:…` are decrypted last (decrypt-provider-keys.ts), so the config returned holds clear keys.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { compareIssues, displayFile, formatPath } from './config-issue.ts';
import type { ConfigIssue } from './config-issue.ts';
import { decryptProviderKeys } from './decrypt-provider-keys.ts';
import { hashConfigDocument } from './hash.ts';
import type { Env } from './interpolate.ts';
import { mergeDocuments } from './merge-documents.ts';
import { redactIssues } from './redact-issues.ts';
import type { Config } from './schema.ts';
import { validateDocument } from './validate.ts';
import { parseYamlFile } from './yaml-source.ts';
import type { ParsedFile } from './yaml-source.ts';

export interface LoadedConfig {
  readonly config: Config;
  /** Absolute path of the file or directory given with -c. */
  readonly configPath: string;
  /** Directory that relative paths in the config (certificate, CA files) resolve against. */
  readonly configDir: string;
  /** Absolute paths of the files read, in merge order. */
  readonly files: readonly string[];
  /** sha256 hex of the merged document after interpolation; equal hashes mean a reload changes nothing. */
  readonly hash: string;
}

export type LoadResult = { readonly ok: true; readonly loaded: LoadedConfig } | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

export interface LoadOptions {
  /** Variables for `${VAR}` (default: process.env). */
  readonly env?: Env;
}

export async function loadConfig(path: string, options: LoadOptions = {}): Promise<LoadResult> {
  const env = options.env ?? process.env;
  const configPath = resolve(path);
  const listed = await listConfigFiles(configPath);
  if (!listed.ok) return { ok: false, issues: [listed.issue] };
  const { files, configDir } = listed;

  const parsed: ParsedFile[] = [];
  const issues: ConfigIssue[] = [];
  for (const file of files) {
    const name = displayFile(file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      issues.push({ file: name, line: 1, col: 1, path: '', message: `cannot read file: ${errorCode(err)}` });
      continue;
    }
    const result = parseYamlFile(name, text, env);
    parsed.push(result);
    issues.push(...result.issues);
  }
  const merged = mergeDocuments(parsed, { file: displayFile(files[0] ?? configPath), line: 1, col: 1 });
  issues.push(...merged.issues);

  if (parsed.length === files.length && parsed.every((file) => !file.isBroken)) {
    const validation = validateDocument(merged.value);
    if (!validation.ok) {
      const unresolved = new Set(parsed.flatMap((file) => [...file.unresolved]));
      for (const problem of validation.problems) {
        if (problem.path.some((_, i) => unresolved.has(formatPath(problem.path.slice(0, i + 1))))) continue;
        issues.push({ ...merged.positions.locate(problem.path, problem.at), path: formatPath(problem.path), message: problem.message });
      }
    } else if (issues.length === 0) {
      // `enc:v1:` provider keys: a key that does not decrypt is an issue at its own file:line.
      const decrypted = decryptProviderKeys(validation.config, env);
      for (const problem of decrypted.problems) {
        issues.push({ ...merged.positions.locate(problem.path, problem.at), path: formatPath(problem.path), message: problem.message });
      }
      if (issues.length === 0) {
        const loaded: LoadedConfig = { config: decrypted.config, configPath, configDir, files, hash: hashConfigDocument(merged.value) };
        return { ok: true, loaded };
      }
    }
  }
  const interpolated = parsed.flatMap((file) => file.interpolated);
  const secrets = parsed.flatMap((file) => file.secrets);
  return { ok: false, issues: redactIssues(issues, interpolated, secrets).sort(compareIssues) };
}

type Listing = { ok: true; files: string[]; configDir: string } | { ok: false; issue: ConfigIssue };

async function listConfigFiles(configPath: string): Promise<Listing> {
  const shown = displayFile(configPath);
  const fail = (message: string): Listing => ({ ok: false, issue: { file: shown, line: 1, col: 1, path: '', message } });
  try {
    const info = await stat(configPath);
    if (!info.isDirectory()) return { ok: true, files: [configPath], configDir: dirname(configPath) };
    const files = (await findYamlFiles(configPath)).sort();
    if (files.length === 0) return fail('no *.yaml or *.yml files in this directory');
    return { ok: true, files, configDir: configPath };
  } catch (err) {
    return fail(`cannot read configuration: ${errorCode(err)}`);
  }
}

async function findYamlFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await findYamlFiles(full)));
    else if (/\.ya?ml$/i.test(entry.name) && (entry.isFile() || entry.isSymbolicLink())) found.push(full);
  }
  return found;
}

function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return code ?? String(err);
}
