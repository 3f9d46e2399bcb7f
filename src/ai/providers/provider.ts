/**
 * The compiled provider contract the exchange talks to: one object per configured provider, built once
 * per config (pools, key ring, URL pieces), asked for one upstream call per attempt. A provider speaks
 * one wire dialect; the exchange translates when the client speaks the other one.
 */
import type { Cancellation } from '../../lib/cancellation.ts';
import type { KeyRing, ProviderKey } from '../routing/key-ring.ts';

export type WireDialect = 'openai' | 'anthropic';

/**
 * Which upstream operation an attempt calls: `chat` is a conversation turn in the provider's dialect
 * (OpenAI chat completions or Anthropic messages); `count_tokens` exists at Anthropic only.
 */
export type UpstreamOperation = 'chat' | 'count_tokens' | 'embeddings';

export interface UpstreamCall {
  readonly operation: UpstreamOperation;
  /** The model id the provider knows (a deployment name for azure-openai). */
  readonly upstreamModel: string;
  /** The model name the client sent (the built-in mock reports it back). */
  readonly clientModel: string;
  /** The JSON request body in the provider's dialect (bytes: a passthrough body edited in place). */
  readonly body: string | Uint8Array;
  /**
   * Streams get the response-head timeout and their body as it comes; non-streaming answers (head sent
   * when done) the total timeout, and the reply resolves once their whole body is there (`whole`).
   */
  readonly isStream: boolean;
  /** Undefined for providers without keys (mock). */
  readonly key: ProviderKey | undefined;
  /** The client's `anthropic-beta` and `anthropic-version` headers, forwarded to Anthropic providers. */
  readonly anthropicBeta: string | undefined;
  readonly anthropicVersion: string | undefined;
  /** The client's query string ("" or "?beta=true"), forwarded to Anthropic providers. */
  readonly query: string;
  /** Cancelled when the client goes away: the call is aborted. */
  readonly cancellation: Cancellation;
}

export type UpstreamHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** A reader's answer to a chunk: go on, stop reading, or wait (back-pressure) for the promise's answer. */
export type ChunkVerdict = boolean | Promise<boolean>;

/** A body that pushes its chunks to one reader (the network providers' bodies, dispatched-call.ts). */
export interface ChunkSource {
  /**
   * Hands every chunk to `onChunk` as it arrives; resolves at the body's end or when the reader stopped,
   * rejects on a reset, an idle timeout or an abort.
   */
  forEachChunk(onChunk: (chunk: Uint8Array) => ChunkVerdict): Promise<void>;
}

export interface UpstreamReply {
  readonly status: number;
  readonly headers: UpstreamHeaders;
  /** The response body; reading it rejects on a reset or an idle timeout. */
  readonly body: ChunkSource | AsyncIterable<Uint8Array | string>;
  /** A non-streaming call's whole body, read before the reply resolved; undefined for streams (read `body`). */
  readonly whole: Uint8Array | undefined;
  /** Reads the whole body as text. */
  text(): Promise<string>;
  /** Discards the rest of the body (frees the connection). */
  discard(): void;
}

export interface Provider {
  readonly name: string;
  readonly type: 'openai' | 'anthropic' | 'azure-openai' | 'mock';
  readonly dialect: WireDialect;
  /** Share among the non-default providers of a model. */
  readonly weight: number;
  readonly keys: KeyRing;
  /** Cooldown of a key after a key-level failure, in ms. */
  readonly cooldownMs: number;
  /** Whether the provider serves this operation at all (Anthropic has no embeddings). */
  supports(operation: UpstreamOperation): boolean;
  /** Sends one attempt. Rejects on connect errors and response-head timeouts (see upstreamFailureOf). */
  send(call: UpstreamCall): Promise<UpstreamReply>;
  /**
   * The output-token limit the upstream stated for a model when it rejected a larger `max_tokens`
   * (stated-output-limit.ts, model scope), once a chat error body stating it has been read; kept for the
   * provider's lifetime (one config generation) in this process. Undefined until then.
   */
  learnedOutputLimit(upstreamModel: string): number | undefined;
  /** Reads what an error answer to `call` teaches (an output-token limit the upstream stated). */
  noteErrorAnswer(call: UpstreamCall, status: number, bodyText: string): void;
  /** Waits for in-flight calls, then closes connections. */
  close(): Promise<void>;
}
