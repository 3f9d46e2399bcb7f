import { describe, expect, it } from 'vitest';
import { checkChatRequest, checkJsonSchema } from './openai-request-check.ts';

const tool = (name: string, parameters: unknown = { type: 'object', properties: {} }) => ({ type: 'function', function: { name, parameters } });
const call = (id: string, name = 'Write', args = '{}') => ({ id, type: 'function', function: { name, arguments: args } });
const params = (body: unknown) => checkChatRequest(body).map((p) => p.param);

describe('checkChatRequest', () => {
  it('accepts a tool round trip whose tool messages answer every call of the assistant turn before them', () => {
    expect(checkChatRequest({
      model: 'm', stream: true, stream_options: { include_usage: true }, max_tokens: 100, user: 'u-1',
      tools: [tool('Write'), tool('Bash')], tool_choice: 'auto',
      messages: [
        { role: 'system', content: 'sys' }, { role: 'user', content: 'go' }, { role: 'system', content: 'mid' },
        { role: 'assistant', content: null, tool_calls: [call('a'), call('b', 'Bash')] },
        { role: 'tool', tool_call_id: 'b', content: 'ok' }, { role: 'tool', tool_call_id: 'a', content: [{ type: 'text', text: 'ok' }] },
        { role: 'user', content: [{ type: 'text', text: 'more' }] },
      ],
    })).toEqual([]);
  });

  it('rejects a tool message that answers no call of the preceding assistant turn', () => {
    expect(params({ model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'a', content: 'r' }] })).toEqual(['messages[1].role']);
    expect(params({
      model: 'm',
      messages: [{ role: 'assistant', content: null, tool_calls: [call('a')] }, { role: 'tool', tool_call_id: 'b', content: 'r' }],
    })).toEqual(['messages[1].role', 'messages[0]']);
  });

  it('rejects a call left unanswered, before the next message or at the end', () => {
    const calls = { role: 'assistant', content: null, tool_calls: [call('a'), call('b')] };
    expect(params({ model: 'm', messages: [calls, { role: 'tool', tool_call_id: 'a', content: 'r' }, { role: 'user', content: 'x' }] })).toEqual(['messages[0]']);
    expect(checkChatRequest({ model: 'm', messages: [calls] })[0]?.message).toContain('a, b');
  });

  it('rejects replayed arguments that are not a JSON string and names outside the pattern', () => {
    expect(params({
      model: 'm',
      messages: [{ role: 'assistant', content: null, tool_calls: [{ ...call('a'), function: { name: 'bad name', arguments: { x: 1 } } }] }, { role: 'tool', tool_call_id: 'a', content: 'r' }],
    })).toEqual(['messages[0].tool_calls[0].function.name', 'messages[0].tool_calls[0].function.arguments']);
  });

  it('rejects tool definitions with a long name, non-object parameters or a broken schema', () => {
    const messages = [{ role: 'user', content: 'x' }];
    expect(params({ model: 'm', messages, tools: [tool('x'.repeat(65))] })).toEqual(['tools[0].function.name']);
    expect(params({ model: 'm', messages, tools: [tool('f', { type: 'string' })] })).toEqual(['tools[0].function.parameters']);
    expect(params({ model: 'm', messages, tools: [tool('f', { type: 'object', properties: { a: { type: 'text' } } })] }))
      .toEqual(['tools[0].function.parameters.properties.a.type']);
    expect(params({ model: 'm', messages, tools: [{ name: 'f', input_schema: { type: 'object' } }] })).toEqual(['tools[0]']);
  });

  it('rejects tool_choice and parallel_tool_calls without tools, and a tool_choice naming an unknown function', () => {
    const messages = [{ role: 'user', content: 'x' }];
    expect(params({ model: 'm', messages, tool_choice: 'auto', parallel_tool_calls: false })).toEqual(['tool_choice', 'parallel_tool_calls']);
    expect(params({ model: 'm', messages, tools: [tool('f')], tool_choice: { type: 'function', function: { name: 'g' } } })).toEqual(['tool_choice']);
  });

  it('rejects stream_options without stream, both token limits, more than 4 stops and a user over 64 characters', () => {
    const messages = [{ role: 'user', content: 'x' }];
    expect(params({ model: 'm', messages, stream_options: { include_usage: true } })).toEqual(['stream_options']);
    expect(params({ model: 'm', messages, max_tokens: 1, max_completion_tokens: 1 })).toEqual(['max_tokens']);
    expect(params({ model: 'm', messages, max_tokens: 0 })).toEqual(['max_tokens']);
    expect(params({ model: 'm', messages, stop: ['a', 'b', 'c', 'd', 'e'] })).toEqual(['stop']);
    expect(params({ model: 'm', messages, user: 'u'.repeat(65) })).toEqual(['user']);
    expect(params({ model: 'm', messages, user: 'u'.repeat(64) })).toEqual([]);
  });

  it('rejects unknown roles, missing content and an empty conversation', () => {
    expect(params({ model: 'm', messages: [] })).toEqual(['messages']);
    expect(params({ model: 'm', messages: [{ role: 'model', content: 'x' }, { role: 'user' }] })).toEqual(['messages[0].role', 'messages[1].content']);
    expect(params({ model: 'm', messages: [{ role: 'assistant', content: null }] })).toEqual(['messages[0].content']);
  });
});

describe('checkJsonSchema', () => {
  it('accepts the schema shapes tools use (2020-12 and draft-07 keywords, boolean subschemas)', () => {
    expect(checkJsonSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', additionalProperties: false,
      properties: {
        path: { type: 'string', description: 'p' }, n: { type: ['integer', 'null'] }, mode: { enum: ['a', 'b'] },
        list: { type: 'array', items: { anyOf: [{ type: 'string' }, { $ref: '#/$defs/x' }] } }, any: true,
      },
      required: ['path'], $defs: { x: { type: 'object', propertyNames: { pattern: '^a' } } },
    }, 'p')).toEqual([]);
  });

  it('names the path of each broken subschema', () => {
    expect(checkJsonSchema({ type: 'object', properties: { a: 'string', b: { type: 'array', items: { enum: [] } } }, required: 'a', anyOf: [] }, 'p').map((x) => x.param))
      .toEqual(['p.required', 'p.properties.a', 'p.properties.b.items.enum', 'p.anyOf']);
  });
});
