/**
 * What the command line needs from the master: flag values resolved to options (`--workers`,
 * `--drain-timeout`, `--pid-file`) and `-s COMMAND` sent to a running master's control socket.
 */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseDurationMs } from '../config/units.ts';
import { sendControlCommand } from './control-client.ts';
import { isControlCommand, CONTROL_COMMANDS } from './control-protocol.ts';
import { controlSocketPathFor, defaultPidFile } from './pid-file.ts';

/** `--workers N`, else `LOUAILINK_WORKERS`, else one per core. 0 means "serve in this process". */
export function resolveWorkerCount(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number | string {
  const text = flag ?? env['LOUAILINK_WORKERS'];
  if (text === undefined || text === '') return availableParallelism();
  const count = Number(text);
  if (!Number.isInteger(count) || count < 0 || count > 1024) return `--workers must be an integer from 0 to 1024, got "${text}"`;
  return count;
}

/** `--drain-timeout 5m` → ms (default 5 minutes). */
export function resolveDrainTimeoutMs(flag: string | undefined, fallbackMs: number): number | string {
  if (flag === undefined) return fallbackMs;
  const ms = parseDurationMs(flag);
  return ms === undefined ? `--drain-timeout expects a duration such as "30s" or "5m", got "${flag}"` : ms;
}

/** The pid file of the master serving `configPath`: `--pid-file`, else `louailink.pid` in the config directory. */
export async function resolvePidFile(configPath: string, flag: string | undefined): Promise<string> {
  if (flag !== undefined) return resolve(flag);
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
  if (!isControlCommand(run.command)) {
    run.stderr(`-s expects one of ${CONTROL_COMMANDS.join(', ')}, got "${run.command}"\n`);
    return 2;
  }
  const socketPath = controlSocketPathFor(await resolvePidFile(run.configPath, run.pidFile));
  const reply = await sendControlCommand(socketPath, run.command);
  if (!reply.ok) {
    run.stderr(`${reply.message}\n`);
    return 1;
  }
  run.stdout(reply.status === undefined ? `${reply.message}\n` : `${JSON.stringify(reply.status, null, 2)}\n`);
  return 0;
}
