/**
 * The body POSTed for each channel type:
 *   webhook   {name, event, level, hostname, pid, time, message, details}
 *   slack     {text}
 *   wecom     {msgtype: "markdown", markdown: {content}}
 *   dingtalk  {msgtype: "markdown", markdown: {title, text}}
 * The markdown and Slack texts hold the same facts as the generic webhook (details as `key: value` lines).
 */
import type { NotificationConfig } from '../config/notification-schema.ts';
import type { Notification, NotificationSource } from './notification.ts';

export interface WebhookPayload {
  readonly name: string;
  readonly event: string;
  readonly level: string;
  readonly hostname: string;
  readonly pid: number;
  /** ISO 8601, UTC. */
  readonly time: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Longest rendering of one detail value in a text message. */
const MAX_VALUE_CHARS = 500;

function detailLines(details: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(details).map(([key, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
    return `${key}: ${text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text}`;
  });
}

function markdown(n: Notification, source: NotificationSource, time: string): string {
  const heading = `**${source.name}** ${n.event} (${n.level})`;
  const facts = [`> host: ${source.hostname}, pid: ${source.pid}`, `> time: ${time}`];
  return [heading, ...facts, '', n.message, ...detailLines(n.details ?? {}).map((line) => `- ${line}`)].join('\n');
}

export function buildPayload(type: NotificationConfig['type'], n: Notification, source: NotificationSource, now: Date): unknown {
  const time = now.toISOString();
  switch (type) {
    case 'webhook':
      return {
        name: source.name,
        event: n.event,
        level: n.level,
        hostname: source.hostname,
        pid: source.pid,
        time,
        message: n.message,
        details: n.details ?? {},
      } satisfies WebhookPayload;
    case 'slack': {
      const lines = [`[${source.name}] ${n.event} (${n.level}) on ${source.hostname}, pid ${source.pid}: ${n.message}`, ...detailLines(n.details ?? {})];
      return { text: lines.join('\n') };
    }
    case 'wecom':
      return { msgtype: 'markdown', markdown: { content: markdown(n, source, time) } };
    case 'dingtalk':
      return { msgtype: 'markdown', markdown: { title: `${source.name} ${n.event}`, text: markdown(n, source, time) } };
  }
}
