/** Mock LLM upstreams for the AI layer's tests: see README.md in this folder. */
export { startOpenAiMock } from './openai-mock.ts';
export type { OpenAiMockOptions } from './openai-mock.ts';
export { startAnthropicMock } from './anthropic-mock.ts';
export type { AnthropicMockOptions } from './anthropic-mock.ts';
export type { MockUpstream, RecordedRequest, RequestProblem } from './mock-server.ts';
export { agentTurns } from './agent-turns.ts';
export { checkChatRequest, checkJsonSchema } from './openai-request-check.ts';
export {
  BUILTIN_STEP,
  DEFAULT_REPLY,
  forbidden,
  hang,
  overloaded,
  quotaExceeded,
  rateLimited,
  resetConnection,
  serverError,
  slowFirstByte,
  streamError,
  text,
  toolCalls,
  truncateStream,
  unauthorized,
} from './script.ts';
export type { Fault, Reply, Responder, ScriptTarget, Step, StepSource, ToolCallScript, UsageScript } from './script.ts';
export { PROVIDER_FIXTURES_DIR, loadFixtureJson, loadFixtureText, parseSse, splitSseEvents } from './fixtures.ts';
export type { SseEvent } from './fixtures.ts';
export { buildChatCompletion, buildChatCompletionChunks, buildOpenAiError } from './openai-wire.ts';
export { buildAnthropicError, buildMessage, buildMessageEvents, MOCK_SIGNATURE } from './anthropic-wire.ts';
export type { AnthropicSseEvent } from './anthropic-wire.ts';
