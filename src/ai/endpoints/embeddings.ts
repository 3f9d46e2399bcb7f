/** `POST …/embeddings` (OpenAI dialect): OpenAI-compatible providers only, body passed through with `model` rewritten. */
import { GatewayError } from '../../core/errors.ts';
import type { ExchangeSpec, PreparedCall } from '../exchange/exchange-types.ts';
import { PassthroughRelay } from '../exchange/passthrough-relay.ts';
import type { ModelTarget } from '../model-catalog.ts';
import { passthroughBody, requireModelName, requireObject, resolveModel, type EndpointContext } from './endpoint-context.ts';

export function embeddingsSpec(rawBody: unknown, ctx: EndpointContext): ExchangeSpec {
  const body = requireObject(rawBody);
  const clientModel = requireModelName(body);
  if (body.input === undefined || body.input === null) throw new GatewayError('bad_request', "'input' is required");
  const model = resolveModel(ctx.catalog, clientModel);
  const prepare = (target: ModelTarget): PreparedCall => ({
    body: passthroughBody(ctx, body, { model: target.upstreamModel }),
    relay: new PassthroughRelay('openai', false, false),
    dropped: [],
  });
  return { operation: 'embeddings', clientDialect: 'openai', clientModel, model, isStream: false, anthropicBeta: undefined, anthropicVersion: undefined, query: '', prepare };
}
