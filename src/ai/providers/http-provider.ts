/**
 * The network providers (`openai`, `anthropic`, `azure-openai`): one undici Pool per provider origin,
 * built at compile time, and the per-type URL and authentication rules:
 * - openai:       {base_url}/chat/completions, {base_url}/embeddings; `authorization: Bearer <key>`
 * - anthropic:    {base_url}/v1/messages[/count_tokens]{client query}; `x-api-key`, the client's
 *                 `anthropic-version` (else the configured one) and `anthropic-beta`
 * - azure-openai: {base_url}/openai/deployments/{model}/chat/completions?api-version=…; `api-key`
 * The client's own credentials never reach this code: headers are built from scratch per call.
 * A chat answered 400/422 with an error that states the model's output-token limit teaches the provider
 * that limit (noteErrorAnswer, then learnedOutputLimit); the endpoints clamp later requests to it.
 */
import { Pool } from 'undici';
import type { ProviderConfig } from '../../config/schema.ts';
import { KeyRing, type ProviderKey } from '../routing/key-ring.ts';
import { dispatchCall } from './dispatched-call.ts';
import type { Provider, UpstreamCall, UpstreamOperation, UpstreamReply } from './provider.ts';
import { statedOutputLimit } from './stated-output-limit.ts';

type HttpProviderConfig = Exclude<ProviderConfig, { type: 'mock' }>;

const OPENAI_PATHS: Readonly<Partial<Record<UpstreamOperation, string>>> = { chat: '/chat/completions', embeddings: '/embeddings' };
const ANTHROPIC_PATHS: Readonly<Partial<Record<UpstreamOperation, string>>> = { chat: '/v1/messages', count_tokens: '/v1/messages/count_tokens' };
/** Statuses vendors reject an out-of-range `max_tokens` with. */
const LIMIT_ERROR_STATUSES = new Set([400, 422]);

export class HttpProvider implements Provider {
  readonly name: string;
  readonly type: HttpProviderConfig['type'];
  readonly dialect: Provider['dialect'];
  readonly weight: number;
  readonly keys: KeyRing;
  readonly cooldownMs: number;
  readonly #config: HttpProviderConfig;
  readonly #pool: Pool;
  /** The base URL's path without a trailing slash ("/v1", "/api/paas/v4", ""). */
  readonly #basePath: string;
  readonly #extraHeaders: Readonly<Record<string, string>>;
  /**
   * The whole header list of a call by key id (`""`: a provider without keys), built once: undici takes a
   * flat [name, value, …] array as it is, so an OpenAI or Azure call allocates no headers at all. Anthropic
   * calls that carry the client's `anthropic-version` or `anthropic-beta` build theirs per call.
   */
  readonly #headersByKey = new Map<string, string[]>();
  /** The URL path of each operation this type serves (Azure's names the deployment per call; Anthropic's takes the client's query string). */
  readonly #paths: Readonly<Partial<Record<UpstreamOperation, string>>>;
  /** Upstream model id → the output-token limit its upstream stated; bounded by the config's model ids. */
  readonly #learnedLimits = new Map<string, number>();

  constructor(name: string, config: HttpProviderConfig) {
    this.name = name;
    this.type = config.type;
    this.dialect = config.type === 'anthropic' ? 'anthropic' : 'openai';
    this.weight = config.weight;
    this.keys = new KeyRing(name, config.keys);
    this.cooldownMs = config.cooldown;
    this.#config = config;
    const url = new URL(config.base_url);
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#pool = new Pool(url.origin, {
      connections: config.connections ?? null,
      connect: { timeout: config.timeouts.connect },
      headersTimeout: config.timeouts.response_header,
      bodyTimeout: config.timeouts.idle,
    });
    const extra: Record<string, string> = {};
    for (const [header, value] of Object.entries(config.headers ?? {})) extra[header.toLowerCase()] = value;
    this.#extraHeaders = extra;
    this.#headersByKey.set('', headerList(this.#headers(undefined, undefined, undefined)));
    for (const key of this.keys.keys) this.#headersByKey.set(key.id, headerList(this.#headers(key, undefined, undefined)));
    const pathsOf = config.type === 'anthropic' ? ANTHROPIC_PATHS : OPENAI_PATHS;
    const paths: Partial<Record<UpstreamOperation, string>> = {};
    for (const [operation, path] of Object.entries(pathsOf)) paths[operation as UpstreamOperation] = `${this.#basePath}${path}`;
    this.#paths = paths;
  }

  supports(operation: UpstreamOperation): boolean {
    return (this.dialect === 'anthropic' ? ANTHROPIC_PATHS : OPENAI_PATHS)[operation] !== undefined;
  }

  send(call: UpstreamCall): Promise<UpstreamReply> {
    return dispatchCall(
      this.#pool,
      {
        method: 'POST',
        path: this.#path(call),
        headers: call.anthropicVersion === undefined && call.anthropicBeta === undefined
          ? (this.#headersByKey.get(call.key?.id ?? '') ?? headerList(this.#headers(call.key, undefined, undefined)))
          : this.#headers(call.key, call.anthropicVersion, call.anthropicBeta),
        body: call.body,
        headersTimeout: call.isStream ? this.#config.timeouts.response_header : this.#config.timeouts.total,
      },
      call.cancellation,
      !call.isStream,
    );
  }

  learnedOutputLimit(upstreamModel: string): number | undefined {
    return this.#learnedLimits.get(upstreamModel);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  /** Remembers a model-scope output limit stated in a chat error body (the lowest one stated). */
  noteErrorAnswer(call: UpstreamCall, status: number, bodyText: string): void {
    if (call.operation !== 'chat' || !LIMIT_ERROR_STATUSES.has(status)) return;
    const stated = statedOutputLimit(bodyText);
    if (stated?.scope !== 'model') return;
    const known = this.#learnedLimits.get(call.upstreamModel);
    if (known === undefined || stated.tokens < known) this.#learnedLimits.set(call.upstreamModel, stated.tokens);
  }

  #path(call: UpstreamCall): string {
    const config = this.#config;
    if (config.type === 'azure-openai') {
      const operation = OPENAI_PATHS[call.operation] ?? '/chat/completions';
      return `${this.#basePath}/openai/deployments/${encodeURIComponent(call.upstreamModel)}${operation}?api-version=${encodeURIComponent(config.api_version)}`;
    }
    const path = this.#paths[call.operation] ?? this.#paths.chat ?? '';
    return config.type === 'anthropic' && call.query !== '' ? `${path}${call.query}` : path;
  }

  #headers(key: ProviderKey | undefined, anthropicVersion: string | undefined, anthropicBeta: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { ...this.#extraHeaders, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const secret = key?.secret;
    const config = this.#config;
    if (config.type === 'anthropic') {
      if (secret !== undefined) headers['x-api-key'] = secret;
      headers['anthropic-version'] = anthropicVersion ?? config.version;
      if (anthropicBeta !== undefined) headers['anthropic-beta'] = anthropicBeta;
    } else if (config.type === 'azure-openai') {
      if (secret !== undefined) headers['api-key'] = secret;
    } else if (secret !== undefined) {
      headers['authorization'] = `Bearer ${secret}`;
    }
    return headers;
  }
}

/** Headers as undici's flat [name, value, …] list. */
function headerList(headers: Readonly<Record<string, string>>): string[] {
  return Object.entries(headers).flat();
}
