/**
 * The built-in `mock` provider as an in-process OpenAI-compatible upstream: it answers the chat body it
 * is sent (JSON, or SSE paced by `chunk_delay`) and embeddings, so the whole exchange — passthrough for
 * OpenAI clients, translation for Anthropic clients, usage, failover — runs without a network. It reports
 * the model name the client asked for. A client that goes away aborts the pacing timer.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ProviderConfig } from '../../config/schema.ts';
import type { Cancellation } from '../../lib/cancellation.ts';
import { ChatChunkBuilder } from '../chat-chunk-builder.ts';
import { parseChatRequest } from '../chat-request.ts';
import { createMockReply, estimateTokens, type MockReply } from '../mock-provider.ts';
import { KeyRing } from '../routing/key-ring.ts';
import type { Provider, UpstreamCall, UpstreamOperation, UpstreamReply } from './provider.ts';
import { utf8Text } from '../../lib/utf8-text.ts';

type MockConfig = Extract<ProviderConfig, { type: 'mock' }>;

/** Dimensions of a mock embedding vector. */
const EMBEDDING_DIMENSIONS = 8;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;
const SSE_HEADERS = { 'content-type': 'text/event-stream' } as const;

export class MockUpstream implements Provider {
  readonly name: string;
  readonly type = 'mock';
  readonly dialect = 'openai';
  readonly weight: number;
  readonly keys: KeyRing;
  readonly cooldownMs = 0;
  readonly #config: MockConfig;

  constructor(name: string, config: MockConfig) {
    this.name = name;
    this.weight = config.weight;
    this.keys = new KeyRing(name, []);
    this.#config = config;
  }

  supports(operation: UpstreamOperation): boolean {
    return operation === 'chat' || operation === 'embeddings';
  }

  /** The mock takes any `max_tokens`. */
  learnedOutputLimit(): undefined {
    return undefined;
  }

  /** The mock answers no errors. */
  noteErrorAnswer(): void {}

  send(call: UpstreamCall): Promise<UpstreamReply> {
    const body: unknown = JSON.parse(typeof call.body === 'string' ? call.body : utf8Text(call.body));
    if (call.operation === 'embeddings') return Promise.resolve(textReply(JSON.stringify(embeddingsFor(body, call.clientModel)), JSON_HEADERS));
    const request = parseChatRequest(body);
    const reply = createMockReply(request, this.#config);
    const builder = new ChatChunkBuilder(call.clientModel);
    if (!request.isStream) return Promise.resolve(textReply(JSON.stringify(builder.completion(reply.text, 'stop', reply.usage)), JSON_HEADERS));
    const events = streamEvents(reply, builder, request.includeUsage, call.cancellation);
    return Promise.resolve({
      status: 200,
      headers: SSE_HEADERS,
      body: events,
      whole: undefined,
      text: async () => {
        let text = '';
        for await (const chunk of events) text += chunk;
        return text;
      },
      discard: () => {
        void events.return(undefined);
      },
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function textReply(text: string, headers: Readonly<Record<string, string>>): UpstreamReply {
  return {
    status: 200,
    headers,
    body: once(text),
    whole: Buffer.from(text),
    text: () => Promise.resolve(text),
    discard: () => {},
  };
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

async function* streamEvents(reply: MockReply, builder: ChatChunkBuilder, includeUsage: boolean, cancellation: Cancellation): AsyncGenerator<string> {
  const frame = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;
  yield frame(builder.roleChunk());
  for (const piece of reply.pieces) {
    if (reply.chunkDelayMs > 0) await delay(reply.chunkDelayMs, undefined, { signal: cancellation.signal });
    yield frame(builder.contentChunk(piece));
  }
  yield frame(builder.finishChunk('stop'));
  if (includeUsage) yield frame(builder.usageChunk(reply.usage));
  yield 'data: [DONE]\n\n';
}

/** A deterministic unit-free vector per input string (character codes folded into 8 buckets). */
function embeddingsFor(body: unknown, model: string): unknown {
  const input = typeof body === 'object' && body !== null ? (body as { input?: unknown }).input : undefined;
  const inputs = Array.isArray(input) ? input.map(String) : [String(input ?? '')];
  let chars = 0;
  const data = inputs.map((text, index) => {
    chars += text.length;
    const vector = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
    for (let i = 0; i < text.length; i++) vector[i % EMBEDDING_DIMENSIONS] = ((vector[i % EMBEDDING_DIMENSIONS] ?? 0) + text.charCodeAt(i)) % 1000;
    return { object: 'embedding', index, embedding: vector.map((v) => v / 1000) };
  });
  const tokens = estimateTokens(chars);
  return { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
