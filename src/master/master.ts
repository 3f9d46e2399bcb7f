/**
 * The master process around the supervisor: pid file, control socket, config watcher, the process-level
 * transitions (stop, upgrade, upgrade-wait) and the signals that trigger them (zero-downtime.md §7.5):
 *   HUP  reload                       TERM  graceful stop (a second TERM: fast)    INT  fast stop
 *   QUIT keep serving for `upgradeWaitMs` so a `louailink -u` can take over, then graceful stop
 *   USR2 upgrade: spawn a successor from this command line on the same sockets
 *   USR1 reopen the log files (--log, access, upstream) in the master and every worker   WINCH ignored
 * Every transition that ends the process resolves `finished` with the exit code.
 */
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.ts';
import { watchConfig } from './config-watcher.ts';
import type { ConfigWatcher } from './config-watcher.ts';
import type { ControlReply, ControlRequest, SpawnSpec } from './control-protocol.ts';
import { startControlServer } from './control-server.ts';
import type { ControlServer } from './control-server.ts';
import { controlSocketPathFor, removePidFile, writePidFile } from './pid-file.ts';
import { notifyParentReady, takeReadyNotifyRequest } from './ready-notify.ts';
import type { Supervisor } from './supervisor.ts';

export interface MasterSettings {
  readonly pidFile: string;
  readonly watch: boolean;
  /** QUIT: how long to keep serving while waiting for a successor (`louailink -u`). */
  readonly upgradeWaitMs: number;
  /** Opens the master's `--log` file again (no-op when logging to stdout). */
  readonly reopenLog: () => void;
}

type StopMode = 'graceful' | 'fast';

export class Master {
  /** Resolves with the exit code once the master has stopped. */
  readonly finished: Promise<number>;
  readonly #supervisor: Supervisor;
  readonly #log: Logger;
  readonly #settings: MasterSettings;
  #finish: (code: number) => void = () => undefined;
  #control: ControlServer | undefined;
  #watcher: ConfigWatcher | undefined;
  #stopping: Promise<void> | undefined;
  #isUpgrading = false;
  #quitTimer: NodeJS.Timeout | undefined;
  /** QUIT's wait ran out while an upgrade was running: stop if that upgrade fails. */
  #isQuitExpired = false;
  #termCount = 0;
  readonly #signalHandlers: Record<string, () => void>;

  constructor(supervisor: Supervisor, logger: Logger, settings: MasterSettings) {
    this.#supervisor = supervisor;
    this.#log = logger;
    this.#settings = settings;
    this.finished = new Promise((resolve) => {
      this.#finish = resolve;
    });
    this.#signalHandlers = {
      SIGHUP: () => {
        this.#log.info({ event: 'reload_config', signal: 'SIGHUP' }, 'reload requested');
        void this.#supervisor.reload();
      },
      SIGTERM: () => {
        this.#termCount += 1;
        void this.stop(this.#termCount > 1 ? 'fast' : 'graceful');
      },
      SIGINT: () => void this.stop('fast'),
      SIGQUIT: () => this.#waitForSuccessor(),
      SIGUSR1: () => this.#reopenLogs(),
      SIGUSR2: () => void this.upgrade(),
      SIGWINCH: () => undefined,
    };
    for (const [signal, handler] of Object.entries(this.#signalHandlers)) process.on(signal, handler);
  }

  /** Starts the workers (adopting a predecessor's sockets), then the pid file, control socket and watcher. */
  async start(loaded: LoadedConfig): Promise<void> {
    const isSuccessor = this.#supervisor.adoptInheritedSockets();
    const shouldNotify = takeReadyNotifyRequest();
    try {
      await this.#supervisor.start(loaded);
      await writePidFile(this.#settings.pidFile);
      this.#control = await this.#openControl();
      if (this.#settings.watch) {
        this.#watcher = watchConfig(loaded.configPath, (file) => {
          this.#log.info({ event: 'reload_config', trigger: 'watch', file }, 'configuration changed');
          void this.#supervisor.reloadIfChanged();
        });
        await this.#watcher.ready;
      }
    } catch (err) {
      this.#removeSignals();
      await this.#release();
      await this.#supervisor.stop('fast');
      await removePidFile(this.#settings.pidFile);
      throw err;
    }
    // Only now may a launcher exit or a predecessor retire (the pid file names this process).
    if (shouldNotify) notifyParentReady();
    if (isSuccessor) this.#log.info({ event: 'upgrade' }, 'took over the listening sockets of the previous master');
  }

  get controlPath(): string {
    return controlSocketPathFor(this.#settings.pidFile);
  }

  stop(mode: StopMode): Promise<void> {
    const stopped = this.#supervisor.stop(mode);
    this.#stopping ??= (async () => {
      clearTimeout(this.#quitTimer);
      await this.#release();
      await stopped;
      await removePidFile(this.#settings.pidFile);
      this.#removeSignals();
      this.#finish(0);
    })();
    return this.#stopping;
  }

  /** Workers keep crashing: the supervisor has stopped them; exit non-zero. */
  async giveUp(code: number): Promise<void> {
    await this.#release();
    await removePidFile(this.#settings.pidFile);
    this.#removeSignals();
    this.#finish(code);
  }

  /** Starts a successor on the same sockets; this master retires once it serves, else keeps serving. */
  async upgrade(spec?: SpawnSpec): Promise<ControlReply> {
    if (this.#isUpgrading) return { ok: false, message: 'an upgrade is already running' };
    if (this.#stopping !== undefined) return { ok: false, message: 'the master is stopping' };
    this.#isUpgrading = true;
    this.#log.info({ event: 'upgrade', trigger: spec === undefined ? 'SIGUSR2' : 'louailink -u' }, 'starting a new master on the same sockets');
    // The successor binds the control socket path. Closing ours first also keeps libuv's unlink-on-close
    // from deleting the successor's socket file later (zero-downtime.md pitfall 5).
    this.#control?.close();
    this.#control = undefined;
    const outcome = await this.#supervisor.spawnSuccessor(spec).catch((err: unknown) => ({ ok: false as const, message: (err as Error).message }));
    if (outcome.ok) {
      this.#log.info({ event: 'upgrade', newPid: outcome.pid }, `new master ${outcome.pid} is serving; retiring this one`);
      void this.stop('graceful');
      return { ok: true, message: `new master ${outcome.pid} is serving`, pid: outcome.pid };
    }
    this.#log.error({ event: 'upgrade' }, `upgrade failed, this master keeps serving: ${outcome.message}`);
    try {
      this.#control = await this.#openControl();
    } catch (err) {
      this.#log.error({ event: 'upgrade', code: (err as { code?: string }).code }, (err as Error).message);
    }
    this.#isUpgrading = false;
    if (this.#isQuitExpired) void this.stop('graceful');
    return { ok: false, message: outcome.message };
  }

  #waitForSuccessor(): void {
    if (this.#quitTimer !== undefined || this.#stopping !== undefined) return;
    const waitMs = this.#settings.upgradeWaitMs;
    this.#log.info({ event: 'upgrade', signal: 'SIGQUIT', waitMs }, `serving on; a new master (louailink -u) may take over within ${waitMs} ms, else stopping`);
    this.#quitTimer = setTimeout(() => {
      this.#isQuitExpired = true;
      if (!this.#isUpgrading) void this.stop('graceful');
    }, waitMs);
  }

  #openControl(): Promise<ControlServer> {
    return startControlServer(this.controlPath, (request) => this.#answer(request));
  }

  async #answer(request: ControlRequest): Promise<ControlReply> {
    switch (request.command) {
      case 'status':
        return { ok: true, message: 'running', status: await this.#supervisor.status() };
      case 'reload': {
        const outcome = await this.#supervisor.reload();
        return outcome.ok ? { ok: true, message: `generation ${outcome.generation} serving` } : { ok: false, message: outcome.message };
      }
      case 'quit':
      case 'stop':
        // Answer first: the stop closes this control socket.
        setImmediate(() => void this.stop(request.command === 'quit' ? 'graceful' : 'fast'));
        return { ok: true, message: request.command === 'quit' ? 'draining and stopping' : 'stopping now' };
      case 'reopen':
        return { ok: true, message: this.#reopenLogs() };
      case 'upgrade':
        return await this.upgrade(request.spawn);
    }
  }

  /**
   * USR1 / `-s reopen` (logrotate moved the files): the master opens its `--log` file again and every
   * worker every log file it writes (`--log`, access log, upstream log) — one path for both triggers.
   */
  #reopenLogs(): string {
    this.#settings.reopenLog();
    this.#supervisor.reopenLogs();
    this.#log.info({ event: 'reopen' }, 'log file reopened');
    return 'log files reopened';
  }

  async #release(): Promise<void> {
    this.#control?.close();
    this.#control = undefined;
    await this.#watcher?.close();
    this.#watcher = undefined;
  }

  #removeSignals(): void {
    for (const [signal, handler] of Object.entries(this.#signalHandlers)) process.off(signal, handler);
  }
}
