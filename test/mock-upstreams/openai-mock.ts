/**
 * A mock OpenAI-compatible upstream. Base URL as the OpenAI SDK takes it: `http://127.0.0.1:PORT/v1`.
 * Routes match on the path's end, so any prefix works (`/v1beta/openai/chat/completions`, `/api/paas/v4/…`):
 * POST …/chat/completions, POST …/embeddings, GET …/models, GET …/models/{id}; and the Azure OpenAI shape
 * POST /openai/deployments/{deployment}/(chat/completions|embeddings)?api-version=… with an `api-key` header.
 */
import type { Exchange } from './mock-server.ts';
import { startMockServer, toMockUpstream } from './mock-server.ts';
import type { MockUpstream } from './mock-server.ts';
import { DEFAULT_REPLY, ScriptBook } from './script.ts';
import type { Step } from './script.ts';
import type { DialectErrors } from './play-step.ts';
import { playStep, sendError, sendJson } from './play-step.ts';
import { isRecord, modelOf, promptCharsOf } from './reply-parts.ts';
import { checkChatRequest } from './openai-request-check.ts';
import {
  buildChatCompletion,
  buildChatCompletionChunks,
  buildEmbeddings,
  buildModel,
  buildModelList,
  buildOpenAiError,
  encodeOpenAiEvents,
  encodeOpenAiStreamError,
} from './openai-wire.ts';

export interface OpenAiMockOptions {
  /** Accepted API keys; any other key gets 401 `invalid_api_key`. Unset: every non-empty key is accepted. */
  readonly keys?: readonly string[];
  /** Ids listed by GET /v1/models (default: gpt-4o-mini, gpt-4o, text-embedding-3-small). */
  readonly models?: readonly string[];
  /** The initial default step (default: a short text reply). */
  readonly script?: Step;
  /** Port on 127.0.0.1 (default 0: any free port; tests should keep 0). */
  readonly port?: number;
  /** `created` of every response, Unix seconds (default: now at start), for byte-stable transcripts. */
  readonly created?: number;
  /**
   * Check every chat request against OpenAI's rules (`checkChatRequest`): the problems are recorded on the
   * request, and the first one is answered as OpenAI would, a 400 `invalid_request_error` naming `param`.
   */
  readonly validateRequests?: boolean;
}

const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'];
const AZURE_ROUTE = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

function keyOf(headers: Readonly<Record<string, string>>): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1];
  return bearer ?? headers['api-key'] ?? undefined;
}

export async function startOpenAiMock(options: OpenAiMockOptions = {}): Promise<MockUpstream> {
  const book = new ScriptBook();
  if (options.script) book.set(options.script);
  const models = options.models ?? DEFAULT_MODELS;
  const created = options.created ?? Math.floor(Date.now() / 1000);

  const dialect: DialectErrors = {
    baseHeaders: (ex) => ({ 'x-request-id': `req_mock_${ex.req.seq}` }),
    errorBody: (fault) => buildOpenAiError(fault),
    streamErrorEvent: (fault) => encodeOpenAiStreamError(fault),
  };
  const fail = (ex: Exchange, status: number, message: string, code: string | null = null): void =>
    sendError(ex, dialect, { type: 'error', status, message, code });

  async function chat(ex: Exchange, model: string): Promise<void> {
    const body = ex.req.body;
    if (!isRecord(body) || !Array.isArray(body['messages'])) {
      return fail(ex, 400, "Missing required parameter: 'messages'.");
    }
    if (options.validateRequests === true) {
      ex.req.problems = checkChatRequest(body);
      const [first] = ex.req.problems;
      if (first !== undefined) {
        return sendJson(ex, 400, { error: { message: first.message, type: 'invalid_request_error', param: first.param, code: null } }, dialect.baseHeaders(ex));
      }
    }
    const { step, source } = book.take(ex.req.key, ex.req);
    ex.req.stepSource = source;
    const streamOptions = body['stream_options'];
    const ctx = {
      id: `chatcmpl-mock${ex.req.seq}`,
      created,
      model: step.reply?.model ?? model,
      promptChars: promptCharsOf(body),
      includeUsage: isRecord(streamOptions) && streamOptions['include_usage'] === true,
    };
    const reply = step.reply ?? DEFAULT_REPLY;
    await playStep(ex, dialect, step, () =>
      body['stream'] === true
        ? { events: encodeOpenAiEvents(buildChatCompletionChunks(reply, ctx)) }
        : { json: buildChatCompletion(reply, ctx) },
    );
  }

  async function embeddings(ex: Exchange, model: string): Promise<void> {
    const body = ex.req.body;
    if (!isRecord(body) || body['input'] === undefined) return fail(ex, 400, "Missing required parameter: 'input'.");
    const { step, source } = book.take(ex.req.key, ex.req);
    ex.req.stepSource = source;
    await playStep(ex, dialect, step, () => ({ json: buildEmbeddings(body, model) }));
  }

  const server = await startMockServer(async (ex) => {
    const { req } = ex;
    req.key = keyOf(req.headers);
    if (req.key === undefined || req.key === '') {
      return fail(ex, 401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
    }
    if (options.keys && !options.keys.includes(req.key)) {
      return fail(ex, 401, `Incorrect API key provided: ${req.key.slice(0, 3)}****. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_api_key');
    }
    const azure = AZURE_ROUTE.exec(req.path);
    if (azure && req.method === 'POST') {
      if (req.query['api-version'] === undefined) return fail(ex, 404, 'Resource not found', '404');
      const deployment = decodeURIComponent(azure[1] ?? '');
      return azure[2] === 'embeddings' ? embeddings(ex, deployment) : chat(ex, modelOf(req.body, deployment));
    }
    if (req.method === 'POST' && req.path.endsWith('/chat/completions')) return chat(ex, modelOf(req.body, 'gpt-4o-mini'));
    if (req.method === 'POST' && req.path.endsWith('/embeddings')) return embeddings(ex, modelOf(req.body, 'text-embedding-3-small'));
    if (req.method === 'GET' && req.path.endsWith('/models')) {
      return sendJson(ex, 200, buildModelList(models, created), dialect.baseHeaders(ex));
    }
    const modelId = /\/models\/([^/]+)$/.exec(req.path)?.[1];
    if (req.method === 'GET' && modelId !== undefined) {
      const id = decodeURIComponent(modelId);
      if (models.includes(id)) return sendJson(ex, 200, buildModel(id, created), dialect.baseHeaders(ex));
      return fail(ex, 404, `The model '${id}' does not exist`, 'model_not_found');
    }
    return fail(ex, 404, `Invalid URL (${req.method} ${req.path})`);
  }, options.port);
  return toMockUpstream(server, book, `${server.origin}/v1`);
}
