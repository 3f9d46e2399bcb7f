import { channel } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { AUTH_CHANNEL as PLUGIN_AUTH_CHANNEL, LIMIT_CHANNEL as PLUGIN_LIMIT_CHANNEL } from '../plugins/access-events.ts';
import { AUTH_CHANNEL, LIMIT_CHANNEL, QUOTA_CHANNEL, subscribeAccessEvents } from './access-subscriber.ts';
import { GatewayMetrics } from './gateway-metrics.ts';

describe('subscribeAccessEvents', () => {
  it('listens on the channels the access plugins publish on', () => {
    expect([AUTH_CHANNEL, LIMIT_CHANNEL]).toEqual([PLUGIN_AUTH_CHANNEL, PLUGIN_LIMIT_CHANNEL]);
  });

  it('counts auth results, rate-limit and quota refusals by key name until unsubscribed', () => {
    const metrics = new GatewayMetrics();
    const stop = subscribeAccessEvents(metrics);
    channel(AUTH_CHANNEL).publish({ result: 'ok', keyName: 'ci' });
    channel(AUTH_CHANNEL).publish({ result: 'ok', keyName: 'ci' });
    channel(AUTH_CHANNEL).publish({ result: 'invalid' });
    channel(LIMIT_CHANNEL).publish({ kind: 'rate', keyName: 'ci', subject: 'team-a' });
    channel(LIMIT_CHANNEL).publish({ kind: 'rate', subject: '10.0.0.1' });
    channel(QUOTA_CHANNEL).publish({ keyName: 'ci' });
    stop();
    channel(AUTH_CHANNEL).publish({ result: 'ok' });
    const values = Object.fromEntries(
      metrics.snapshot().filter((m) => /auth|exceeded/.test(m.name)).map((m) => [m.name, m.values.map((v) => [Object.values(v.labels).join(), v.value])]),
    );
    expect(values).toEqual({
      auth_requests_total: [['ok', 2], ['invalid', 1]],
      rate_limit_exceeded_total: [['ci', 1], ['10.0.0.1', 1]],
      quota_exceeded_total: [['ci', 1]],
    });
  });
});
