/**
 * Runs the real Claude Code (npm `@anthropic-ai/claude-code`, a devDependency pinned to the version the docs
 * name) headless against a base URL, in a throwaway HOME so it never reads or writes the user's config. The
 * environment is built from scratch: nothing of the caller's ANTHROPIC_* / CLAUDE_* variables leaks in, and
 * non-essential traffic (telemetry, error reports, update checks) is off, so the base URL is the only host
 * it talks to.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The placeholder `bin/claude.exe` that the package's postinstall replaces with the native binary is ~500 bytes. */
const STUB_MAX_BYTES = 4096;

/**
 * The native binary: the platform package's `claude` (what the postinstall links), else the package's
 * `bin/claude.exe` once the postinstall replaced the stub. Throws when neither is installed.
 */
export function claudeCodeBinary(): string {
  const candidates: string[] = [];
  try {
    candidates.push(join(dirname(require.resolve(`@anthropic-ai/claude-code-${process.platform}-${process.arch}/package.json`)), 'claude'));
  } catch {
    // not installed for this platform: try the wrapper package's linked binary
  }
  candidates.push(join(dirname(require.resolve('@anthropic-ai/claude-code/package.json')), 'bin', 'claude.exe'));
  for (const path of candidates) {
    try {
      if (statSync(path).size > STUB_MAX_BYTES) return path;
    } catch {
      // missing: next candidate
    }
  }
  throw new Error(`no Claude Code binary for ${process.platform}-${process.arch} (looked at ${candidates.join(', ')}); run npm ci`);
}

export interface ClaudeCodeRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ClaudeCodeOptions {
  /** ANTHROPIC_BASE_URL: the origin, as the Anthropic SDK takes it (no /v1). */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Working directory of the session (its tools act here). */
  readonly cwd: string;
  /** A fresh directory for HOME, CLAUDE_CONFIG_DIR and TMPDIR (Claude Code keeps task files in $TMPDIR/claude-<uid>). */
  readonly home: string;
  readonly args: readonly string[];
  readonly timeoutMs: number;
  readonly env?: Readonly<Record<string, string>>;
}

/** The variables a headless run against a gateway needs, and nothing from the caller's environment but PATH. */
export function claudeCodeEnv(options: Pick<ClaudeCodeOptions, 'baseUrl' | 'apiKey' | 'home' | 'env'>): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: options.home,
    TMPDIR: join(options.home, 'tmp'),
    CLAUDE_CONFIG_DIR: join(options.home, '.claude'),
    ANTHROPIC_BASE_URL: options.baseUrl,
    ANTHROPIC_API_KEY: options.apiKey,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    ...options.env,
  };
}

export async function makeClaudeHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'louai-test-claude-home-'));
}

/** Runs `claude <args>` to completion; a run that outlives `timeoutMs` is SIGKILLed and reported with code null. */
export async function runClaudeCode(options: ClaudeCodeOptions): Promise<ClaudeCodeRun> {
  await mkdir(join(options.home, 'tmp'), { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(claudeCodeBinary(), options.args, {
      cwd: options.cwd,
      env: claudeCodeEnv(options),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
