/** The shapes shared by the exchange loop and the endpoints that feed it. */
import type { GatewayResponse } from '../../core/http-types.ts';
import type { Cancellation } from '../../lib/cancellation.ts';
import type { CatalogModel, ModelTarget } from '../model-catalog.ts';
import type { UpstreamOperation } from '../providers/provider.ts';
import type { KeyStateStore } from '../routing/key-state-store.ts';
import type { LocationKeySlots } from '../routing/key-slots.ts';
import type { ProviderCircuits } from '../routing/provider-circuits.ts';
import type { UsageTracker } from '../usage/usage-tracker.ts';
import type { ClientAiDialect, ResponseRelay } from './response-relay.ts';

/** A location's `ai` settings, compiled. */
export interface AiLocationSettings {
  readonly isStrict: boolean;
  readonly exposesSelection: boolean;
  /** null: every provider. */
  readonly allowProviders: ReadonlySet<string> | null;
  readonly maxAttempts: number;
  readonly maxRetryWaitMs: number;
}

/** One attempt's request: the upstream body and the relay that turns the answer into the client's dialect. */
export interface PreparedCall {
  readonly body: string | Uint8Array;
  readonly relay: ResponseRelay;
  /** Client parameters dropped or clamped by a translation (for `x-louai-dropped-params`). */
  readonly dropped: readonly string[];
  /**
   * After an error answer (status ≥ 400, its body text): the call to send instead to the same target and
   * key, once — a translated call lowers `max_tokens` to the limit the upstream stated
   * (src/ai/endpoints/translated-call.ts) — or undefined to treat the error as usual.
   */
  readonly retryFor?: (status: number, bodyText: string) => PreparedCall | undefined;
}

/** What an endpoint asks the exchange to do. */
export interface ExchangeSpec {
  readonly operation: UpstreamOperation;
  readonly clientDialect: ClientAiDialect;
  readonly clientModel: string;
  readonly model: CatalogModel;
  readonly isStream: boolean;
  /** The client's `anthropic-beta` and `anthropic-version` headers and query string, for Anthropic providers. */
  readonly anthropicBeta: string | undefined;
  readonly anthropicVersion: string | undefined;
  readonly query: string;
  /** Builds the upstream request for a target. May throw GatewayError `bad_request` (strict mode). */
  prepare(target: ModelTarget): PreparedCall;
  /** A local JSON answer when no provider serves the operation or all attempts failed (count_tokens). */
  readonly localAnswer?: () => string;
}

/** Per-request environment of the exchange. */
export interface ExchangeEnv {
  readonly res: GatewayResponse;
  readonly requestId: string;
  readonly settings: AiLocationSettings;
  readonly keyStates: KeyStateStore;
  /** The circuit breakers of the config's providers. */
  readonly circuits: ProviderCircuits;
  /** The location's concurrency caps per provider key (max_concurrency_per_key); every attempt holds a slot. */
  readonly keySlots: LocationKeySlots;
  readonly tracker: UsageTracker;
  /** Cancelled when the client goes away. */
  readonly cancellation: Cancellation;
  readonly now: () => number;
  readonly random: () => number;
}
