import { channel } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../config/schema.ts';
import { AI_CIRCUIT_CHANNEL } from '../core/provider-state.ts';
import type { ProviderCircuitEvent } from '../core/provider-state.ts';
import { CIRCUIT_CHANNEL } from '../proxy/target-breakers.ts';
import type { CircuitEvent } from '../proxy/target-breakers.ts';
import { CircuitWatch } from './circuit-watch.ts';
import type { WorkerNotification } from './notify-master.ts';

const targets = channel(CIRCUIT_CHANNEL);
const providers = channel(AI_CIRCUIT_CHANNEL);
const T0 = Date.parse('2026-11-22T05:00:00.000Z');
const TARGET = 'http://127.0.0.1:9';

const providerConfig = {
  openai: { type: 'openai', circuit_breaker: { failures: 2, cooldown: 5_000, half_open_probes: 1 } },
} as unknown as Config['providers'];

function target(from: CircuitEvent['from'], to: CircuitEvent['to'], cooldownMs = 0): void {
  targets.publish({ upstream: 'api', target: TARGET, from, to, cooldownMs } satisfies CircuitEvent);
}

function provider(from: ProviderCircuitEvent['from'], to: ProviderCircuitEvent['to']): void {
  providers.publish({ provider: 'openai', from, to } satisfies ProviderCircuitEvent);
}

let now: number;
let sent: WorkerNotification[];
let watch: CircuitWatch;

beforeEach(() => {
  now = T0;
  sent = [];
  watch = new CircuitWatch({ providers: providerConfig, notify: (n) => sent.push(n), now: () => now });
});

afterEach(() => watch.close());

describe('CircuitWatch', () => {
  it('lists nothing and sends nothing while every circuit is closed', () => {
    target(null, 'closed');
    provider(null, 'closed');
    expect(watch.notClosed()).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('lists an open target with the end of its cooldown, then as half-open once the cooldown passed', () => {
    target('closed', 'open', 2_000);
    expect(watch.notClosed()).toEqual([{ kind: 'target', upstream: 'api', target: TARGET, state: 'open', openUntil: '2026-11-22T05:00:02.000Z' }]);
    now += 2_000;
    expect(watch.notClosed()).toEqual([{ kind: 'target', upstream: 'api', target: TARGET, state: 'half-open' }]);
  });

  it('reports an opening once as backend_unhealthy; a failed probe (half-open → open) says nothing new', () => {
    target('closed', 'open', 2_000);
    now += 2_000;
    target('open', 'half-open');
    target('half-open', 'open', 2_000);
    expect(sent).toEqual([
      {
        event: 'backend_unhealthy',
        level: 'warn',
        message: `circuit of upstream api target ${TARGET} opened`,
        details: { kind: 'target', upstream: 'api', target: TARGET, state: 'open', cooldownMs: 2_000 },
        condition: { key: `circuit:upstream:api:${TARGET}`, isRaised: true },
      },
    ]);
    expect(watch.notClosed()).toMatchObject([{ state: 'open', openUntil: '2026-11-22T05:00:04.000Z' }]);
  });

  it('reports a closing as backend_healthy and stops listing the circuit', () => {
    target('closed', 'open', 2_000);
    target('open', 'half-open');
    target('half-open', 'closed');
    expect(sent.map((n) => [n.event, n.condition])).toEqual([
      ['backend_unhealthy', { key: `circuit:upstream:api:${TARGET}`, isRaised: true }],
      ['backend_healthy', { key: `circuit:upstream:api:${TARGET}`, isRaised: false }],
    ]);
    expect(watch.notClosed()).toEqual([]);
  });

  it('lists an open provider with its configured cooldown, after the targets', () => {
    provider('closed', 'open');
    target('closed', 'open', 1_000);
    expect(watch.notClosed()).toEqual([
      { kind: 'target', upstream: 'api', target: TARGET, state: 'open', openUntil: '2026-11-22T05:00:01.000Z' },
      { kind: 'provider', provider: 'openai', state: 'open', openUntil: '2026-11-22T05:00:05.000Z' },
    ]);
    expect(sent[0]).toMatchObject({ event: 'backend_unhealthy', details: { kind: 'provider', provider: 'openai', cooldownMs: 5_000 } });
  });

  it('stops listening once closed', () => {
    watch.close();
    target('closed', 'open', 1_000);
    expect(watch.notClosed()).toEqual([]);
    expect(sent).toEqual([]);
  });
});
