import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { GatewayResponse } from '../core/http-types.ts';
import type { UsageRecord } from '../core/usage-record.ts';
import { TokenMeter } from './token-meter.ts';

const usage = (requestId: string, inputTokens: number, outputTokens: number) => ({ requestId, inputTokens, outputTokens }) as UsageRecord;
const response = () => new EventEmitter() as unknown as GatewayResponse;

describe('TokenMeter', () => {
  it('charges input + output tokens to every limit that expects the request, once', () => {
    const meter = new TokenMeter();
    const charged: number[] = [];
    const res = response();
    meter.expect('r1', res, (t) => charged.push(t));
    meter.expect('r1', res, (t) => charged.push(-t));
    meter.record(usage('other', 5, 5));
    meter.record(usage('r1', 12, 30));
    meter.record(usage('r1', 12, 30));
    expect(charged).toEqual([42, -42]);
    expect(meter.size).toBe(0);
  });

  it('still charges a record that arrives just after the response closed', () => {
    const meter = new TokenMeter();
    const charged: number[] = [];
    const res = response();
    meter.expect('r1', res, (t) => charged.push(t));
    res.emit('close');
    meter.record(usage('r1', 1, 2));
    expect(charged).toEqual([3]);
  });
});
