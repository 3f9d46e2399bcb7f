import { describe, expect, it } from 'vitest';
import { ChatChunkBuilder } from './chat-chunk-builder.ts';

const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };

describe('ChatChunkBuilder', () => {
  const builder = new ChatChunkBuilder('gpt-mock', 1_700_000_000_999);

  it('gives every object of one request the same id, created time and model', () => {
    const objects = [builder.completion('x', 'stop', usage), builder.roleChunk(), builder.contentChunk('a'), builder.finishChunk('stop'), builder.usageChunk(usage)];
    for (const object of objects) {
      expect(object.id).toBe(builder.id);
      expect(object.created).toBe(1_700_000_000);
      expect(object.model).toBe('gpt-mock');
    }
    expect(builder.id).toMatch(/^chatcmpl-[A-Za-z0-9_-]{16}$/);
  });

  it('uses a new id per request', () => {
    expect(new ChatChunkBuilder('m').id).not.toBe(new ChatChunkBuilder('m').id);
  });

  it('builds an OpenAI chat.completion object', () => {
    expect(builder.completion('hello', 'stop', usage)).toEqual({
      id: builder.id,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-mock',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hello', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage,
    });
  });

  it('opens a stream with the assistant role and empty content', () => {
    const chunk = builder.roleChunk();
    expect(chunk.object).toBe('chat.completion.chunk');
    expect(chunk.choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    expect(chunk).not.toHaveProperty('usage');
  });

  it('carries content in the delta without a finish reason', () => {
    expect(builder.contentChunk('two words').choices).toEqual([{ index: 0, delta: { content: 'two words' }, logprobs: null, finish_reason: null }]);
  });

  it('finishes with an empty delta and the finish reason', () => {
    expect(builder.finishChunk('stop').choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
  });

  it('reports usage in a chunk with no choices', () => {
    const chunk = builder.usageChunk(usage);
    expect(chunk.choices).toEqual([]);
    expect(chunk.usage).toEqual(usage);
  });
});
