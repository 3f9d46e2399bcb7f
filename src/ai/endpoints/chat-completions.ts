/**
 * `POST …/chat/completions` (OpenAI dialect). OpenAI-compatible providers get the body as sent with
 * only `model` rewritten and, for streams, `stream_options.include_usage` forced on (usage is then
 * observed, and the usage chunk removed again if the client did not ask for it). Anthropic providers get
 * the translated request, with `max_tokens` from the catalogue (or the provider, or the limit the
 * upstream stated) when the client sets none, and clamped to it.
 */
import { parseChatRequest } from '../chat-request.ts';
import type { ExchangeSpec, PreparedCall } from '../exchange/exchange-types.ts';
import { PassthroughRelay } from '../exchange/passthrough-relay.ts';
import type { ModelTarget } from '../model-catalog.ts';
import { OpenAiToAnthropicTranslator } from '../translate/openai-to-anthropic/translator.ts';
import type { OpenAiRequestIn } from '../translate/wire-types.ts';
import { DEFAULT_MAX_OUTPUT_TOKENS, isRecord, outputCeiling, passthroughBody, positiveInt, resolveModel, type EndpointContext } from './endpoint-context.ts';
import { prepareWithLimitRetry, translateCall } from './translated-call.ts';

export function chatCompletionsSpec(rawBody: unknown, ctx: EndpointContext): ExchangeSpec {
  const request = parseChatRequest(rawBody);
  const model = resolveModel(ctx.catalog, request.model);
  const body = request.body;
  const clientMaxTokens = positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens);

  const prepare = (target: ModelTarget): PreparedCall => {
    if (target.provider.dialect === 'openai') {
      const members: Record<string, unknown> = { model: target.upstreamModel };
      if (request.isStream && !request.includeUsage) members.stream_options = { ...(isRecord(body.stream_options) ? body.stream_options : {}), include_usage: true };
      return { body: passthroughBody(ctx, body, members), relay: new PassthroughRelay('openai', request.isStream, request.includeUsage), dropped: [] };
    }
    const ceiling = outputCeiling(target, ctx.profiles.of(model.name, target.providerName));
    const atLimit = (maxOutputTokens: number) =>
      translateCall(new OpenAiToAnthropicTranslator({
        clientModel: request.model,
        upstreamModel: target.upstreamModel,
        maxOutputTokens,
        strict: ctx.settings.isStrict,
      }), body as unknown as OpenAiRequestIn);
    return prepareWithLimitRetry(atLimit, ceiling ?? clientMaxTokens ?? DEFAULT_MAX_OUTPUT_TOKENS, ctx.settings.isStrict);
  };

  return {
    operation: 'chat',
    clientDialect: 'openai',
    clientModel: request.model,
    model,
    isStream: request.isStream,
    anthropicBeta: undefined,
    anthropicVersion: undefined,
    query: '',
    prepare,
  };
}
