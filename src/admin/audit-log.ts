/**
 * The audit log: one JSON line per management change and per refused request, in the application log
 * (stdout or `--log FILE`, with its rotation and reopen) marked `"event":"audit"`, so
 * `jq 'select(.event == "audit")'` extracts it. Lines are written at level info whatever `basic.log_level`
 * says (only "silent" silences them). Entries carry names, ids and addresses, never a token, key or hash.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Logger } from '../lib/logger.ts';
import { AUTH_CHANNEL, LIMIT_CHANNEL } from '../observability/access-subscriber.ts';
import type { Actor } from './admin-messages.ts';

export interface AuditEntry {
  /** `consumer.create`, `key.delete`, `admin.auth`, `request.denied`, `request.limited`, … */
  readonly action: string;
  /** `applied`, `unchanged`, `rejected` (4xx before any change), `invalid` (config issues), `failed`, `denied`. */
  readonly outcome: string;
  readonly actor?: Actor | { readonly address: string } | undefined;
  readonly [field: string]: unknown;
}

export interface AuditLog {
  write(entry: AuditEntry): void;
}

export function createAuditLog(logger: Logger): AuditLog {
  const log = logger.level === 'silent' ? logger : logger.child({ event: 'audit' }, { level: 'info' });
  return {
    write(entry) {
      log.info(entry, `audit: ${entry.action} ${entry.outcome}`);
    },
  };
}

interface AccessEventFields {
  readonly requestId?: unknown;
  readonly location?: unknown;
  readonly result?: unknown;
  readonly consumer?: unknown;
  readonly keyName?: unknown;
  readonly plugin?: unknown;
  readonly kind?: unknown;
  readonly subject?: unknown;
  readonly client?: unknown;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Audits the refusals the access plugins publish on node:diagnostics_channel (payloads in
 * src/plugins/access-events.ts, read structurally): failed authentication and exceeded limits.
 * Returns the unsubscribe function.
 */
export function auditDeniedRequests(audit: AuditLog): () => void {
  const onAuth = (message: unknown): void => {
    const event = message as AccessEventFields;
    if (event.result === 'ok' || typeof event.result !== 'string') return;
    audit.write({
      action: 'request.denied',
      outcome: 'denied',
      reason: event.result,
      client: text(event.client),
      location: text(event.location),
      request_id: text(event.requestId),
      consumer: text(event.consumer),
      key: text(event.keyName),
    });
  };
  const onLimit = (message: unknown): void => {
    const event = message as AccessEventFields;
    audit.write({
      action: 'request.limited',
      outcome: 'denied',
      kind: text(event.kind),
      plugin: text(event.plugin),
      subject: text(event.subject),
      client: text(event.client),
      location: text(event.location),
      request_id: text(event.requestId),
      consumer: text(event.consumer),
      key: text(event.keyName),
    });
  };
  subscribe(AUTH_CHANNEL, onAuth);
  subscribe(LIMIT_CHANNEL, onLimit);
  return () => {
    unsubscribe(AUTH_CHANNEL, onAuth);
    unsubscribe(LIMIT_CHANNEL, onLimit);
  };
}
