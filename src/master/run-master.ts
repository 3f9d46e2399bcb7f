/**
 * `louailink -c PATH` in master mode: validate, bind the sockets, start the workers, then run until the
 * master stops (master.ts has the signals and transitions); resolves with the exit code.
 */
import { formatIssue } from '../config/config-issue.ts';
import { loadConfig } from '../config/load.ts';
import { createAppLog } from '../lib/app-log.ts';
import { LogRotator } from '../lib/log-rotator.ts';
import type { LogRotation } from '../lib/log-rotator.ts';
import type { BasicConfig } from '../config/schema.ts';
import type { CrashPolicyOptions } from './crash-policy.ts';
import { Master } from './master.ts';
import { KeyStateService } from './key-state-service.ts';
import { LeaseService } from './lease-service.ts';
import { MetricsAggregator } from './metrics-aggregator.ts';
import { WorkerNotifyService } from './worker-notify.ts';
import { pidFileOf } from './pid-file.ts';
import { Supervisor } from './supervisor.ts';
import { INHERITED_FDS_ENV } from './upgrade.ts';
import { Notifier } from '../notify/notifier.ts';
import { startManagementMaster } from '../admin/management-master.ts';

export const MASTER_TITLE = 'louailink';

export interface MasterOptions {
  readonly configPath: string;
  /** Path of the worker main module. */
  readonly workerEntry: string;
  /** `--workers` (default: `basic.workers`). */
  readonly workerCount?: number | undefined;
  /** `--drain-timeout` (default: `basic.drain_timeout`). */
  readonly drainTimeoutMs?: number | undefined;
  readonly idleGraceMs?: number;
  readonly readyTimeoutMs?: number;
  readonly crashPolicy?: Partial<CrashPolicyOptions>;
  /** `--pid-file` (default: `basic.pid_file`, else louailink.pid in the config directory). */
  readonly pidFile?: string | undefined;
  /** `-a`: reload when a config file changes (debounced; an unchanged hash does nothing). */
  readonly watch?: boolean;
  /** QUIT: how long to keep serving while waiting for `louailink -u` (default 10 s). */
  readonly upgradeWaitMs?: number;
  /** `--log FILE`: the master and its workers append their log lines here; SIGUSR1 reopens it. */
  readonly logFile?: string | undefined;
  readonly stderr: (text: string) => void;
}

export const DEFAULT_UPGRADE_WAIT_MS = 10_000;
const DEFAULT_IDLE_GRACE_MS = 1_000;
const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** On exit, how long queued notifications may still take to go out. */
const NOTIFY_CLOSE_MS = 3_000;

/** `basic.log_rotate` as the rotator takes it. */
function rotationOf(basic: BasicConfig): LogRotation | undefined {
  const rotate = basic.log_rotate;
  return rotate === undefined ? undefined : { sizeBytes: rotate.size, frequency: rotate.frequency, count: rotate.count };
}

export async function runMaster(options: MasterOptions): Promise<number> {
  process.title = MASTER_TITLE;
  const result = await loadConfig(options.configPath);
  if (!result.ok) {
    for (const issue of result.issues) options.stderr(`${formatIssue(issue)}\n`);
    return 1;
  }
  const { loaded } = result;
  const appLog = createAppLog({ level: loaded.config.basic.log_level, name: loaded.config.basic.name, file: options.logFile });
  const logger = appLog.logger.child({ role: 'master' });
  // Before the first fork: workers report metrics and usage from their start.
  const metricsAggregator = new MetricsAggregator(logger);
  // Provider key cooldowns shared by every worker of every generation (a reload keeps them).
  const keyStates = new KeyStateService(loaded.config.providers);
  const notifier = new Notifier({ name: loaded.config.basic.name, logger });
  notifier.configure(loaded.config.notifications);
  // Workers' notifications (circuits opening and closing…), one per cluster however many workers report.
  const workerNotify = new WorkerNotifyService({
    notify: (notification) => notifier.notify(notification),
    onRejected: (event) => logger.warn({ event: 'notify_fail' }, `a worker sent an unknown notification event "${event}"`),
  });
  let master: Master | undefined;
  const supervisor = new Supervisor({
    configPath: options.configPath,
    workerCount: options.workerCount,
    workerEntry: options.workerEntry,
    drainTimeoutMs: options.drainTimeoutMs,
    idleGraceMs: options.idleGraceMs ?? DEFAULT_IDLE_GRACE_MS,
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    logFile: options.logFile,
    ...(options.crashPolicy === undefined ? {} : { crashPolicy: options.crashPolicy }),
    logger,
    onGiveUp: (code) => void master?.giveUp(code),
    notify: (notification) => notifier.notify(notification),
    onConfigApplied: (next) => {
      keyStates.configure(next.config.providers);
      management.configure(next);
      notifier.configure(next.config.notifications, next.config.basic.name);
      rotator?.configure(rotationOf(next.config.basic));
    },
  });
  // The management API's changes, serialized here; a change answers once its generation serves.
  const management = startManagementMaster({
    loaded,
    logger,
    reload: () => supervisor.reload(),
    settle: () => supervisor.status(),
    generation: () => supervisor.generation,
  });
  // Cluster-wide limits: one ledger for the master's lifetime (counts survive reloads), every worker served.
  const leases = new LeaseService({ workerCount: () => supervisor.workerCount });
  // --log with basic.log_rotate: the master renames the file and every process reopens it (one file family).
  const rotator = options.logFile === undefined ? undefined : new LogRotator({
    file: options.logFile,
    onRotated: () => {
      appLog.reopen();
      supervisor.reopenLogs();
      logger.info({ event: 'log_rotate' }, 'log file rotated');
    },
    onError: (err) => logger.error({ event: 'log_rotate', code: (err as { code?: string }).code }, `log rotation failed: ${err.message}`),
  });
  rotator?.configure(rotationOf(loaded.config.basic));
  const pidFile = options.pidFile ?? pidFileOf(loaded);
  master = new Master(supervisor, logger, {
    pidFile,
    watch: options.watch === true,
    upgradeWaitMs: options.upgradeWaitMs ?? DEFAULT_UPGRADE_WAIT_MS,
    reopenLog: () => appLog.reopen(),
  });
  // Read before start(): adopting the sockets removes the variable.
  const isSuccessor = process.env[INHERITED_FDS_ENV] !== undefined;
  try {
    await master.start(loaded);
  } catch (err) {
    logger.fatal({ event: 'start', code: (err as { code?: string }).code }, `cannot start: ${(err as Error).message}`);
    await notifier.close(0);
    rotator?.close();
    return 1;
  }
  logger.info(
    { event: 'start', addresses: supervisor.addresses, workers: supervisor.workerCount, generation: supervisor.generation, pidFile, control: master.controlPath },
    'louailink started',
  );
  notifier.notify({
    event: isSuccessor ? 'upgrade' : 'restart',
    level: 'info',
    message: isSuccessor ? `new master ${process.pid} took over the listening sockets` : `louailink started (master ${process.pid})`,
    details: { generation: supervisor.generation, workers: supervisor.workerCount, addresses: supervisor.addresses },
  });
  const code = await master.finished;
  metricsAggregator.close();
  workerNotify.close();
  management.close();
  rotator?.close();
  await notifier.close(NOTIFY_CLOSE_MS);
  return code;
}
