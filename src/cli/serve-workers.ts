/**
 * `louailink -c PATH`: the master process (src/master) forks worker processes (`--workers`, else
 * `basic.workers`) running src/worker/cluster-entry.ts on the sockets it binds. `--workers 0` serves in
 * this process instead (no master, no reload).
 */
import { resolve } from 'node:path';
import { resolveDurationMs, resolveWorkerCount } from '../master/master-cli.ts';
import { runMaster } from '../master/run-master.ts';
import type { CliIo } from './cli-io.ts';
import { serve } from './serve.ts';

export interface WorkerFlags {
  readonly workers?: string;
  readonly drainTimeout?: string;
  readonly pidFile?: string;
  readonly autoReload?: boolean;
  readonly upgradeWait?: string;
  readonly log?: string;
}

const WORKER_ENTRY = resolve(import.meta.dirname, '../worker/cluster-entry.ts');

export async function serveWithWorkers(path: string, flags: WorkerFlags, io: CliIo): Promise<number> {
  const workerCount = resolveWorkerCount(flags.workers);
  const drainTimeoutMs = resolveDurationMs(flags.drainTimeout, '--drain-timeout');
  const upgradeWaitMs = resolveDurationMs(flags.upgradeWait, '--upgrade-wait');
  if (typeof workerCount === 'string' || typeof drainTimeoutMs === 'string' || typeof upgradeWaitMs === 'string') {
    for (const value of [workerCount, drainTimeoutMs, upgradeWaitMs]) if (typeof value === 'string') io.stderr(`${value}\n`);
    return 2;
  }
  if (workerCount === 0) return await serve(path, io);
  return await runMaster({
    configPath: path,
    workerEntry: WORKER_ENTRY,
    workerCount,
    drainTimeoutMs,
    ...(upgradeWaitMs === undefined ? {} : { upgradeWaitMs }),
    ...(flags.pidFile === undefined ? {} : { pidFile: resolve(flags.pidFile) }),
    watch: flags.autoReload === true,
    ...(flags.log === undefined ? {} : { logFile: resolve(flags.log) }),
    stderr: io.stderr,
  });
}
