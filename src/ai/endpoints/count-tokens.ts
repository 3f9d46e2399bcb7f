/**
 * `POST …/messages/count_tokens` (Anthropic dialect; Claude Code calls it constantly, a 404 breaks it).
 * Anthropic providers answer it upstream; when the model has none, or every attempt fails, the answer is
 * the documented local estimate (src/ai/translate/token-estimate.ts: ceil(characters / 4)).
 */
import type { ExchangeSpec, PreparedCall } from '../exchange/exchange-types.ts';
import { PassthroughRelay } from '../exchange/passthrough-relay.ts';
import type { ModelTarget } from '../model-catalog.ts';
import { estimateAnthropicInputTokens } from '../translate/token-estimate.ts';
import type { EndpointContext } from './endpoint-context.ts';
import { passthroughBody, resolveModel } from './endpoint-context.ts';
import { parseMessagesBody } from './messages.ts';

export function countTokensSpec(rawBody: unknown, ctx: EndpointContext): ExchangeSpec {
  const { body, clientModel } = parseMessagesBody(rawBody);
  const model = resolveModel(ctx.catalog, clientModel);
  const prepare = (target: ModelTarget): PreparedCall => ({
    body: passthroughBody(ctx, body, { model: target.upstreamModel }),
    relay: new PassthroughRelay('anthropic', false, true),
    dropped: [],
  });
  return {
    operation: 'count_tokens',
    clientDialect: 'anthropic',
    clientModel,
    model,
    isStream: false,
    anthropicBeta: ctx.anthropicBeta,
    anthropicVersion: ctx.anthropicVersion,
    query: ctx.query,
    prepare,
    localAnswer: () => JSON.stringify({ input_tokens: estimateAnthropicInputTokens(body) }),
  };
}
