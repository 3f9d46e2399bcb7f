import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BadRequestError, OpenAI } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { agentTurns } from './agent-turns.ts';
import type { MockUpstream } from './mock-server.ts';
import { startOpenAiMock } from './openai-mock.ts';
import { text, toolCalls } from './script.ts';

let mock: MockUpstream;
let client: OpenAI;
const tools: ChatCompletionTool[] = [{ type: 'function', function: { name: 'Write', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }];

beforeAll(async () => {
  mock = await startOpenAiMock({ validateRequests: true });
  client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-a', maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe('OpenAI mock: agent turns and request validation', () => {
  it('answers by conversation: the tool call first, the final text once the tool result is back', async () => {
    mock.respond(agentTurns([toolCalls([{ id: 'call_1', name: 'Write', arguments: '{"path":"a"}' }]), text('Done.')]));
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'write a' }];
    const first = await client.chat.completions.create({ model: 'm', messages, tools });
    const message = first.choices[0]?.message;
    expect(message?.tool_calls?.[0]).toMatchObject({ id: 'call_1', function: { name: 'Write', arguments: '{"path":"a"}' } });
    if (message === undefined) throw new Error('no message');
    messages.push(message, { role: 'tool', tool_call_id: 'call_1', content: 'written' });
    const second = await client.chat.completions.create({ model: 'm', messages, tools });
    expect(second.choices[0]?.message.content).toBe('Done.');
    expect(mock.requests.map((r) => [r.stepSource, r.status, r.problems])).toEqual([['responder', 200, []], ['responder', 200, []]]);
  });

  it('leaves requests without tools to the scripts', async () => {
    mock.respond(agentTurns([text('from the responder')]));
    mock.setScript(text('from the script'));
    const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'title?' }] });
    expect(completion.choices[0]?.message.content).toBe('from the script');
    expect(mock.requests[0]?.stepSource).toBe('default');
  });

  it('answers a request that breaks OpenAI rules with a 400 naming the parameter, and records every problem', async () => {
    const error = await client.chat.completions.create({
      model: 'm', messages: [{ role: 'tool', tool_call_id: 'x', content: 'orphan' }], tools, user: 'u'.repeat(80),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).param).toBe('messages[0].role');
    expect(mock.requests[0]?.problems.map((p) => p.param)).toEqual(['messages[0].role', 'user']);
    expect(mock.requests[0]?.stepSource).toBeUndefined();
  });
});
