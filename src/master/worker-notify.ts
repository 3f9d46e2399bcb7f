/**
 * The master's end of the worker `notify` protocol (src/core/notify-message.ts): what workers report goes
 * out through the master's Notifier, once for the whole cluster.
 *
 * A report starts an *episode* keyed by its condition (or, without one, by event and text). The master
 * waits `gatherMs` for the other workers (a dead upstream opens its circuit in every worker within a few
 * requests of each other), then sends one notification that says how many workers reported it. While a
 * condition holds in any worker, further raises send nothing; the first clear (in any worker) sends the
 * clearing message and ends the episode, so a later raise is news again. A worker whose channel closes
 * stops holding its conditions; an episode nobody holds any more ends silently (nothing is known to have
 * recovered). Plain messages end their episode when they are sent.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { NOTIFICATION_EVENTS } from '../config/notification-schema.ts';
import type { NotificationEventName } from '../config/notification-schema.ts';
import { isNotifyWorkerMessage } from '../core/notify-message.ts';
import type { NotifyWorkerMessage } from '../core/notify-message.ts';
import type { Notify } from '../notify/notification.ts';
import type { ClusterHub } from './lease-service.ts';

export interface WorkerNotificationsOptions {
  readonly notify: Notify;
  /** How long after the first report other workers' reports are counted into the same notification. */
  readonly gatherMs?: number;
  /** A report with an event name the config schema does not know (dropped). */
  readonly onRejected?: (event: string) => void;
}

/** The worker a report came from. */
export interface NotifyingWorker {
  /** Stable for the channel's life (node:cluster's worker id). */
  readonly id: string;
  readonly pid: number;
}

export const DEFAULT_GATHER_MS = 2_000;

type KnownMessage = NotifyWorkerMessage & { readonly event: NotificationEventName };

interface Episode {
  readonly first: KnownMessage;
  readonly isCondition: boolean;
  /** Workers in which the condition holds now. */
  readonly holders: Set<string>;
  /** Worker id → pid of every worker that reported it in this episode. */
  readonly reporters: Map<string, number>;
  timer: NodeJS.Timeout | undefined;
  isAnnounced: boolean;
}

const EVENTS: ReadonlySet<string> = new Set(NOTIFICATION_EVENTS);

function isKnownEvent(message: NotifyWorkerMessage): message is KnownMessage {
  return EVENTS.has(message.event);
}

/** The de-duplication, independent of the transport (node:cluster in WorkerNotifyService, plain calls in tests). */
export class WorkerNotifications {
  readonly #notify: Notify;
  readonly #gatherMs: number;
  readonly #onRejected: (event: string) => void;
  readonly #episodes = new Map<string, Episode>();

  constructor(options: WorkerNotificationsOptions) {
    this.#notify = options.notify;
    this.#gatherMs = options.gatherMs ?? DEFAULT_GATHER_MS;
    this.#onRejected = options.onRejected ?? (() => undefined);
  }

  receive(worker: NotifyingWorker, message: NotifyWorkerMessage): void {
    if (!isKnownEvent(message)) {
      this.#onRejected(message.event);
      return;
    }
    const { condition } = message;
    const key = condition === undefined ? `message:${message.event}\n${message.message}` : `condition:${condition.key}`;
    const episode = this.#episodes.get(key);
    if (condition !== undefined && !condition.isRaised) {
      if (episode === undefined) return;
      // It happened, and it is over: both are news, in that order.
      if (!episode.isAnnounced) this.#announce(key, episode);
      this.#episodes.delete(key);
      this.#notify({ event: message.event, level: message.level, message: message.message, details: { ...message.details, workerPid: worker.pid } });
      return;
    }
    if (episode !== undefined) {
      episode.reporters.set(worker.id, worker.pid);
      if (condition !== undefined) episode.holders.add(worker.id);
      return;
    }
    const next: Episode = {
      first: message,
      isCondition: condition !== undefined,
      holders: new Set(condition === undefined ? [] : [worker.id]),
      reporters: new Map([[worker.id, worker.pid]]),
      timer: undefined,
      isAnnounced: false,
    };
    next.timer = setTimeout(() => this.#announce(key, next), this.#gatherMs);
    next.timer.unref();
    this.#episodes.set(key, next);
  }

  /** The worker's channel closed: it holds no condition any more. */
  forget(workerId: string): void {
    for (const [key, episode] of this.#episodes) {
      episode.holders.delete(workerId);
      if (episode.isAnnounced && episode.holders.size === 0) this.#episodes.delete(key);
    }
  }

  /** Sends what is still being gathered (the master is exiting) and forgets every episode. */
  close(): void {
    for (const [key, episode] of this.#episodes) if (!episode.isAnnounced) this.#announce(key, episode);
    this.#episodes.clear();
  }

  #announce(key: string, episode: Episode): void {
    clearTimeout(episode.timer);
    episode.isAnnounced = true;
    if (!episode.isCondition || episode.holders.size === 0) this.#episodes.delete(key);
    const { first, reporters } = episode;
    const count = reporters.size;
    this.#notify({
      event: first.event,
      level: first.level,
      message: `${first.message} (${count} worker${count === 1 ? '' : 's'})`,
      details: { ...first.details, workers: count, workerPids: [...reporters.values()] },
    });
  }
}

/** WorkerNotifications fed by every worker of every generation over node:cluster. */
export class WorkerNotifyService {
  readonly notifications: WorkerNotifications;
  readonly #hub: ClusterHub;

  constructor(options: WorkerNotificationsOptions, hub: ClusterHub = cluster) {
    this.notifications = new WorkerNotifications(options);
    this.#hub = hub;
    hub.on('message', this.#onMessage);
    hub.on('disconnect', this.#onGone);
  }

  /** Sends what is being gathered; call before the Notifier closes. */
  close(): void {
    this.#hub.off('message', this.#onMessage);
    this.#hub.off('disconnect', this.#onGone);
    this.notifications.close();
  }

  #onMessage = (worker: Worker, message: unknown): void => {
    if (isNotifyWorkerMessage(message)) this.notifications.receive({ id: String(worker.id), pid: worker.process.pid ?? -1 }, message);
  };

  #onGone = (worker: Worker): void => {
    this.notifications.forget(String(worker.id));
  };
}
