/**
 * `louailink --install`: writes the systemd unit (templates/louailink.service) and a default config
 * directory (`/etc/louailink`, or `-c DIR`). An existing config is kept: the bundled example (config/) is
 * copied only into a directory without YAML files. `--prefix ROOT` writes everything under ROOT (the unit
 * still names the real paths), `--dry-run` prints what would be written. TimeoutStopSec is the config's
 * `basic.drain_timeout` plus a margin, so systemd never kills a draining worker. install/README.md.
 */
import { copyFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../config/load.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TEMPLATE = join(ROOT, 'templates/louailink.service');
const BUNDLED_CONFIG = join(ROOT, 'config');

export const DEFAULT_CONFIG_DIR = '/etc/louailink';
export const UNIT_PATH = '/etc/systemd/system/louailink.service';
export const PID_FILE = '/run/louailink/louailink.pid';
export const LOG_FILE = '/var/log/louailink/louailink.log';
/** `basic.drain_timeout` when no config can be read. */
const DEFAULT_DRAIN_MS = 5 * 60_000;
/** TimeoutStopSec above the drain: the master SIGKILLs late workers 2 s after it, then exits. */
const STOP_MARGIN_SEC = 30;

export interface InstallRun {
  /** Root all files are written under (`--prefix`); `/` by default. */
  readonly prefix?: string | undefined;
  /** `-c DIR`: the config directory the service uses (default /etc/louailink). */
  readonly configDir?: string | undefined;
  readonly isDryRun: boolean;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const isYaml = (name: string): boolean => /\.ya?ml$/.test(name) && !name.startsWith('.');

async function yamlFilesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter(isYaml).sort();
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
}

/** A path as one systemd command-line word. */
const quoted = (path: string): string => (/[\s"\\]/.test(path) ? JSON.stringify(path) : path);

/** The unit file text for these real paths. */
export function renderUnit(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}

async function drainMsOf(configDir: string): Promise<number> {
  const result = await loadConfig(configDir);
  return result.ok ? result.loaded.config.basic.drain_timeout : DEFAULT_DRAIN_MS;
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, text, { mode });
  await rename(temporary, path);
}

/** 0 when done, 1 with the reason (for example EACCES without root) on stderr. */
export async function runInstall(run: InstallRun): Promise<number> {
  try {
    return await install(run);
  } catch (err) {
    const code = (err as { code?: string }).code;
    run.stderr(`install failed: ${(err as Error).message}${code === 'EACCES' ? ' (run as root, or use --prefix DIR)' : ''}\n`);
    return 1;
  }
}

async function install(run: InstallRun): Promise<number> {
  const root = resolve(run.prefix ?? '/');
  const configDir = resolve(run.configDir ?? DEFAULT_CONFIG_DIR);
  const targetConfigDir = join(root, configDir);
  const unitPath = join(root, UNIT_PATH);
  const existing = await yamlFilesIn(targetConfigDir);
  const toCopy = existing.length > 0 ? [] : await yamlFilesIn(BUNDLED_CONFIG);
  const drainMs = await drainMsOf(existing.length > 0 ? targetConfigDir : BUNDLED_CONFIG);
  const drainSec = Math.ceil(drainMs / 1000);
  const unit = renderUnit(await readFile(TEMPLATE, 'utf8'), {
    NODE: quoted(process.execPath),
    BIN: quoted(join(ROOT, 'bin/louailink')),
    CONFIG_DIR: quoted(configDir),
    PID_FILE,
    LOG_FILE,
    DOCS: join(ROOT, 'install/README.md'),
    DRAIN_SEC: String(drainSec),
    TIMEOUT_STOP_SEC: String(drainSec + STOP_MARGIN_SEC),
  });
  const verb = run.isDryRun ? 'would write' : 'wrote';
  if (run.isDryRun) run.stdout(`${verb} ${unitPath}:\n${unit}\n`);
  else await writeAtomically(unitPath, unit, 0o644);
  if (!run.isDryRun) run.stdout(`${verb} ${unitPath}\n`);
  if (existing.length > 0) {
    run.stdout(`kept the existing config in ${targetConfigDir} (${existing.join(', ')})\n`);
  } else {
    if (!run.isDryRun) await mkdir(targetConfigDir, { recursive: true, mode: 0o750 });
    for (const name of toCopy) {
      if (!run.isDryRun) await copyFile(join(BUNDLED_CONFIG, name), join(targetConfigDir, name));
      run.stdout(`${run.isDryRun ? 'would copy' : 'copied'} ${join(BUNDLED_CONFIG, name)} to ${join(targetConfigDir, name)}\n`);
    }
  }
  if (!run.isDryRun && run.prefix === undefined) {
    run.stdout('next: systemctl daemon-reload && systemctl enable --now louailink\n');
  }
  return 0;
}
