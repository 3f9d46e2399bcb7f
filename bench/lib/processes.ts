/**
 * Processes of a benchmark run. Each one is spawned detached, which makes it the leader of its own process
 * group (setsid), so it is stopped as a group by PID and its CPU/RSS are summed over the group. The list of
 * live groups is mirrored to `<work>/pgids` so bench/run.sh can stop them even if this driver dies.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Map<number, ChildProcess>();
let pgidFile = '';

function syncPgidFile(): void {
  if (pgidFile !== '') writeFileSync(pgidFile, [...live.keys()].map((pid) => `${pid}\n`).join(''));
}

export function setPgidFile(path: string): void {
  pgidFile = path;
  syncPgidFile();
}

export interface GroupProcess {
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the group leader has exited. */
  exited: Promise<number | string>;
}

export interface SpawnOptions {
  /** CPU list for taskset, e.g. "1". */
  cpus?: string;
  /** File that receives stdout and stderr; 'pipe' keeps stdout readable through `child.stdout`. */
  output: string | 'pipe';
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: 'pipe' | 'ignore';
}

export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions): GroupProcess {
  const argv = options.cpus === undefined ? [command, ...args] : ['taskset', '-c', options.cpus, command, ...args];
  const out = options.output === 'pipe' ? 'pipe' : openSync(options.output, 'a');
  const child = spawn(argv[0] ?? command, argv.slice(1), {
    detached: true,
    stdio: [options.stdin ?? 'ignore', out, options.output === 'pipe' ? 'inherit' : out],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  live.set(pid, child);
  syncPgidFile();
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      // The leader is gone; stopGroup still signals the group in case a worker outlives it.
      live.delete(pid);
      syncPgidFile();
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return { pid, child, exited };
}

/** Stops a process group: SIGTERM, then SIGKILL after `graceMs`. Bounded in time. */
export async function stopGroup(proc: GroupProcess, graceMs = 2000): Promise<void> {
  signalGroup(proc.pid, 'SIGTERM');
  const done = await Promise.race([proc.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    signalGroup(proc.pid, 'SIGKILL');
    await Promise.race([proc.exited, sleep(1000)]);
  }
  // Workers of the group (nginx worker, cluster workers) may outlive the leader by a moment.
  signalGroup(proc.pid, 'SIGKILL');
  live.delete(proc.pid);
  syncPgidFile();
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // group already gone
  }
}

/** Synchronous last-resort cleanup for exit paths (signal handlers, uncaught errors). */
export function killAllGroups(): void {
  for (const pgid of live.keys()) signalGroup(pgid, 'SIGKILL');
  live.clear();
  syncPgidFile();
}

export function liveGroupIds(): number[] {
  return [...live.keys()];
}

/** A free TCP port on 127.0.0.1 (bound to 0 and released; fine for a single-user benchmark). */
export async function findFreePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
