import { describe, expect, it } from 'vitest';
import { GatewayError } from '../core/errors.ts';
import { contentText, parseChatRequest } from './chat-request.ts';

function codeOf(body: unknown): string | undefined {
  try {
    parseChatRequest(body);
    return undefined;
  } catch (err) {
    return err instanceof GatewayError ? err.code : 'not-a-gateway-error';
  }
}

const messages = [{ role: 'user', content: 'hi' }];

describe('parseChatRequest', () => {
  it('reads model, messages and the stream flags', () => {
    const body = { model: 'm', messages, stream: true, stream_options: { include_usage: true }, temperature: 0.2 };
    const request = parseChatRequest(body);
    expect(request).toMatchObject({ model: 'm', messages, isStream: true, includeUsage: true });
    expect(request.body).toBe(body);
  });

  it('defaults to a non-streaming request without usage chunk', () => {
    expect(parseChatRequest({ model: 'm', messages, stream: null })).toMatchObject({ isStream: false, includeUsage: false });
  });

  it.each([
    ['a non-object body', [1, 2]],
    ['a missing model', { messages }],
    ['an empty model', { model: '', messages }],
    ['a non-string model', { model: 3, messages }],
    ['missing messages', { model: 'm' }],
    ['empty messages', { model: 'm', messages: [] }],
    ['a message without role', { model: 'm', messages: [{ content: 'x' }] }],
    ['a non-boolean stream', { model: 'm', messages, stream: 'yes' }],
    ['non-object stream_options', { model: 'm', messages, stream_options: true }],
    ['a non-boolean include_usage', { model: 'm', messages, stream_options: { include_usage: 1 } }],
  ])('refuses %s with bad_request', (_name, body) => {
    expect(codeOf(body)).toBe('bad_request');
  });
});

describe('contentText', () => {
  it('returns string content as is and joins text parts', () => {
    expect(contentText('plain')).toBe('plain');
    expect(contentText([{ type: 'text', text: 'a' }, { type: 'image_url' }, { type: 'text', text: 'b' }])).toBe('a\nb');
  });

  it('returns empty text for null and non-text content', () => {
    expect(contentText(null)).toBe('');
    expect(contentText([{ type: 'input_audio' }])).toBe('');
  });
});
