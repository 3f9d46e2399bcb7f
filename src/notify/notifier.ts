/**
 * The master's notification sender: `notify()` formats the message once per channel whose `events` list
 * selects it and queues it (channel-queue.ts); it returns at once and never throws, so no reload, crash
 * handling or request ever waits for a webhook. `configure()` takes the channels of each new config
 * (queues of unchanged channels keep their backlog); `close()` lets queued messages go out for a bounded
 * time, then drops the rest. Failures are logged with the channel name, never its URL.
 */
import { hostname } from 'node:os';
import { Agent } from 'undici';
import type { Logger } from 'pino';
import type { NotificationConfig } from '../config/notification-schema.ts';
import { ChannelQueue } from './channel-queue.ts';
import { canonicalEvent } from './notification.ts';
import type { Notification, NotificationSource } from './notification.ts';
import { buildPayload } from './payload.ts';

export interface NotifierOptions {
  /** `basic.name`. */
  readonly name: string;
  readonly logger: Logger;
  /** Backoff base (tests shorten it). */
  readonly baseDelayMs?: number;
}

interface Channel {
  readonly config: NotificationConfig;
  /** Canonical event names, or undefined for every event. */
  readonly events: ReadonlySet<string> | undefined;
  readonly queue: ChannelQueue;
}

export class Notifier {
  readonly #options: NotifierOptions;
  readonly #log: Logger;
  readonly #agent = new Agent({ keepAliveTimeout: 10_000, connections: 4 });
  #source: NotificationSource;
  #channels = new Map<string, Channel>();

  constructor(options: NotifierOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#source = { name: options.name, hostname: hostname(), pid: process.pid };
  }

  /** The channels of the config now in force (and its `basic.name`). */
  configure(channels: Readonly<Record<string, NotificationConfig>>, name: string = this.#source.name): void {
    this.#source = { ...this.#source, name };
    const next = new Map<string, Channel>();
    for (const [channelName, config] of Object.entries(channels)) {
      const current = this.#channels.get(channelName);
      if (current !== undefined && JSON.stringify(current.config) === JSON.stringify(config)) {
        next.set(channelName, current);
        continue;
      }
      next.set(channelName, {
        config,
        events: config.events === undefined ? undefined : new Set(config.events.map(canonicalEvent)),
        queue: new ChannelQueue({
          name: channelName,
          url: config.url,
          retries: config.retries,
          timeoutMs: config.timeout,
          dispatcher: this.#agent,
          ...(this.#options.baseDelayMs === undefined ? {} : { baseDelayMs: this.#options.baseDelayMs }),
          onFailure: (reason) => this.#log.warn({ event: 'notify_fail', channel: channelName }, `notification not delivered: ${reason}`),
        }),
      });
    }
    // Channels removed or changed: what they still hold goes out in the background, then they close.
    for (const [channelName, channel] of this.#channels) {
      if (next.get(channelName) !== channel) void channel.queue.idle().then(() => channel.queue.close());
    }
    this.#channels = next;
  }

  /** Queues the notification for every channel that takes its event; returns at once. */
  notify(notification: Notification): void {
    try {
      const event = canonicalEvent(notification.event);
      const now = new Date();
      for (const channel of this.#channels.values()) {
        if (channel.events !== undefined && !channel.events.has(event)) continue;
        channel.queue.push(JSON.stringify(buildPayload(channel.config.type, notification, this.#source, now)));
      }
    } catch (err) {
      this.#log.error({ event: 'notify_fail' }, `notification not sent: ${(err as Error).message}`);
    }
  }

  /** Waits up to `timeoutMs` for queued messages, then drops the rest and closes the connections. */
  async close(timeoutMs: number): Promise<void> {
    const channels = [...this.#channels.values()];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(channels.map((c) => c.queue.idle())), deadline]);
    clearTimeout(timer);
    for (const channel of channels) channel.queue.close();
    this.#channels = new Map();
    await this.#agent.destroy().catch(() => undefined);
  }
}
