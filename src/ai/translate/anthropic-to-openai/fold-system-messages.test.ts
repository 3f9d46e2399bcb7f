import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { foldSystemMessages } from './fold-system-messages.ts';

describe('foldSystemMessages', () => {
  it('appends a system message that follows a user message to it (Claude Code ends its first request that way)', () => {
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: 'Prompt.' },
      { role: 'user', content: 'Task.' },
      { role: 'system', content: 'Agents.' },
    ];
    expect(foldSystemMessages(messages)).toEqual([{ role: 'system', content: 'Prompt.' }, { role: 'user', content: 'Task.\n\nAgents.' }]);
  });

  it('keeps content parts as parts: an image turn gets the system text as one more text part', () => {
    const image = { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,AA==' } };
    const messages: ChatCompletionMessageParam[] = [
      { role: 'user', content: [{ type: 'text', text: 'Look.' }, image] },
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
    ];
    expect(foldSystemMessages(messages)).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Look.' }, image, { type: 'text', text: 'Be brief.' }] }]);
  });

  it('merges consecutive later system messages into one user text and leaves a conversation without them unchanged', () => {
    const messages: ChatCompletionMessageParam[] = [
      { role: 'user', content: 'A' },
      { role: 'assistant', content: 'B' },
      { role: 'system', content: 'S1' },
      { role: 'system', content: 'S2' },
      { role: 'user', content: 'C' },
    ];
    expect(foldSystemMessages(messages)).toEqual([
      { role: 'user', content: 'A' },
      { role: 'assistant', content: 'B' },
      { role: 'user', content: 'S1\n\nS2\n\nC' },
    ]);
    const plain: ChatCompletionMessageParam[] = [{ role: 'system', content: 'P' }, { role: 'user', content: 'A' }];
    expect(foldSystemMessages(plain)).toEqual(plain);
  });

  it('does not change the messages it was given', () => {
    const user: ChatCompletionMessageParam = { role: 'user', content: 'A' };
    foldSystemMessages([user, { role: 'system', content: 'S' }]);
    expect(user).toEqual({ role: 'user', content: 'A' });
  });
});
