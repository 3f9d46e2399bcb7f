/**
 * The master's state machine: one active generation of workers on the master's sockets, older generations
 * draining, reloads serialized and coalesced, crashed workers replaced with backoff, graceful and fast stop.
 *
 * Reload (zero-downtime.md §7.3): validate exactly like `-t`; invalid → log every issue, keep the old
 * generation. Valid → bind sockets for new addresses, fork the new generation, wait for every worker's
 * explicit ready, only then drain the old one. A new generation that fails to become ready is killed and the
 * old one keeps serving. Sockets no generation uses any more are released once the last user has exited.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { formatIssue } from '../config/config-issue.ts';
import { loadConfig } from '../config/load.ts';
import type { LoadedConfig } from '../config/load.ts';
import { CrashPolicy } from './crash-policy.ts';
import type { CrashPolicyOptions } from './crash-policy.ts';
import { Generation } from './generation.ts';
import type { WorkerCrash } from './generation.ts';
import { listenAddressesOf } from './listen-keys.ts';
import { ReloadQueue } from './reload-queue.ts';
import { SocketTable } from './socket-table.ts';
import type { WorkerStatus } from './worker-process.ts';
import { adoptInheritedSockets, spawnSuccessor } from './upgrade.ts';
import { workerExecArgv } from './worker-exec-argv.ts';
import type { ChildReadyOutcome } from './ready-notify.ts';
import type { SpawnSpec } from './control-protocol.ts';
import { diffConfig, formatConfigDiff } from '../config/diff.ts';
import type { Notification, Notify } from '../notify/notification.ts';

export interface SupervisorOptions {
  readonly configPath: string;
  /** `--workers`: overrides `basic.workers` of every config. */
  readonly workerCount?: number | undefined;
  /** Path of the worker main module (src/worker/cluster-entry.ts). */
  readonly workerEntry: string;
  /** `--drain-timeout`: overrides `basic.drain_timeout` of every config. */
  readonly drainTimeoutMs?: number | undefined;
  /** Draining workers close keep-alive connections idle this long (below the client keep-alive timeout). */
  readonly idleGraceMs: number;
  readonly readyTimeoutMs: number;
  /** `--log FILE`: workers append their log lines here (undefined: stdout). */
  readonly logFile?: string | undefined;
  readonly crashPolicy?: Partial<CrashPolicyOptions>;
  readonly logger: Logger;
  /** Workers keep crashing: the master has stopped them and should exit with this code. */
  readonly onGiveUp: (code: number) => void;
  /** Notification events (reload_config, reload_config_fail, diff_config, worker_crash, upgrade). */
  readonly notify?: Notify;
  /** A new configuration now serves (the notification channels follow it). */
  readonly onConfigApplied?: (loaded: LoadedConfig) => void;
}

/** Issues listed in a reload_config_fail notification (all of them are in the log). */
const MAX_NOTIFIED_ISSUES = 20;

export type ReloadOutcome =
  /** `isUnchanged`: an automatic reload found the same config hash and kept the running generation. */
  | { readonly ok: true; readonly generation: number; readonly isUnchanged?: boolean }
  | { readonly ok: false; readonly reason: 'invalid-config' | 'bind-failed' | 'not-ready' | 'stopping' | 'error'; readonly message: string };

export interface MasterStatus {
  readonly pid: number;
  readonly uptimeMs: number;
  readonly generation: number;
  readonly configHash: string;
  readonly workers: readonly (WorkerStatus & { readonly generation: number })[];
}

const DEFAULT_DRAIN_TIMEOUT_MS = 5 * 60_000;

/** `basic.workers`: "auto" is one per core. */
export function workerCountOf(setting: number | 'auto'): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

/** A successor master loads its config and modules before its workers' ready timeout starts. */
const SUCCESSOR_MARGIN_MS = 30_000;

export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #log: Logger;
  readonly #sockets = new SocketTable();
  readonly #policy: CrashPolicy;
  readonly #reloads: ReloadQueue<ReloadOutcome>;
  readonly #generations = new Set<Generation>();
  readonly #restartTimers = new Set<NodeJS.Timeout>();
  readonly #startedAt = Date.now();
  #current: Generation | undefined;
  #nextId = 1;
  #stopping: 'graceful' | 'fast' | undefined;
  /** A queued reload was asked for explicitly (HUP, -s reload): it runs even when the config is unchanged. */
  #isForced = false;
  #stopped: Promise<void> | undefined;

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#policy = new CrashPolicy(options.crashPolicy);
    this.#reloads = new ReloadQueue(() => this.#reloadSafely());
    // Workers listen on the handles they are sent and never ask the primary, so the policy only matters for
    // a listen() without a handle; direct accept is the one that survives master hand-offs (pitfall 2).
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({
      exec: options.workerEntry,
      execArgv: [...process.execArgv, '--disable-warning=ExperimentalWarning'],
      serialization: 'json',
    });
  }

  get generation(): number {
    return this.#current?.id ?? 0;
  }

  /** Workers of the current generation. */
  get workerCount(): number {
    return this.#current?.pids.length ?? 0;
  }

  /** Addresses the current generation listens on ("http://127.0.0.1:8080"). */
  get addresses(): readonly string[] {
    return this.#current?.addresses ?? [];
  }

  /** In a master started by SIGUSR2: takes over the predecessor's sockets. Returns whether there were any. */
  adoptInheritedSockets(): boolean {
    return adoptInheritedSockets(this.#sockets);
  }

  /**
   * Starts a successor master on this master's sockets (SIGUSR2: this command line; `-u`: the one given)
   * and waits until it serves.
   */
  async spawnSuccessor(spec?: SpawnSpec): Promise<ChildReadyOutcome> {
    const outcome = await spawnSuccessor(this.#sockets, this.#options.readyTimeoutMs + SUCCESSOR_MARGIN_MS, spec);
    if (!outcome.ok) this.#notify({ event: 'upgrade', level: 'error', message: `upgrade failed, the master keeps serving: ${outcome.message}` });
    return outcome;
  }

  /** Binds the config's sockets and starts the first generation; throws when it cannot become ready. */
  async start(loaded: LoadedConfig): Promise<void> {
    await this.#sockets.bindMissing(listenAddressesOf(loaded.config));
    const generation = this.#createGeneration(loaded);
    try {
      await generation.start();
    } catch (err) {
      await generation.kill();
      this.#generations.delete(generation);
      this.#sockets.releaseAll();
      throw err;
    }
    this.#current = generation;
    // Inherited sockets the config no longer lists.
    this.#releaseUnused();
    this.#log.info({ event: 'start', generation: generation.id, pids: generation.pids, hash: loaded.hash.slice(0, 12) }, 'workers ready');
  }

  /** Serialized and coalesced: a reload requested while one runs becomes one follow-up reload. */
  reload(): Promise<ReloadOutcome> {
    this.#isForced = true;
    return this.#reloads.request();
  }

  /** Like `reload`, but a config with the running generation's hash changes nothing (`-a` file events). */
  reloadIfChanged(): Promise<ReloadOutcome> {
    return this.#reloads.request();
  }

  /** Never rejects: an unexpected failure is logged and reported as a failed reload. */
  async #reloadSafely(): Promise<ReloadOutcome> {
    try {
      return await this.#reload();
    } catch (err) {
      const message = `reload failed: ${(err as Error).message}; old configuration kept`;
      this.#log.error({ event: 'reload_config_fail', code: (err as { code?: string }).code }, message);
      this.#notify({ event: 'reload_config_fail', level: 'error', message, details: { reason: 'error' } });
      return { ok: false, reason: 'error', message };
    }
  }

  /** Graceful: every generation drains (streams get `drainTimeoutMs`). Fast: workers close at once. */
  stop(mode: 'graceful' | 'fast'): Promise<void> {
    if (this.#stopping === 'graceful' && mode === 'fast') {
      this.#stopping = 'fast';
      this.#log.warn({ event: 'stop' }, 'fast stop requested during graceful stop');
      for (const generation of this.#generations) void generation.stop();
    }
    if (this.#stopped !== undefined) return this.#stopped;
    this.#stopping = mode;
    for (const timer of this.#restartTimers) clearTimeout(timer);
    this.#restartTimers.clear();
    this.#log.info({ event: 'stop', mode }, 'stopping');
    const drainTimeoutMs = this.#drainTimeoutMs();
    const { idleGraceMs } = this.#options;
    const ended = [...this.#generations].map((g) => (mode === 'graceful' ? g.drain(drainTimeoutMs, idleGraceMs) : g.stop()));
    // The workers close their copies as they start draining; closing the master's now means new
    // connections are refused at once instead of waiting in an accept queue nobody serves any more.
    this.#sockets.releaseAll();
    this.#stopped = Promise.all(ended).then(() => {
      this.#log.info({ event: 'stop' }, 'stopped');
    });
    return this.#stopped;
  }

  /** SIGUSR1: every worker opens its log file again. */
  reopenLogs(): void {
    for (const generation of this.#generations) generation.reopenLogs();
  }

  async status(): Promise<MasterStatus> {
    const workers = await Promise.all(
      [...this.#generations].map(async (g) => (await g.status()).map((w) => ({ ...w, generation: g.id }))),
    );
    return {
      pid: process.pid,
      uptimeMs: Date.now() - this.#startedAt,
      generation: this.generation,
      configHash: this.#current?.loaded.hash ?? '',
      workers: workers.flat(),
    };
  }

  async #reload(): Promise<ReloadOutcome> {
    const isForced = this.#isForced;
    this.#isForced = false;
    if (this.#stopping !== undefined) return { ok: false, reason: 'stopping', message: 'the master is stopping' };
    const result = await loadConfig(this.#options.configPath);
    if (!result.ok) {
      for (const issue of result.issues) this.#log.error({ event: 'reload_config_fail' }, formatIssue(issue));
      const message = `configuration is invalid (${result.issues.length} issue${result.issues.length === 1 ? '' : 's'}); old configuration kept`;
      this.#log.error({ event: 'reload_config_fail', generation: this.generation }, message);
      const issues = result.issues.slice(0, MAX_NOTIFIED_ISSUES).map(formatIssue);
      this.#notify({ event: 'reload_config_fail', level: 'error', message, details: { reason: 'invalid-config', generation: this.generation, issues } });
      return { ok: false, reason: 'invalid-config', message };
    }
    const { loaded } = result;
    if (!isForced && this.#current !== undefined && loaded.hash === this.#current.loaded.hash) {
      this.#log.info({ event: 'reload_config', generation: this.#current.id }, 'configuration unchanged; nothing to reload');
      return { ok: true, generation: this.#current.id, isUnchanged: true };
    }
    let added: string[];
    try {
      added = await this.#sockets.bindMissing(listenAddressesOf(loaded.config));
    } catch (err) {
      const message = `${(err as Error).message}; old configuration kept`;
      this.#log.error({ event: 'reload_config_fail', code: (err as { code?: string }).code }, message);
      this.#notify({ event: 'reload_config_fail', level: 'error', message, details: { reason: 'bind-failed', code: (err as { code?: string }).code } });
      return { ok: false, reason: 'bind-failed', message };
    }
    if (added.length > 0) this.#log.info({ event: 'reload_config', listen: added }, 'bound new listen addresses');

    const next = this.#createGeneration(loaded);
    try {
      await next.start();
      if (this.#stopping !== undefined) throw new Error('the master is stopping');
    } catch (err) {
      await next.kill();
      this.#generations.delete(next);
      this.#releaseUnused();
      const message = `new workers did not become ready: ${(err as Error).message}; old configuration kept`;
      this.#log.error({ event: 'reload_config_fail', code: (err as { code?: string }).code, generation: next.id }, message);
      this.#notify({ event: 'reload_config_fail', level: 'error', message, details: { reason: 'not-ready', generation: next.id } });
      return { ok: false, reason: 'not-ready', message };
    }
    const previous = this.#current;
    this.#current = next;
    this.#log.info(
      { event: 'reload_config', generation: next.id, pids: next.pids, hash: loaded.hash.slice(0, 12) },
      `generation ${next.id} serving${previous === undefined ? '' : `, draining generation ${previous.id}`}`,
    );
    if (previous !== undefined) void this.#retire(previous);
    this.#notifyReloaded(previous, next);
    return { ok: true, generation: next.id };
  }

  async #retire(generation: Generation): Promise<void> {
    await generation.drain(this.#drainTimeoutMs(), this.#options.idleGraceMs);
    this.#generations.delete(generation);
    this.#releaseUnused();
    this.#log.info({ event: 'generation_exit', generation: generation.id }, `generation ${generation.id} exited`);
  }

  #createGeneration(loaded: LoadedConfig): Generation {
    // Forks from now on (this generation's workers and their replacements) take this config's V8 flags.
    cluster.setupPrimary({ execArgv: workerExecArgv(loaded.config.basic) });
    const generation = new Generation({
      id: this.#nextId++,
      loaded,
      listenKeys: listenAddressesOf(loaded.config).map((a) => a.key),
      workerCount: this.#options.workerCount ?? workerCountOf(loaded.config.basic.workers),
      sockets: this.#sockets,
      readyTimeoutMs: this.#options.readyTimeoutMs,
      logFile: this.#options.logFile,
      onCrash: (crash) => this.#onCrash(crash),
    });
    this.#generations.add(generation);
    return generation;
  }

  /** The flag, else the drain timeout of the config now in force. */
  #drainTimeoutMs(): number {
    return this.#options.drainTimeoutMs ?? this.#current?.loaded.config.basic.drain_timeout ?? DEFAULT_DRAIN_TIMEOUT_MS;
  }

  #onCrash(crash: WorkerCrash): void {
    if (this.#stopping !== undefined) return;
    const decision = this.#policy.onCrash(Date.now(), crash.uptimeMs);
    const details = { workerPid: crash.pid, generation: crash.generation, slot: crash.slot, ...crash.exit, uptimeMs: crash.uptimeMs };
    const fields = { event: 'worker_crash', ...details };
    this.#notify({
      event: 'worker_crash',
      level: 'error',
      message: decision.action === 'give-up' ? `worker ${crash.pid} exited; workers keep crashing, the master stops` : `worker ${crash.pid} exited; replacing it`,
      details: decision.action === 'give-up' ? { ...details, isGivingUp: true } : { ...details, restartInMs: decision.delayMs },
    });
    if (decision.action === 'give-up') {
      this.#log.fatal(fields, `workers crashed ${decision.crashes} times within ${decision.windowMs} ms; giving up`);
      void this.stop('fast').then(() => this.#options.onGiveUp(1));
      return;
    }
    this.#log.warn({ ...fields, restartInMs: decision.delayMs }, 'worker exited unexpectedly; replacing it');
    const timer = setTimeout(() => {
      this.#restartTimers.delete(timer);
      crash.restart().then(
        (worker) => this.#log.info({ event: 'restart', workerPid: worker.pid, generation: crash.generation, slot: crash.slot }, 'worker replaced'),
        // The failed replacement's own exit reports the next crash, so backoff continues from there.
        (err: unknown) => this.#log.error({ event: 'restart', code: (err as { code?: string }).code, generation: crash.generation }, (err as Error).message),
      );
    }, decision.delayMs);
    this.#restartTimers.add(timer);
  }

  // --- notifications (never block: notify() only queues) ---

  #notify(notification: Notification): void {
    this.#options.notify?.(notification);
  }

  /** reload_config, and diff_config naming what changed (names only, never values). */
  #notifyReloaded(previous: Generation | undefined, next: Generation): void {
    this.#options.onConfigApplied?.(next.loaded);
    const hash = next.loaded.hash.slice(0, 12);
    this.#notify({ event: 'reload_config', level: 'info', message: `generation ${next.id} serving`, details: { generation: next.id, hash } });
    if (previous === undefined) return;
    const diff = diffConfig(previous.loaded.config, next.loaded.config);
    if (diff.sections.length === 0) return;
    this.#notify({ event: 'diff_config', level: 'info', message: formatConfigDiff(diff), details: { generation: next.id, sections: diff.sections } });
  }

  #releaseUnused(): void {
    const used = new Set([...this.#generations].flatMap((g) => g.listenKeys));
    for (const key of this.#sockets.keys) {
      if (used.has(key)) continue;
      this.#sockets.release(key);
      this.#log.info({ event: 'reload_config', listen: key }, 'released listen address');
    }
  }
}
