/**
 * What the master tells its notification channels: an event name from the config's list, a level, one
 * line of text and structured details (names, counts, pids: never config values or secrets).
 */
import type { NotificationEventName } from '../config/notification-schema.ts';

export type { NotificationEventName } from '../config/notification-schema.ts';

export type NotificationLevel = 'info' | 'warn' | 'error';

export type NotificationDetails = Readonly<Record<string, unknown>>;

export interface Notification {
  readonly event: NotificationEventName;
  readonly level: NotificationLevel;
  readonly message: string;
  readonly details?: NotificationDetails | undefined;
}

/** Sends in the background: returns at once, never throws. */
export type Notify = (notification: Notification) => void;

/** Who sent it, on every message. */
export interface NotificationSource {
  /** `basic.name`. */
  readonly name: string;
  readonly hostname: string;
  readonly pid: number;
}

/** Names in an `events` list that select each other. */
const ALIASES: Readonly<Partial<Record<NotificationEventName, NotificationEventName>>> = {
  backend_unhealthy: 'backend_status',
  backend_healthy: 'backend_status',
};

export function canonicalEvent(event: NotificationEventName): NotificationEventName {
  return ALIASES[event] ?? event;
}
