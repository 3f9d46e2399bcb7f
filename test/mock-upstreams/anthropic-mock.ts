/**
 * A mock Anthropic upstream. Base URL as the Anthropic SDK takes it: `http://127.0.0.1:PORT`.
 * POST /v1/messages (any query, e.g. Claude Code's `?beta=true`), POST /v1/messages/count_tokens,
 * GET /v1/models, GET /v1/models/{id}. Requests need `x-api-key` (or `authorization: Bearer`, as OAuth
 * clients send) and `anthropic-version`; /v1/messages needs `model`, `messages` and `max_tokens`, as the
 * real API does, so a gateway that forgets `max_tokens` fails here too.
 */
import type { Exchange } from './mock-server.ts';
import { startMockServer, toMockUpstream } from './mock-server.ts';
import type { MockUpstream } from './mock-server.ts';
import { DEFAULT_REPLY, ScriptBook } from './script.ts';
import type { Step } from './script.ts';
import type { DialectErrors } from './play-step.ts';
import { playStep, sendError, sendJson } from './play-step.ts';
import { isRecord, modelOf, promptCharsOf } from './reply-parts.ts';
import {
  buildAnthropicError,
  buildCountTokens,
  buildMessage,
  buildMessageEvents,
  buildModelInfo,
  encodeAnthropicEvents,
  encodeAnthropicStreamError,
} from './anthropic-wire.ts';

export interface AnthropicMockOptions {
  /** Accepted API keys; any other key gets 401 `authentication_error`. Unset: every non-empty key is accepted. */
  readonly keys?: readonly string[];
  /** Ids listed by GET /v1/models (default: claude-sonnet-5-5, claude-opus-5-5, claude-haiku-4-5). */
  readonly models?: readonly string[];
  /** The initial default step (default: a short text reply). */
  readonly script?: Step;
  /** Port on 127.0.0.1 (default 0: any free port; tests should keep 0). */
  readonly port?: number;
}

const DEFAULT_MODELS = ['claude-sonnet-5-5', 'claude-opus-5-5', 'claude-haiku-4-5'];

function keyOf(headers: Readonly<Record<string, string>>): string | undefined {
  return headers['x-api-key'] ?? /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1];
}

/** The first missing required field of a Messages request, in the API's own wording. */
function missingField(body: unknown, fields: readonly string[]): string | undefined {
  if (!isRecord(body)) return 'body: Input should be a valid JSON object';
  const missing = fields.find((field) => body[field] === undefined);
  return missing === undefined ? undefined : `${missing}: Field required`;
}

export async function startAnthropicMock(options: AnthropicMockOptions = {}): Promise<MockUpstream> {
  const book = new ScriptBook();
  if (options.script) book.set(options.script);
  const models = options.models ?? DEFAULT_MODELS;

  const requestId = (ex: Exchange): string => `req_mock_${ex.req.seq}`;
  const dialect: DialectErrors = {
    baseHeaders: (ex) => ({ 'request-id': requestId(ex) }),
    errorBody: (fault, ex) => buildAnthropicError(fault, requestId(ex)),
    streamErrorEvent: (fault) => encodeAnthropicStreamError(fault),
  };
  const fail = (ex: Exchange, status: number, message: string): void => sendError(ex, dialect, { type: 'error', status, message });

  async function messages(ex: Exchange): Promise<void> {
    const body = ex.req.body;
    const missing = missingField(body, ['model', 'messages', 'max_tokens']);
    if (missing !== undefined || !isRecord(body)) return fail(ex, 400, missing ?? 'invalid body');
    const { step, source } = book.take(ex.req.key, ex.req);
    ex.req.stepSource = source;
    const ctx = { id: `msg_mock${ex.req.seq}`, model: step.reply?.model ?? modelOf(body, 'claude-sonnet-5-5'), promptChars: promptCharsOf(body) };
    const reply = step.reply ?? DEFAULT_REPLY;
    await playStep(ex, dialect, step, () =>
      body['stream'] === true ? { events: encodeAnthropicEvents(buildMessageEvents(reply, ctx)) } : { json: buildMessage(reply, ctx) },
    );
  }

  async function countTokens(ex: Exchange): Promise<void> {
    const missing = missingField(ex.req.body, ['model', 'messages']);
    if (missing !== undefined) return fail(ex, 400, missing);
    const { step, source } = book.take(ex.req.key, ex.req);
    ex.req.stepSource = source;
    await playStep(ex, dialect, step, () => ({ json: buildCountTokens(promptCharsOf(ex.req.body)) }));
  }

  const server = await startMockServer(async (ex) => {
    const { req } = ex;
    req.key = keyOf(req.headers);
    if (req.key === undefined || req.key === '') return fail(ex, 401, 'x-api-key header is required');
    if (options.keys && !options.keys.includes(req.key)) return fail(ex, 401, 'invalid x-api-key');
    if (req.headers['anthropic-version'] === undefined) return fail(ex, 400, 'anthropic-version: header is required');
    if (req.method === 'POST' && req.path === '/v1/messages') return messages(ex);
    if (req.method === 'POST' && req.path === '/v1/messages/count_tokens') return countTokens(ex);
    if (req.method === 'GET' && req.path === '/v1/models') {
      const data = models.map(buildModelInfo);
      return sendJson(ex, 200, { data, has_more: false, first_id: models[0] ?? null, last_id: models.at(-1) ?? null }, dialect.baseHeaders(ex));
    }
    const modelId = /^\/v1\/models\/([^/]+)$/.exec(req.path)?.[1];
    if (req.method === 'GET' && modelId !== undefined) {
      const id = decodeURIComponent(modelId);
      if (models.includes(id)) return sendJson(ex, 200, buildModelInfo(id), dialect.baseHeaders(ex));
      return sendError(ex, dialect, { type: 'error', status: 404, message: `model: ${id}` });
    }
    return sendError(ex, dialect, { type: 'error', status: 404, message: 'Not Found' });
  }, options.port);
  return toMockUpstream(server, book, server.origin);
}
