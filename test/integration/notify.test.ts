/**
 * The notifier against a real receiver on 127.0.0.1: allow-lists (with the backend alias), retries with
 * backoff on 5xx, no retry on other 4xx, and notify() returning at once while the receiver is down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { notificationSchema } from '../../src/config/notification-schema.ts';
import type { NotificationConfig } from '../../src/config/notification-schema.ts';
import { Notifier } from '../../src/notify/notifier.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';
import type { WebhookReceiver } from '../helpers/webhook-receiver.ts';

const receivers: WebhookReceiver[] = [];
const notifiers: Notifier[] = [];
afterEach(async () => {
  await Promise.all(notifiers.splice(0).map((n) => n.close(0)));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const channel = (input: Record<string, unknown>): NotificationConfig => notificationSchema.parse(input);

function collectLog(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

async function setup(channels: Record<string, Record<string, unknown>>): Promise<{ receiver: WebhookReceiver; notifier: Notifier; lines: Record<string, unknown>[] }> {
  const receiver = await startWebhookReceiver();
  receivers.push(receiver);
  const { logger, lines } = collectLog();
  const notifier = new Notifier({ name: 'test', logger, baseDelayMs: 20 });
  notifiers.push(notifier);
  notifier.configure(Object.fromEntries(Object.entries(channels).map(([name, c]) => [name, channel({ url: receiver.url, ...c })])));
  return { receiver, notifier, lines };
}

describe('Notifier', () => {
  it('sends only the events a channel lists; backend_unhealthy selects backend_status', async () => {
    const { receiver, notifier } = await setup({ ops: { events: ['worker_crash', 'backend_unhealthy'] } });
    notifier.notify({ event: 'reload_config', level: 'info', message: 'not listed' });
    notifier.notify({ event: 'backend_status', level: 'error', message: 'b down' });
    notifier.notify({ event: 'worker_crash', level: 'error', message: 'w died' });
    await receiver.waitFor((b) => b['event'] === 'worker_crash');
    await notifier.close(1_000);
    expect(receiver.bodies.map((b) => b['event'])).toEqual(['backend_status', 'worker_crash']);
  });

  it('retries a 5xx answer with backoff until it is delivered', async () => {
    const { receiver, notifier } = await setup({ ops: { retries: 3 } });
    receiver.statuses.push(503, 502);
    notifier.notify({ event: 'restart', level: 'info', message: 'started' });
    const body = await receiver.waitFor((b) => b['event'] === 'restart');
    expect(body['message']).toBe('started');
    expect(receiver.statuses).toEqual([]);
  });

  it('gives up on a 4xx answer at once and logs the channel name, never its URL', async () => {
    const { receiver, notifier, lines } = await setup({ ops: { retries: 3 } });
    receiver.statuses.push(404);
    notifier.notify({ event: 'restart', level: 'info', message: 'lost' });
    notifier.notify({ event: 'upgrade', level: 'info', message: 'next' });
    await receiver.waitFor((b) => b['event'] === 'upgrade');
    expect(receiver.bodies.map((b) => b['event'])).toEqual(['upgrade']);
    const failure = lines.find((l) => l['event'] === 'notify_fail');
    expect(failure?.['channel']).toBe('ops');
    expect(JSON.stringify(lines)).not.toContain(receiver.url);
  });

  it('returns at once when the receiver is unreachable, and close() is bounded', async () => {
    const { receiver, notifier, lines } = await setup({ ops: { retries: 10 } });
    await receiver.close();
    const started = performance.now();
    for (let i = 0; i < 50; i += 1) notifier.notify({ event: 'restart', level: 'info', message: `m${i}` });
    expect(performance.now() - started).toBeLessThan(100);
    await notifier.close(200);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(lines.filter((l) => l['event'] === 'notify_fail').length).toBeLessThanOrEqual(1);
  });
});
