/** What every AI endpoint needs from the compiled handler, and the small checks they share. */
import { GatewayError } from '../../core/errors.ts';
import type { AiLocationSettings } from '../exchange/exchange-types.ts';
import type { CatalogModel, ModelCatalog, ModelTarget } from '../model-catalog.ts';
import type { TranslationProfile, TranslationProfiles } from '../providers/translation-profile.ts';
import { setTopLevelMembers, setTopLevelMembersInBytes, type MemberEdit } from '../../lib/json-member-splice.ts';

/**
 * `max_tokens` sent to an upstream when the client sets none and neither the catalogue, the provider nor
 * the upstream has given a limit: large enough not to truncate ordinary answers (LiteLLM's 4096 does).
 */
export const DEFAULT_MAX_OUTPUT_TOKENS = 8192;

/** Longest model name quoted back in a model_not_found message. */
const MAX_QUOTED_MODEL_CHARS = 200;

export interface EndpointContext {
  /** The request body's text and bytes, as the client sent them (the parsed body is the spec builder's first argument). */
  readonly bodyText: string;
  readonly bodyBytes: Uint8Array;
  readonly catalog: ModelCatalog;
  readonly settings: AiLocationSettings;
  /** Translation options per (model, provider), compiled with the config. */
  readonly profiles: TranslationProfiles;
  /** The client's `anthropic-beta` and `anthropic-version` headers. */
  readonly anthropicBeta: string | undefined;
  readonly anthropicVersion: string | undefined;
  /** The request's query string including "?", or "". */
  readonly query: string;
}

/** From this size on a passthrough body is edited as bytes (below, joining a few Buffers costs more than encoding the text). */
const EDIT_AS_BYTES_FROM = 16 * 1024;

/**
 * A same-dialect upstream body: the client's body with `members` set at the top level (json-member-splice),
 * or, when it cannot be edited in place, the parsed body with them serialized anew.
 */
export function passthroughBody(ctx: EndpointContext, body: Readonly<Record<string, unknown>>, members: Readonly<Record<string, unknown>>): string | Uint8Array {
  const edits: MemberEdit[] = [];
  for (const name in members) edits.push([name, JSON.stringify(members[name])]);
  const edited = ctx.bodyBytes.length >= EDIT_AS_BYTES_FROM
    ? setTopLevelMembersInBytes(ctx.bodyText, ctx.bodyBytes, body, edits)
    : setTopLevelMembers(ctx.bodyText, body, edits);
  return edited ?? JSON.stringify({ ...body, ...members });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw new GatewayError('bad_request', 'the request body must be a JSON object');
  return body;
}

export function requireModelName(body: Record<string, unknown>): string {
  const model = body.model;
  if (typeof model !== 'string' || model.length === 0) throw new GatewayError('bad_request', "'model' is required and must be a non-empty string");
  return model;
}

/** The catalogue model for a client-sent name; 404 model_not_found naming only what the client sent. */
export function resolveModel(catalog: ModelCatalog, name: string): CatalogModel {
  const model = catalog.resolve(name);
  if (model !== undefined) return model;
  const quoted = name.length > MAX_QUOTED_MODEL_CHARS ? `${name.slice(0, MAX_QUOTED_MODEL_CHARS)}…` : name;
  throw new GatewayError('model_not_found', `The model '${quoted}' does not exist`);
}

/** A positive integer field, else undefined. */
export function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * A target's output-token limit: the configured one (model target, model, then provider), lowered to the
 * limit the upstream stated for the model if it did (Provider.learnedOutputLimit); undefined when none is known.
 */
export function outputCeiling(target: ModelTarget, profile: TranslationProfile): number | undefined {
  const configured = target.maxOutputTokens ?? profile.providerMaxOutputTokens;
  const learned = target.provider.learnedOutputLimit(target.upstreamModel);
  if (learned === undefined) return configured;
  return configured === undefined ? learned : Math.min(configured, learned);
}
