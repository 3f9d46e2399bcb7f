/**
 * `POST …/messages` (Anthropic dialect; Claude Code adds `?beta=true`). Anthropic providers get the body
 * as sent with `model` rewritten (and `max_tokens` from the catalogue if absent), plus the client's query
 * string and `anthropic-beta`. OpenAI-compatible providers get the translated request (ai-gateways.md §2.2)
 * with the translation options of the model and provider (reasoning, cache_control, system messages), a
 * `max_tokens` within the known output limit, and an input-token estimate for `message_start`.
 */
import { GatewayError } from '../../core/errors.ts';
import type { ExchangeSpec, PreparedCall } from '../exchange/exchange-types.ts';
import { PassthroughRelay } from '../exchange/passthrough-relay.ts';
import type { ModelTarget } from '../model-catalog.ts';
import { AnthropicToOpenAiTranslator } from '../translate/anthropic-to-openai/translator.ts';
import { estimateTokens } from '../translate/token-estimate.ts';
import type { AnthropicRequestIn } from '../translate/wire-types.ts';
import { DEFAULT_MAX_OUTPUT_TOKENS, outputCeiling, passthroughBody, positiveInt, requireModelName, requireObject, resolveModel, type EndpointContext } from './endpoint-context.ts';
import { prepareWithLimitRetry, translateCall, type TranslatedCall } from './translated-call.ts';

/** Checks the fields routing needs; the rest is the upstream's (or the translator's) business. */
export function parseMessagesBody(rawBody: unknown): { body: Record<string, unknown>; clientModel: string } {
  const body = requireObject(rawBody);
  const clientModel = requireModelName(body);
  if (!Array.isArray(body.messages)) throw new GatewayError('bad_request', "'messages' is required and must be an array");
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') throw new GatewayError('bad_request', "'stream' must be a boolean");
  return { body, clientModel };
}

export function messagesSpec(rawBody: unknown, ctx: EndpointContext): ExchangeSpec {
  const { body, clientModel } = parseMessagesBody(rawBody);
  const model = resolveModel(ctx.catalog, clientModel);
  const isStream = body.stream === true;
  const clientMaxTokens = positiveInt(body.max_tokens);

  const prepare = (target: ModelTarget): PreparedCall => {
    const profile = ctx.profiles.of(model.name, target.providerName);
    const ceiling = outputCeiling(target, profile);
    if (target.provider.dialect === 'anthropic') {
      const members: Record<string, unknown> = { model: target.upstreamModel };
      if (clientMaxTokens === undefined) members.max_tokens = ceiling ?? DEFAULT_MAX_OUTPUT_TOKENS;
      return { body: passthroughBody(ctx, body, members), relay: new PassthroughRelay('anthropic', isStream, true), dropped: [] };
    }
    const atLimit = (maxOutputTokens: number): TranslatedCall => {
      const translator = new AnthropicToOpenAiTranslator({
        clientModel,
        upstreamModel: target.upstreamModel,
        maxOutputTokens,
        strict: ctx.settings.isStrict,
        reasoningParam: profile.reasoningParam,
        replaysReasoningContent: profile.replaysReasoningContent,
        keepsCacheControl: profile.keepsCacheControl,
        foldsSystemMessages: profile.foldsSystemMessages,
        useMaxCompletionTokens: profile.useMaxCompletionTokens,
      });
      // message_start shows the input before the upstream's usage arrives: ceil(upstream JSON length / 4), free here.
      return translateCall(translator, body as unknown as AnthropicRequestIn, (chars) => translator.announceInputTokens(estimateTokens(chars)));
    };
    return prepareWithLimitRetry(atLimit, ceiling ?? clientMaxTokens ?? DEFAULT_MAX_OUTPUT_TOKENS, ctx.settings.isStrict);
  };

  return {
    operation: 'chat',
    clientDialect: 'anthropic',
    clientModel,
    model,
    isStream,
    anthropicBeta: ctx.anthropicBeta,
    anthropicVersion: ctx.anthropicVersion,
    query: ctx.query,
    prepare,
  };
}
