/**
 * `max_concurrency_per_key: 1` on a provider with two keys, through real sockets and the official SDKs:
 * two concurrent streams (slow first byte, then paced events) run on both keys, a third request gets
 * 503 upstream_concurrency_exceeded in the client's dialect without reaching the upstream, and the slots
 * come back when the streams complete and when clients abort (before the first byte and mid-stream).
 * `louailink_ai_key_in_flight` follows.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keyIdFor } from '../../src/core/provider-state.ts';
import { startAiHarness, type AiHarness } from '../helpers/ai-harness.ts';
import { hang, slowFirstByte, type Step } from '../mock-upstreams/index.ts';

const KEYS = ['sk-keycap-one', 'sk-keycap-two'];
const KEY_IDS = KEYS.map((key) => keyIdFor('capped', key));
const words = (count: number): string[] => Array.from({ length: count }, (_, i) => `w${i} `);
/** Head after 300 ms, then 8 events 150 ms apart: each stream holds its key for about 1.4 s. */
const SLOW_STREAM: Step = slowFirstByte(300, { reply: { text: words(8) }, paceMs: 150 });
/** Would hold its key for 20 s: a slot that comes back sooner was given back by the abort. */
const ENDLESS_STREAM: Step = { reply: { text: words(100) }, paceMs: 200 };
/**
 * Streams that end at once: two requests in a row must still use both keys (round robin), which a slot
 * leaked on either key would prevent (that key would be skipped as busy every time).
 */
const FAST_STREAM: Step = { reply: { text: words(2) } };
const CHAT = { model: 'gpt-capped', messages: [{ role: 'user' as const, content: 'hi' }] };

let h: AiHarness;
let openai: OpenAI;

beforeAll(async () => {
  h = await startAiHarness({
    openaiMock: { keys: KEYS },
    providers: ({ openai: mock }) => ({ capped: { type: 'openai', base_url: mock.url, keys: KEYS, max_concurrency_per_key: 1 } }),
    models: { 'gpt-capped': { providers: { capped: 'gpt-4o-mini' } } },
    ai: { expose_selection: true },
  });
  openai = h.openai();
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  await waitForInFlight([0, 0]);
  h.openaiMock.reset();
  h.openaiMock.setScript(SLOW_STREAM);
});

async function metricsText(): Promise<string> {
  const res = await request(`${h.gateway.url}/metrics`);
  return res.body.text();
}

/** The gauge per key (a series not shown yet reads 0). */
async function inFlight(): Promise<number[]> {
  const text = await metricsText();
  return KEY_IDS.map((id) => {
    const line = text.split('\n').find((l) => l.startsWith(`louailink_ai_key_in_flight{provider="capped",key_id="${id}"}`));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  });
}

async function waitForInFlight(expected: number[]): Promise<void> {
  const deadline = Date.now() + 5_000;
  let seen = await inFlight();
  while (JSON.stringify(seen) !== JSON.stringify(expected)) {
    if (Date.now() > deadline) throw new Error(`louailink_ai_key_in_flight is ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    seen = await inFlight();
  }
}

async function readAll(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

/** Two requests in a row land on the two keys: neither key holds a leaked slot. */
async function expectBothKeysFree(): Promise<void> {
  h.openaiMock.reset();
  h.openaiMock.setScript(FAST_STREAM);
  for (let i = 0; i < 2; i++) await readAll(await openai.chat.completions.create({ ...CHAT, stream: true }));
  expect(h.openaiMock.requests.map((r) => r.key).sort()).toEqual([...KEYS].sort());
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('the request was admitted');
    },
    (err: unknown) => err,
  );
}

describe('max_concurrency_per_key', () => {
  it('runs two streams on the two keys and refuses a third with 503 upstream_concurrency_exceeded', async () => {
    const first = openai.chat.completions.create({ ...CHAT, stream: true }).withResponse();
    const second = openai.chat.completions.create({ ...CHAT, stream: true }).withResponse();
    await h.openaiMock.waitForRequests(2);
    expect(new Set(h.openaiMock.requests.map((r) => r.key))).toEqual(new Set(KEYS));

    const err = await refusal(openai.chat.completions.create({ ...CHAT, stream: true }));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    const apiError = err as InstanceType<typeof OpenAI.InternalServerError>;
    expect(apiError.status).toBe(503);
    expect(apiError.code).toBe('upstream_concurrency_exceeded');
    expect(apiError.headers.get('retry-after')).toBe('1');

    const anthropicErr = await refusal(h.anthropic().messages.create({ ...CHAT, max_tokens: 16 }));
    expect(anthropicErr).toBeInstanceOf(Anthropic.InternalServerError);
    expect((anthropicErr as InstanceType<typeof Anthropic.InternalServerError>).status).toBe(503);
    expect((anthropicErr as InstanceType<typeof Anthropic.InternalServerError>).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(h.openaiMock.requests).toHaveLength(2);
    expect(await inFlight()).toEqual([1, 1]);
    // Each refusal skipped both keys: four skips, counted as the failover reason key_busy.
    const skips = 'upstream_errors_total{upstream="capped",error_type="key_busy"} 4';
    const deadline = Date.now() + 5_000;
    while (!(await metricsText()).includes(skips) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await metricsText()).toContain(skips);

    const streams = await Promise.all([first, second]);
    expect(new Set(streams.map((s) => s.response.headers.get('x-louai-key-id')))).toEqual(new Set(KEY_IDS));
    const texts = await Promise.all(streams.map((s) => readAll(s.data)));
    expect(texts).toEqual([texts[0], texts[0]]);
    expect(texts[0]).toContain('w7');
  });

  it('gives the slots back when the streams complete', async () => {
    h.openaiMock.setScript(FAST_STREAM);
    const streams = await Promise.all([0, 1].map(() => openai.chat.completions.create({ ...CHAT, stream: true })));
    await Promise.all(streams.map(readAll));
    await waitForInFlight([0, 0]);
    await expectBothKeysFree();
  });

  it('gives the slots back when clients abort before the first byte', async () => {
    h.openaiMock.setScript(hang());
    const aborts = [new AbortController(), new AbortController()];
    const pending = aborts.map((abort) => refusal(openai.chat.completions.create({ ...CHAT, stream: true }, { signal: abort.signal })));
    await h.openaiMock.waitForRequests(2);
    await waitForInFlight([1, 1]);
    expect(await refusal(openai.chat.completions.create(CHAT))).toMatchObject({ status: 503, code: 'upstream_concurrency_exceeded' });
    for (const abort of aborts) abort.abort();
    for (const err of await Promise.all(pending)) expect(err).toBeInstanceOf(OpenAI.APIUserAbortError);
    await waitForInFlight([0, 0]);
    await expectBothKeysFree();
  });

  it('gives the slots back when clients abort mid-stream', async () => {
    h.openaiMock.setScript(ENDLESS_STREAM);
    const streams = await Promise.all([0, 1].map(() => openai.chat.completions.create({ ...CHAT, stream: true })));
    for (const stream of streams) {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content !== undefined) break; // leaving the loop aborts the request
      }
    }
    await waitForInFlight([0, 0]);
    await expectBothKeysFree();
  });
});
