/**
 * Key selection under `max_concurrency_per_key`: the exchange loop with fake providers whose answers the
 * test releases, so attempts stay in flight as long as it wants (no sockets).
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { locationSchema, providerSchema, type Config } from '../../config/schema.ts';
import { isGatewayError } from '../../core/errors.ts';
import type { UsageRecord } from '../../core/usage-record.ts';
import { Cancellation } from '../../lib/cancellation.ts';
import type { CatalogModel, ModelTarget } from '../model-catalog.ts';
import type { Provider, UpstreamCall, UpstreamReply } from '../providers/provider.ts';
import { KeyRing } from '../routing/key-ring.ts';
import { compileKeySlots, LocalSlotStore, type SlotStore } from '../routing/key-slots.ts';
import { LocalKeyStateStore } from '../routing/key-state-store.ts';
import { NO_CIRCUITS } from '../routing/provider-circuits.ts';
import { ZERO_USAGE } from '../translate/usage.ts';
import { UsageTracker } from '../usage/usage-tracker.ts';
import type { ExchangeSpec } from './exchange-types.ts';
import type { ResponseRelay } from './response-relay.ts';
import { runExchange } from './run-exchange.ts';

interface Call {
  readonly provider: string;
  readonly keyId: string | undefined;
  /** Answers the call: 200 JSON, or `status` with an error body. */
  answer(status?: number): void;
  fail(error: Error): void;
}

function jsonReply(status: number): UpstreamReply {
  const body = status === 200 ? '{"ok":true}' : '{"error":{"message":"x"}}';
  return { status, headers: { 'content-type': 'application/json' }, body: (async function* () {})(), whole: Buffer.from(body), text: async () => body, discard: () => undefined };
}

/** A provider whose calls wait in `calls` until the test answers them. */
function fakeProvider(name: string, secrets: readonly string[], calls: Call[]): Provider {
  const keys = new KeyRing(name, secrets);
  return {
    name,
    type: 'openai',
    dialect: 'openai',
    weight: 1,
    keys,
    cooldownMs: 60_000,
    supports: () => true,
    send: (call: UpstreamCall) =>
      new Promise<UpstreamReply>((resolve, reject) => {
        calls.push({ provider: name, keyId: call.key?.id, answer: (status = 200) => resolve(jsonReply(status)), fail: reject });
      }),
    learnedOutputLimit: () => undefined,
    noteErrorAnswer: () => undefined,
    close: async () => undefined,
  };
}

const RELAY: ResponseRelay = {
  renderError: (status, bodyText) => ({ status, headers: { 'content-type': 'application/json' }, body: bodyText }),
  responseHeaders: () => ({ 'content-type': 'application/json' }),
  relayJson: (text) => text,
  push: (chunk) => chunk,
  end: () => '',
  fail: () => '',
  streamOutcome: 'complete',
  usage: ZERO_USAGE,
};

interface Setup {
  readonly providers?: Record<string, { keys: string[]; max?: number }>;
  readonly locationMax?: number;
  readonly defaultProvider?: string;
  readonly store?: SlotStore;
}

function setup(options: Setup) {
  const calls: Call[] = [];
  const specs = options.providers ?? { a: { keys: ['sk-x-1', 'sk-x-2'], max: 1 } };
  const providers = new Map<string, Provider>();
  const providerConfigs: Config['providers'] = {};
  const targets: ModelTarget[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const provider = fakeProvider(name, spec.keys, calls);
    providers.set(name, provider);
    providerConfigs[name] = providerSchema.parse({ type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys: spec.keys, max_concurrency_per_key: spec.max });
    targets.push({ providerName: name, provider, upstreamModel: 'up', maxOutputTokens: undefined });
  }
  const locations = { ai: locationSchema.parse({ path: '/v1', ai: { max_concurrency_per_key: options.locationMax } }) };
  const keySlots = compileKeySlots({ providers: providerConfigs, locations }, providers, options.store ?? new LocalSlotStore()).forLocation('ai');
  const model: CatalogModel = { name: 'm', aliases: [], targets, defaultProvider: options.defaultProvider ?? targets[0]?.providerName };
  const keyStates = new LocalKeyStateStore();

  /** Starts one request; resolves with its usage record (and the thrown error, if any) when it ends. */
  function start(localAnswer?: () => string) {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    const tracker = new UsageTracker({ requestId: 'r', locationName: 'ai', endpoint: 'chat_completions', clientDialect: 'openai' }, Date.now());
    const spec: ExchangeSpec = {
      operation: 'chat',
      clientDialect: 'openai',
      clientModel: 'm',
      model,
      isStream: false,
      anthropicBeta: undefined,
      anthropicVersion: undefined,
      query: '',
      prepare: () => ({ body: '{}', relay: RELAY, dropped: [] }),
      ...(localAnswer === undefined ? {} : { localAnswer }),
    };
    const settings = { isStrict: false, exposesSelection: false, allowProviders: null, maxAttempts: 3, maxRetryWaitMs: 0 };
    const env = { res, requestId: 'r', settings, keyStates, circuits: NO_CIRCUITS, keySlots, tracker, cancellation: new Cancellation(), now: Date.now, random: () => 0 };
    return runExchange(spec, env).then(
      () => ({ error: undefined as unknown, record: finish(tracker), status: res.statusCode }),
      (error: unknown) => ({ error, record: finish(tracker), status: 0 }),
    );
  }
  return { calls, start, keySlots };
}

function finish(tracker: UsageTracker): UsageRecord {
  let record: UsageRecord | undefined;
  tracker.finish({ record: (r) => void (record = r) }, Date.now());
  if (record === undefined) throw new Error('no usage record');
  return record;
}

/** Lets pending promise callbacks run (the exchange reaches `send` after a few ticks). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('runExchange with max_concurrency_per_key', () => {
  it('puts concurrent requests on different keys and refuses with 503 when every key is at its cap', async () => {
    const { calls, start } = setup({});
    const first = start();
    const second = start();
    await settle();
    expect(calls.map((c) => c.provider)).toEqual(['a', 'a']);
    expect(new Set(calls.map((c) => c.keyId)).size).toBe(2);
    const third = await start();
    expect(calls).toHaveLength(2);
    expect(isGatewayError(third.error) && third.error.code).toBe('upstream_concurrency_exceeded');
    expect(isGatewayError(third.error) && third.error.headers).toEqual({ 'retry-after': '1' });
    expect(third.record.outcome).toBe('no_provider');
    expect(third.record.attempts).toBe(0);
    expect(third.record.upstreamAttempts?.map((a) => a.errorType)).toEqual(['key_busy', 'key_busy']);
    for (const call of calls) call.answer();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
  });

  it('frees the slot when the attempt ends, whether answered, failed or thrown', async () => {
    const { calls, start } = setup({ providers: { a: { keys: ['sk-y-1'], max: 1 } } });
    const answered = start();
    await settle();
    calls[0]?.answer();
    await answered;
    const failed = start();
    await settle();
    calls[1]?.answer(400);
    expect((await failed).status).toBe(400);
    const broken = start();
    await settle();
    calls[2]?.fail(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    expect((await broken).status).toBe(502);
    const next = start();
    await settle();
    expect(calls).toHaveLength(4);
    calls[3]?.answer();
    expect((await next).status).toBe(200);
  });

  it('skips a busy key for the next key, then the next provider, recording key_busy', async () => {
    const { calls, start } = setup({ providers: { a: { keys: ['sk-z-1'], max: 1 }, b: { keys: ['sk-z-2'] } }, defaultProvider: 'a' });
    const first = start();
    await settle();
    const second = start();
    await settle();
    expect(calls.map((c) => c.provider)).toEqual(['a', 'b']);
    for (const call of calls) call.answer();
    await first;
    const record = (await second).record;
    expect(record.provider).toBe('b');
    expect(record.attempts).toBe(1);
    expect(record.upstreamAttempts?.map((a) => [a.provider, a.errorType ?? a.status])).toEqual([['a', 'key_busy'], ['b', 200]]);
  });

  it('caps a location per key even when the provider has no cap', async () => {
    const { calls, start } = setup({ providers: { a: { keys: ['sk-w-1'] } }, locationMax: 2 });
    const running = [start(), start()];
    await settle();
    const refused = await start();
    expect(isGatewayError(refused.error) && refused.error.code).toBe('upstream_concurrency_exceeded');
    for (const call of calls) call.answer();
    await Promise.all(running);
  });

  it('waits for a store that answers later and refuses on its refusal', async () => {
    const inner = new LocalSlotStore();
    const store: SlotStore = { acquire: (key, max) => Promise.resolve(inner.acquire(key, max)), release: (key) => inner.release(key) };
    const { calls, start } = setup({ providers: { a: { keys: ['sk-v-1', 'sk-v-2'], max: 1 } }, store });
    const running = [start(), start()];
    await settle();
    expect(calls).toHaveLength(2);
    const refused = await start();
    expect(isGatewayError(refused.error) && refused.error.code).toBe('upstream_concurrency_exceeded');
    for (const call of calls) call.answer();
    await Promise.all(running);
    const again = start();
    await settle();
    calls[2]?.answer();
    expect((await again).status).toBe(200);
  });

  it('answers locally instead of 503 when the endpoint has a local answer (count_tokens)', async () => {
    const { calls, start } = setup({ providers: { a: { keys: ['sk-u-1'], max: 1 } } });
    const running = start();
    await settle();
    const local = await start(() => '{"input_tokens":3}');
    expect(local.status).toBe(200);
    expect(local.error).toBeUndefined();
    calls[0]?.answer();
    await running;
  });
});
