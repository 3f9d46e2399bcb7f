import { channel } from 'node:diagnostics_channel';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AUTH_CHANNEL, LIMIT_CHANNEL } from '../observability/access-subscriber.ts';
import { auditDeniedRequests, createAuditLog } from './audit-log.ts';
import type { AuditEntry } from './audit-log.ts';

function capture(level: pino.LevelWithSilent): { lines: Record<string, unknown>[]; logger: pino.Logger } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level }, stream) };
}

describe('createAuditLog', () => {
  it('writes one JSON line marked event "audit" at info, even when the log level is warn', () => {
    const { lines, logger } = capture('warn');
    createAuditLog(logger).write({ action: 'consumer.create', outcome: 'applied', actor: { token: 'ops', address: '10.0.0.1' }, consumer: 'team-a' });
    logger.info('not an audit line');
    expect(lines).toEqual([expect.objectContaining({ level: 30, event: 'audit', action: 'consumer.create', outcome: 'applied', actor: { token: 'ops', address: '10.0.0.1' }, consumer: 'team-a' })]);
  });

  it('writes nothing when the log is silent', () => {
    const { lines, logger } = capture('silent');
    createAuditLog(logger).write({ action: 'consumer.create', outcome: 'applied' });
    expect(lines).toEqual([]);
  });
});

describe('auditDeniedRequests', () => {
  it('audits failed authentication and exceeded limits, not successful authentication', () => {
    const entries: AuditEntry[] = [];
    const stop = auditDeniedRequests({ write: (entry) => entries.push(entry) });
    try {
      channel(AUTH_CHANNEL).publish({ requestId: 'r1', location: 'ai', result: 'ok', consumer: 'a', keyName: 'k' });
      channel(AUTH_CHANNEL).publish({ requestId: 'r2', location: 'ai', result: 'inactive', client: '10.0.0.7', consumer: 'a', keyName: 'k' });
      channel(LIMIT_CHANNEL).publish({ requestId: 'r3', location: 'ai', plugin: 'per-key', kind: 'rate', client: '10.0.0.8', subject: 'a', consumer: 'a', keyName: 'k' });
    } finally {
      stop();
    }
    channel(AUTH_CHANNEL).publish({ requestId: 'r4', location: 'ai', result: 'invalid' });
    expect(entries).toEqual([
      { action: 'request.denied', outcome: 'denied', reason: 'inactive', client: '10.0.0.7', location: 'ai', request_id: 'r2', consumer: 'a', key: 'k' },
      { action: 'request.limited', outcome: 'denied', kind: 'rate', plugin: 'per-key', subject: 'a', client: '10.0.0.8', location: 'ai', request_id: 'r3', consumer: 'a', key: 'k' },
    ]);
  });
});
