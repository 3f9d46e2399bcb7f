/**
 * `louailink -c PATH` in master mode: validate, bind the sockets, start the workers, then run until a stop
 * signal. Signals (zero-downtime.md §7.5): HUP reload; TERM graceful stop (drain, exit 0); INT fast stop;
 * a second TERM/INT during a graceful stop makes it fast; QUIT is a graceful stop until the upgrade
 * hand-off exists; USR2 replaces the master on the same sockets (upgrade.ts); USR1 is handled (logged) so
 * Node never opens the inspector on it.
 */
import type { Logger } from 'pino';
import { formatIssue } from '../config/config-issue.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../lib/logger.ts';
import { Supervisor } from './supervisor.ts';
import type { CrashPolicyOptions } from './crash-policy.ts';
import { startControlServer } from './control-server.ts';
import type { ControlServer } from './control-server.ts';
import type { ControlCommand, ControlReply } from './control-protocol.ts';
import { watchConfig } from './config-watcher.ts';
import type { ConfigWatcher } from './config-watcher.ts';
import { notifyPredecessor } from './upgrade.ts';
import { controlSocketPathFor, defaultPidFile, removePidFile, writePidFile } from './pid-file.ts';

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
  /** Default: `louailink.pid` in the config directory; the control socket goes beside it. */
  readonly pidFile?: string;
  /** `-a`: reload when a config file changes (debounced; an unchanged hash does nothing). */
  readonly watch?: boolean;
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

  const pidFile = options.pidFile ?? defaultPidFile(loaded.configDir);
  let control: ControlServer | undefined;
  let watcher: ConfigWatcher | undefined;
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
    onGiveUp: (code) => {
      void (async () => {
        await watcher?.close();
        await control?.close();
        await removePidFile(pidFile);
        finish(code);
      })();
    },
  });
  let stopping: Promise<void> | undefined;
  const shutdown = (mode: 'graceful' | 'fast'): Promise<void> => {
    const stopped = supervisor.stop(mode);
    stopping ??= (async () => {
      await watcher?.close();
      await control?.close();
      await stopped;
      await removePidFile(pidFile);
      finish(0);
    })();
    return stopping;
  };
  const openControl = (): Promise<ControlServer> =>
    startControlServer(controlSocketPathFor(pidFile), (command) => answerControl(command, supervisor, shutdown));
  let isUpgrading = false;
  const upgrade = async (): Promise<void> => {
    if (isUpgrading || stopping !== undefined) return;
    isUpgrading = true;
    logger.info({ event: 'upgrade', signal: 'SIGUSR2' }, 'starting a new master on the same sockets');
    // The successor binds the control socket path; closing ours first also keeps libuv's unlink-on-close
    // from deleting the successor's socket file later (zero-downtime.md pitfall 5).
    await control?.close();
    control = undefined;
    const outcome = await supervisor.spawnSuccessor();
    if (outcome.ok) {
      logger.info({ event: 'upgrade', newPid: outcome.pid }, `new master ${outcome.pid} is serving; retiring this one`);
      await shutdown('graceful');
      return;
    }
    logger.error({ event: 'upgrade' }, `upgrade failed, this master keeps serving: ${outcome.message}`);
    control = await openControl().catch((err: unknown) => {
      logger.error({ event: 'upgrade', code: (err as { code?: string }).code }, (err as Error).message);
      return undefined;
    });
    isUpgrading = false;
  };
  const removeSignals = installSignals(supervisor, logger, shutdown, () => void upgrade());
  try {
    const isSuccessor = supervisor.adoptInheritedSockets();
    await supervisor.start(loaded);
    await writePidFile(pidFile);
    control = await openControl();
    if (options.watch === true) {
      watcher = watchConfig(loaded.configPath, (file) => {
        logger.info({ event: 'reload_config', trigger: 'watch', file }, 'configuration changed');
        void supervisor.reloadIfChanged();
      });
      await watcher.ready;
    }
    if (isSuccessor) notifyPredecessor();
  } catch (err) {
    logger.fatal({ event: 'start', code: (err as { code?: string }).code }, `cannot start: ${(err as Error).message}`);
    removeSignals();
    await watcher?.close();
    await control?.close();
    await supervisor.stop('fast');
    await removePidFile(pidFile);
    return 1;
  }
  logger.info(
    { event: 'start', addresses: supervisor.addresses, workers: options.workerCount, generation: supervisor.generation, pidFile, control: control.path },
    'louailink started',
  );
  const code = await finished;
  removeSignals();
  return code;
}

async function answerControl(command: ControlCommand, supervisor: Supervisor, shutdown: (mode: 'graceful' | 'fast') => Promise<void>): Promise<ControlReply> {
  switch (command) {
    case 'status':
      return { ok: true, message: 'running', status: await supervisor.status() };
    case 'reload': {
      const outcome = await supervisor.reload();
      return outcome.ok ? { ok: true, message: `generation ${outcome.generation} serving` } : { ok: false, message: outcome.message };
    }
    case 'quit':
    case 'stop':
      // Answer first: the stop closes this control socket.
      setImmediate(() => void shutdown(command === 'quit' ? 'graceful' : 'fast'));
      return { ok: true, message: command === 'quit' ? 'draining and stopping' : 'stopping now' };
    case 'reopen':
      return { ok: true, message: 'logs go to stdout; nothing to reopen' };
  }
}

function installSignals(
  supervisor: Supervisor,
  logger: Logger,
  shutdown: (mode: 'graceful' | 'fast') => Promise<void>,
  upgrade: () => void,
): () => void {
  const stop = (mode: 'graceful' | 'fast'): void => {
    void shutdown(mode);
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
    SIGUSR2: upgrade,
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
