/**
 * `louailink -c PATH` in master mode: validate, bind the sockets, start the workers, then run until a stop
 * signal. Signals (zero-downtime.md §7.5): HUP reload; TERM graceful stop (drain, exit 0); INT fast stop;
 * a second TERM/INT during a graceful stop makes it fast; QUIT is a graceful stop until the upgrade
 * hand-off exists; USR1/USR2 are handled (logged) so Node never opens the inspector or dies on them.
 */
import type { Logger } from 'pino';
import { formatIssue } from '../config/config-issue.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../lib/logger.ts';
import { Supervisor } from './supervisor.ts';
import type { CrashPolicyOptions } from './crash-policy.ts';

export const MASTER_TITLE = 'louailink';

export interface MasterOptions {
  readonly configPath: string;
  /** Path of the worker main module. */
  readonly workerEntry: string;
  readonly workerCount: number;
  readonly drainTimeoutMs: number;
  readonly idleGraceMs?: number;
  readonly readyTimeoutMs?: number;
  readonly crashPolicy?: Partial<CrashPolicyOptions>;
  readonly stderr: (text: string) => void;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_IDLE_GRACE_MS = 1_000;
const DEFAULT_READY_TIMEOUT_MS = 30_000;

/** Runs the master until it stops; resolves with the exit code. */
export async function runMaster(options: MasterOptions): Promise<number> {
  process.title = MASTER_TITLE;
  const result = await loadConfig(options.configPath);
  if (!result.ok) {
    for (const issue of result.issues) options.stderr(`${formatIssue(issue)}\n`);
    return 1;
  }
  const { loaded } = result;
  const logger = createLogger({ level: loaded.config.basic.log_level, name: loaded.config.basic.name }).child({ role: 'master' });

  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const supervisor = new Supervisor({
    configPath: options.configPath,
    workerCount: options.workerCount,
    workerEntry: options.workerEntry,
    drainTimeoutMs: options.drainTimeoutMs,
    idleGraceMs: options.idleGraceMs ?? DEFAULT_IDLE_GRACE_MS,
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    ...(options.crashPolicy === undefined ? {} : { crashPolicy: options.crashPolicy }),
    logger,
    onGiveUp: (code) => finish(code),
  });
  const removeSignals = installSignals(supervisor, logger, finish);
  try {
    await supervisor.start(loaded);
  } catch (err) {
    logger.fatal({ event: 'start', code: (err as { code?: string }).code }, `cannot start: ${(err as Error).message}`);
    removeSignals();
    return 1;
  }
  logger.info({ event: 'start', workers: options.workerCount, generation: supervisor.generation }, 'louailink master started');
  const code = await finished;
  removeSignals();
  return code;
}

function installSignals(supervisor: Supervisor, logger: Logger, finish: (code: number) => void): () => void {
  const stop = (mode: 'graceful' | 'fast'): void => {
    void supervisor.stop(mode).then(() => finish(0));
  };
  const handlers: Record<string, () => void> = {
    SIGHUP: () => {
      logger.info({ event: 'reload_config', signal: 'SIGHUP' }, 'reload requested');
      void supervisor.reload();
    },
    SIGTERM: () => stop('graceful'),
    SIGQUIT: () => stop('graceful'),
    SIGINT: () => stop('fast'),
    SIGUSR1: () => logger.info({ signal: 'SIGUSR1' }, 'log reopen requested (logs go to stdout; nothing to reopen)'),
    SIGUSR2: () => logger.warn({ signal: 'SIGUSR2' }, 'binary upgrade is not available yet; ignored'),
    SIGWINCH: () => undefined,
  };
  let termCount = 0;
  const onTerm = (): void => {
    termCount += 1;
    stop(termCount > 1 ? 'fast' : 'graceful');
  };
  handlers.SIGTERM = onTerm;
  for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);
  return () => {
    for (const [signal, handler] of Object.entries(handlers)) process.off(signal, handler);
  };
}
