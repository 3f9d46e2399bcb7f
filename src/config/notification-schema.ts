/**
 * Config shape of `notifications.<name>`: one channel (a URL and a message shape) and the events it
 * receives. Member of `configSchema` in ./schema.ts; the sender is src/notify/. An absent `events` list
 * means every event; an empty list is rejected (pingap's "empty = nothing" silently muted channels).
 */
import { z } from 'zod';
import { duration } from './schema-units.ts';

/**
 * Every event the master can send. `backend_unhealthy` and `backend_healthy` are aliases of
 * `backend_status` (any of the three names in `events` selects all three).
 */
export const NOTIFICATION_EVENTS = [
  'restart',
  'reload_config',
  'reload_config_fail',
  'diff_config',
  'worker_crash',
  'upgrade',
  'backend_status',
  'backend_unhealthy',
  'backend_healthy',
  'upstream_status',
  'lets_encrypt',
  'parse_certificate_fail',
  'tls_validity',
] as const;

export type NotificationEventName = (typeof NOTIFICATION_EVENTS)[number];

export const NOTIFICATION_TYPES = ['webhook', 'slack', 'wecom', 'dingtalk'] as const;

export const notificationSchema = z
  .strictObject({
    type: z
      .enum(NOTIFICATION_TYPES)
      .default('webhook')
      .describe('Message shape: `webhook` (generic JSON), `slack` (`{text}`), `wecom` or `dingtalk` (markdown messages).'),
    url: z
      .url({ protocol: /^https?$/ })
      .describe('Where the message is POSTed (may hold a token: use `${VAR}`; never logged).'),
    events: z
      .array(z.enum(NOTIFICATION_EVENTS))
      .min(1, 'list at least one event, or leave `events` out to receive every event')
      .optional()
      .describe('Events sent to this channel (default: every event). `backend_status`, `backend_unhealthy` and `backend_healthy` select each other.'),
    retries: z.number().int().min(0).max(10).default(3).describe('Attempts after the first one failed (exponential backoff from 500 ms, at most 30 s apart).'),
    timeout: duration('10s').describe('Deadline of one attempt (connect, answer and body).'),
  })
  .describe('A notification channel: events POSTed as JSON, sent by the master in the background.');

export type NotificationConfig = z.output<typeof notificationSchema>;
