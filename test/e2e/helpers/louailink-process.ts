/**
 * Spawns the real `bin/louailink` for end-to-end tests, collects its JSON log lines, and signals it by PID
 * (never by name: other instances may run on the same host). `stopAll` SIGKILLs whatever is still running;
 * call it in `afterAll` (workers exit on their own when the master's IPC channel closes).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../../bin/louailink');

export interface LogLine {
  readonly level?: number;
  readonly msg?: string;
  readonly event?: string;
  readonly generation?: number;
  readonly pid?: number;
  readonly [key: string]: unknown;
}

export interface LouailinkProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  /** stdout lines that are not JSON and all of stderr. */
  readonly text: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the first log line (already seen or future) matching `predicate`. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

const running = new Set<ChildProcess>();

export function startLouailink(args: readonly string[], env: NodeJS.ProcessEnv = {}): LouailinkProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const logs: LogLine[] = [];
  const text: string[] = [];
  const waiters = new Set<{ predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  const onLine = (line: string): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      text.push(line);
      return;
    }
    const entry = parsed as LogLine;
    logs.push(entry);
    for (const waiter of waiters) {
      if (!waiter.predicate(entry)) continue;
      waiters.delete(waiter);
      waiter.resolve(entry);
    }
  };
  const splitLines = (stream: NodeJS.ReadableStream, sink: (line: string) => void): void => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line !== '') sink(line);
    });
  };
  if (child.stdout !== null) splitLines(child.stdout, onLine);
  if (child.stderr !== null) splitLines(child.stderr, (line) => text.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      done({ code, signal });
    });
  });
  return {
    pid: child.pid ?? -1,
    child,
    logs,
    text,
    exited,
    signal: (signal) => {
      child.kill(signal);
    },
    waitForLog: (predicate, timeoutMs = 45_000) => {
      const seen = logs.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching log line within ${timeoutMs} ms; last lines:\n${[...logs.slice(-8).map((l) => JSON.stringify(l)), ...text.slice(-8)].join('\n')}`));
        }, timeoutMs);
        const waiter = {
          predicate,
          resolve: (line: LogLine) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.add(waiter);
      });
    },
  };
}

/** SIGKILLs every process started by `startLouailink` that is still running. */
export async function stopAll(): Promise<void> {
  const children = [...running];
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(children.map((child) => new Promise((done) => (child.exitCode !== null || child.signalCode !== null ? done(undefined) : child.once('exit', done)))));
}

export interface BinResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the binary to completion (`-t`, `-s`, `-d`, `-u`), with a timeout generous enough for a loaded CI
 * machine; a launcher that outlives it is killed and reported with code null.
 */
export function runBin(args: readonly string[], timeoutMs = 90_000): Promise<BinResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Pids of the live child processes of `pid` (the workers of a master), from /proc. */
export async function childPids(pid: number): Promise<number[]> {
  const { readFile } = await import('node:fs/promises');
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Running and not a zombie (an exited master re-parented to an init that does not reap stays one). */
export async function isAlive(pid: number): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return false;
  }
}

/** SIGTERM (graceful stop) to a louailink still running, then waits up to `waitMs` for it to exit. */
export async function stopGracefully(gateway: LouailinkProcess | undefined, waitMs = 5_000): Promise<void> {
  if (gateway === undefined || gateway.child.exitCode !== null) return;
  gateway.signal('SIGTERM');
  await Promise.race([gateway.exited, new Promise((resolve) => setTimeout(resolve, waitMs))]);
}
