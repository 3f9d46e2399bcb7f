/**
 * `POST …/chat/completions`: read and check the body, resolve the model, pick its first provider and
 * answer in OpenAI's chat-completions format, as one JSON object or as an SSE stream.
 * Only the `mock` provider exists so far; real providers and failover plug in at `answerFrom`.
 * A stream stops (timers cleared, no more writes) as soon as the client disconnects.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { GatewayError } from '../core/errors.ts';
import type { GatewayRequest, GatewayResponse } from '../core/http-types.ts';
import { ChatChunkBuilder } from './chat-chunk-builder.ts';
import { parseChatRequest, type ChatRequest } from './chat-request.ts';
import { createMockReply, type MockReply } from './mock-provider.ts';
import type { ModelCatalog, ModelTarget } from './model-catalog.ts';
import { readJsonBody } from './read-json-body.ts';
import { sendJson } from './send-json.ts';
import { SseWriter } from './sse-writer.ts';

/** Longest model name quoted back in a model_not_found message. */
const MAX_QUOTED_MODEL_CHARS = 200;

export async function serveChatCompletion(
  req: GatewayRequest,
  res: GatewayResponse,
  catalog: ModelCatalog,
  maxBodyBytes: number,
  responseHeaders: Readonly<Record<string, string>>,
): Promise<void> {
  const request = parseChatRequest(await readJsonBody(req, maxBodyBytes));
  const model = catalog.resolve(request.model);
  if (model === undefined) {
    const quoted = request.model.length > MAX_QUOTED_MODEL_CHARS ? `${request.model.slice(0, MAX_QUOTED_MODEL_CHARS)}…` : request.model;
    throw new GatewayError('model_not_found', `The model '${quoted}' does not exist`);
  }
  const target = model.targets[0];
  if (target === undefined) throw new GatewayError('no_upstream_available', `no provider is configured for model '${model.name}'`);
  const reply = answerFrom(target, request);
  const builder = new ChatChunkBuilder(request.model);
  if (request.isStream) {
    await streamReply(res, reply, builder, request.includeUsage, responseHeaders);
    return;
  }
  const body = JSON.stringify(builder.completion(reply.text, 'stop', reply.usage));
  sendJson(res, 200, responseHeaders, body);
}

function answerFrom(target: ModelTarget, request: ChatRequest): MockReply {
  switch (target.provider.type) {
    case 'mock':
      return createMockReply(request, target.provider);
  }
}

/** Role chunk, content pieces every `chunkDelayMs`, finish chunk, optional usage chunk, `[DONE]`. */
async function streamReply(
  res: GatewayResponse,
  reply: MockReply,
  builder: ChatChunkBuilder,
  includeUsage: boolean,
  responseHeaders: Readonly<Record<string, string>>,
): Promise<void> {
  const sse = new SseWriter(res);
  const closed = new AbortController();
  const onClose = (): void => closed.abort();
  res.once('close', onClose);
  try {
    sse.open(responseHeaders);
    sse.writeJson(builder.roleChunk());
    for (const piece of reply.pieces) {
      if (reply.chunkDelayMs > 0) await delay(reply.chunkDelayMs, undefined, { signal: closed.signal });
      if (!sse.writeJson(builder.contentChunk(piece))) return;
    }
    sse.writeJson(builder.finishChunk('stop'));
    if (includeUsage) sse.writeJson(builder.usageChunk(reply.usage));
    sse.endWithDone();
  } catch (err) {
    if (closed.signal.aborted) return; // the client went away: the pending timer was cleared by the abort
    throw err;
  } finally {
    res.off('close', onClose);
  }
}
