import { describe, expect, it } from 'vitest';
import { AnthropicToOpenAiTranslator } from '../translate/anthropic-to-openai/translator.ts';
import type { AnthropicRequestIn } from '../translate/wire-types.ts';
import { prepareWithLimitRetry, translateCall, type CallAtLimit } from './translated-call.ts';

const request: AnthropicRequestIn = { model: 'claude-sonnet-4-5', max_tokens: 64000, messages: [{ role: 'user', content: 'hi' }] };
const deepSeekLimit = JSON.stringify({ error: { message: 'Invalid max_tokens value, the valid range of max_tokens is [1, 8192]', type: 'invalid_request_error' } });
const vllmRoom = (room: number) =>
  JSON.stringify({ error: { message: `'max_tokens' or 'max_completion_tokens' is too large: 64000. This model's maximum context length is ${room + 100} tokens and your request has 100 input tokens (64000 > ${room + 100} - 100).` } });

function atLimit(strict: boolean): CallAtLimit {
  return (maxOutputTokens) => translateCall(new AnthropicToOpenAiTranslator({ clientModel: 'c', upstreamModel: 'deepseek-chat', maxOutputTokens, strict }), request);
}

describe('prepareWithLimitRetry', () => {
  it('sends the client value when no limit is known, and offers the same request at the limit the upstream states, the clamp reported', () => {
    const call = prepareWithLimitRetry(atLimit(false), 64000, false);
    expect(JSON.parse(call.body)).toMatchObject({ max_tokens: 64000 });
    expect(call.dropped).toEqual([]);
    const retry = call.retryFor?.(400, deepSeekLimit);
    expect(retry === undefined ? undefined : JSON.parse(Buffer.from(retry.body).toString('utf8'))).toMatchObject({ model: 'deepseek-chat', max_tokens: 8192 });
    expect(retry?.dropped).toEqual(['max_tokens']);
    expect(retry !== undefined && 'retryFor' in retry).toBe(false);
  });

  it('offers no retry in strict mode, for other errors, or for a limit not below the one sent', () => {
    expect(prepareWithLimitRetry(atLimit(true), 64000, true).retryFor).toBeUndefined();
    const call = prepareWithLimitRetry(atLimit(false), 8192, false);
    expect(call.retryFor?.(400, deepSeekLimit)).toBeUndefined();
    expect(prepareWithLimitRetry(atLimit(false), 64000, false).retryFor?.(429, deepSeekLimit)).toBeUndefined();
    expect(prepareWithLimitRetry(atLimit(false), 64000, false).retryFor?.(400, '{"error":{"message":"bad tool schema"}}')).toBeUndefined();
  });

  it('retries with what a nearly full context leaves only when that is at least 1024 tokens', () => {
    const call = prepareWithLimitRetry(atLimit(false), 64000, false);
    expect(call.retryFor?.(400, vllmRoom(1023))).toBeUndefined();
    const retry = call.retryFor?.(400, vllmRoom(30000));
    expect(retry === undefined ? undefined : JSON.parse(Buffer.from(retry.body).toString('utf8'))).toMatchObject({ max_tokens: 30000 });
  });
});
