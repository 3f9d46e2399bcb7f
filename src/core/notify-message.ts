/**
 * Worker → master notifications (the `notify` protocol of docs/architecture.md): a worker that sees
 * something an operator should hear about (a circuit opening, later ACME results…) sends one message; the
 * master (src/master/worker-notify.ts) de-duplicates across workers and hands it to its Notifier, the only
 * sender of webhooks. Workers never POST notifications themselves.
 *
 * `condition` makes a message part of a state that holds in some workers: `isRaised: true` when it starts
 * holding in this worker, `false` when it stops. The master announces a condition once however many
 * workers raise it (counting those that do within its gathering window) and announces its clearing once.
 * Without `condition`, identical messages (same event and text) from several workers within the window are
 * sent once.
 */

export type NotifyLevel = 'info' | 'warn' | 'error';

export interface NotifyCondition {
  /** Names the condition across workers, e.g. "circuit:upstream:api:http://10.0.0.1:8080". */
  readonly key: string;
  readonly isRaised: boolean;
}

export interface NotifyWorkerMessage {
  readonly type: 'notify';
  /** A notification event name of src/config/notification-schema.ts; the master drops any other. */
  readonly event: string;
  readonly level: NotifyLevel;
  /** One line for humans. */
  readonly message: string;
  /** Names, counts, states: never secrets or config values (they go to third-party webhooks). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly condition?: NotifyCondition;
}

const LEVELS: ReadonlySet<string> = new Set<NotifyLevel>(['info', 'warn', 'error']);

function isCondition(value: unknown): value is NotifyCondition {
  if (typeof value !== 'object' || value === null) return false;
  const { key, isRaised } = value as Record<string, unknown>;
  return typeof key === 'string' && typeof isRaised === 'boolean';
}

/** Narrows a message received by the master; every other protocol's message is refused. */
export function isNotifyWorkerMessage(value: unknown): value is NotifyWorkerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { type, event, level, message, details, condition } = value as Record<string, unknown>;
  return (
    type === 'notify' &&
    typeof event === 'string' &&
    typeof level === 'string' &&
    LEVELS.has(level) &&
    typeof message === 'string' &&
    (details === undefined || (typeof details === 'object' && details !== null && !Array.isArray(details))) &&
    (condition === undefined || isCondition(condition))
  );
}
