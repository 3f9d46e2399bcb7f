/**
 * `louailink -c PATH` with workers: the master process (src/master) forks `--workers` worker processes
 * running src/worker/cluster-entry.ts on the sockets it binds. `--workers 0` serves in this process instead.
 */
import { resolve } from 'node:path';
import { resolveDurationMs, resolveWorkerCount } from '../master/master-cli.ts';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_UPGRADE_WAIT_MS, runMaster } from '../master/run-master.ts';
import type { CliIo } from './cli-io.ts';

export interface WorkerFlags {
  readonly workers?: string;
  readonly drainTimeout?: string;
  readonly pidFile?: string;
  readonly autoReload?: boolean;
  readonly upgradeWait?: string;
}

const WORKER_ENTRY = resolve(import.meta.dirname, '../worker/cluster-entry.ts');

export async function serveWithWorkers(path: string, flags: WorkerFlags, io: CliIo): Promise<number> {
  const workerCount = resolveWorkerCount(flags.workers);
  const drainTimeoutMs = resolveDurationMs(flags.drainTimeout, DEFAULT_DRAIN_TIMEOUT_MS, '--drain-timeout');
  const upgradeWaitMs = resolveDurationMs(flags.upgradeWait, DEFAULT_UPGRADE_WAIT_MS, '--upgrade-wait');
  for (const problem of [workerCount, drainTimeoutMs, upgradeWaitMs].filter((v) => typeof v === 'string')) {
    io.stderr(`${problem}\n`);
    return 2;
  }
  return await runMaster({
    configPath: path,
    workerEntry: WORKER_ENTRY,
    workerCount: workerCount as number,
    drainTimeoutMs: drainTimeoutMs as number,
    upgradeWaitMs: upgradeWaitMs as number,
    ...(flags.pidFile === undefined ? {} : { pidFile: resolve(flags.pidFile) }),
    watch: flags.autoReload === true,
    stderr: io.stderr,
  });
}
