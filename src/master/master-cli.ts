/**
 * What the command line needs from the master: flag values resolved to options (`--workers`,
 * `--drain-timeout`, `--pid-file`), `-s COMMAND` sent to a running master's control socket, `-d` (start
 * in the background) and `-u` (take over from the running master).
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDurationMs } from '../config/units.ts';
import { sendControlRequest } from './control-client.ts';
import { CONTROL_COMMANDS, isControlCommand } from './control-protocol.ts';
import type { SpawnSpec } from './control-protocol.ts';
import { daemonArgs, startDaemon } from './daemonize.ts';
import { controlSocketPathFor, defaultPidFile, pidFileOf } from './pid-file.ts';
import { loadConfig } from '../config/load.ts';

/**
 * `--workers N`, else `LOUAILINK_WORKERS`; undefined when neither is set (the config's `basic.workers`
 * applies). 0 means "serve in this process".
 */
export function resolveWorkerCount(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number | string | undefined {
  const text = flag ?? env['LOUAILINK_WORKERS'];
  if (text === undefined || text === '') return undefined;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 0 || count > 1024) return `--workers must be an integer from 0 to 1024, got "${text}"`;
  return count;
}

/** A duration flag (`--drain-timeout 5m`) → ms, or the problem as text; undefined when not given. */
export function resolveDurationMs(flag: string | undefined, name: string): number | string | undefined {
  if (flag === undefined) return undefined;
  const ms = parseDurationMs(flag);
  return ms === undefined ? `${name} expects a duration such as "30s" or "5m", got "${flag}"` : ms;
}

/**
 * The pid file of the master serving `configPath`: `--pid-file`, else `basic.pid_file` of the config, else
 * `louailink.pid` in the config directory (also when the config cannot be loaded).
 */
export async function resolvePidFile(configPath: string, flag: string | undefined): Promise<string> {
  if (flag !== undefined) return resolve(flag);
  const result = await loadConfig(configPath);
  if (result.ok) return pidFileOf(result.loaded);
  const absolute = resolve(configPath);
  const isDirectory = await stat(absolute).then(
    (info) => info.isDirectory(),
    () => false,
  );
  return defaultPidFile(isDirectory ? absolute : dirname(absolute));
}

export interface ControlCommandRun {
  readonly configPath: string;
  readonly pidFile: string | undefined;
  readonly command: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** `louailink -c PATH -s COMMAND`: prints the master's answer; exit code 0 when it succeeded. */
export async function runControlCommand(run: ControlCommandRun): Promise<number> {
  const commands = CONTROL_COMMANDS.filter((c) => c !== 'upgrade');
  if (!isControlCommand(run.command) || run.command === 'upgrade') {
    run.stderr(`-s expects one of ${commands.join(', ')}, got "${run.command}"\n`);
    return 2;
  }
  const socketPath = controlSocketPathFor(await resolvePidFile(run.configPath, run.pidFile));
  const reply = await sendControlRequest(socketPath, { command: run.command });
  if (!reply.ok) {
    run.stderr(`${reply.message}\n`);
    return 1;
  }
  run.stdout(reply.status === undefined ? `${reply.message}\n` : `${JSON.stringify(reply.status, null, 2)}\n`);
  return 0;
}

export interface LaunchRun {
  readonly configPath: string;
  readonly pidFile: string | undefined;
  /** `--log FILE`: where the background master's stdout and stderr go. */
  readonly logFile: string | undefined;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** How long a launcher waits for the master it started (config load, workers ready, module loading). */
const LAUNCH_TIMEOUT_MS = 90_000;

/** `-d`: starts the master in the background; 0 once it serves, 1 with the reason otherwise. */
export async function runDaemonCommand(run: LaunchRun): Promise<number> {
  const logFile = run.logFile === undefined ? undefined : resolve(run.logFile);
  const outcome = await startDaemon({ args: daemonArgs(), logFile, readyTimeoutMs: LAUNCH_TIMEOUT_MS });
  if (!outcome.ok) {
    run.stderr(`louailink did not start: ${outcome.message}${logFile === undefined ? '' : `; see ${logFile}`}\n`);
    return 1;
  }
  run.stdout(`louailink started in the background (master pid ${outcome.pid})\n`);
  return 0;
}

/**
 * `-u`: asks the master running for this config to start a new master from this command line on its own
 * listening sockets and retire once the new one serves. With no master running, starts like `-d`.
 */
export async function runUpgradeCommand(run: LaunchRun): Promise<number> {
  const socketPath = controlSocketPathFor(await resolvePidFile(run.configPath, run.pidFile));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  const spawn: SpawnSpec = {
    execPath: process.execPath,
    args: [...process.execArgv, ...daemonArgs()],
    cwd: process.cwd(),
    env,
    ...(run.logFile === undefined ? {} : { logFile: resolve(run.logFile) }),
  };
  const reply = await sendControlRequest(socketPath, { command: 'upgrade', spawn }, LAUNCH_TIMEOUT_MS + 10_000);
  if (reply.ok) {
    run.stdout(`${reply.message}; the previous master is retiring\n`);
    return 0;
  }
  if (reply.isUnreachable === true) {
    run.stderr(`no running master answers on ${socketPath}; starting a new one\n`);
    return await runDaemonCommand(run);
  }
  run.stderr(`upgrade failed: ${reply.message}\n`);
  return 1;
}
