/**
 * The mocks build their answers from scripts; these tests hold those answers to the documented transcripts in
 * test/fixtures/providers/: the same event sequence, and every field of a documented event present with the
 * same JSON type (the SDK-typed builders may add newer fields, never drop documented ones).
 */
import { describe, expect, it } from 'vitest';
import { loadFixtureJson, loadFixtureText, parseSse } from './fixtures.ts';
import { buildChatCompletion, buildChatCompletionChunks } from './openai-wire.ts';
import { buildMessage, buildMessageEvents } from './anthropic-wire.ts';
import type { Reply } from './script.ts';

/** Paths (a.b[0].c) where `actual` lacks a field of `documented` or holds a different JSON type there. */
function missingOrMistyped(actual: unknown, documented: unknown, path = '$'): string[] {
  const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(documented) !== kind(actual)) return [`${path}: ${kind(actual)} instead of ${kind(documented)}`];
  if (Array.isArray(documented) && Array.isArray(actual)) {
    if (documented.length !== actual.length) return [`${path}: ${actual.length} items instead of ${documented.length}`];
    return documented.flatMap((item, i) => missingOrMistyped(actual[i], item, `${path}[${i}]`));
  }
  if (kind(documented) !== 'object') return [];
  const doc = documented as Record<string, unknown>;
  const act = actual as Record<string, unknown>;
  return Object.keys(doc).flatMap((key) => (key in act ? missingOrMistyped(act[key], doc[key], `${path}.${key}`) : [`${path}.${key}: missing`]));
}

function sseJson(name: string): unknown[] {
  return parseSse(loadFixtureText(name)).filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data) as unknown);
}

describe('the coverage check', () => {
  it('names missing fields, mistyped fields and length mismatches', () => {
    expect(missingOrMistyped({ a: { b: 1 } }, { a: { b: 1, c: 'x' } })).toEqual(['$.a.c: missing']);
    expect(missingOrMistyped({ a: null }, { a: 'x' })).toEqual(['$.a: null instead of string']);
    expect(missingOrMistyped([1], [1, 2])).toEqual(['$: 1 items instead of 2']);
  });
});

const openAiCtx = { id: 'chatcmpl-1', created: 1, model: 'gpt-4o-mini', promptChars: 40, includeUsage: true };
const anthropicCtx = { id: 'msg_1', model: 'claude-sonnet-4-5', promptChars: 40 };

describe('generated OpenAI answers cover the documented transcripts', () => {
  it('text completion', () => {
    expect(missingOrMistyped(buildChatCompletion({ text: 'Hello! How can I assist you today?' }, openAiCtx), loadFixtureJson('openai/chat-text.json'))).toEqual([]);
  });

  it('text stream with the usage chunk', () => {
    const chunks = buildChatCompletionChunks({ text: ['Hello', '!'] }, openAiCtx);
    expect(missingOrMistyped(chunks, sseJson('openai/chat-text-stream.sse'))).toEqual([]);
  });

  it('parallel tool-call stream', () => {
    const reply: Reply = {
      toolCalls: [
        { id: 'call_abc', name: 'get_weather', arguments: ['{"location":', ' "Paris"}'] },
        { id: 'call_def', name: 'get_time', arguments: ['{"tz": "Europe/Paris"}'] },
      ],
    };
    const chunks = buildChatCompletionChunks(reply, openAiCtx);
    const documented = sseJson('openai/chat-tool-calls-stream.sse');
    expect(missingOrMistyped(chunks, documented)).toEqual([]);
    expect(chunks.map((c) => c.choices[0]?.delta)).toEqual(documented.map((c) => (c as { choices: Array<{ delta: unknown }> }).choices[0]?.delta));
  });
});

describe('generated Anthropic answers cover the documented transcripts', () => {
  it('text and tool_use messages', () => {
    expect(missingOrMistyped(buildMessage({ text: 'Hi! My name is Claude.' }, anthropicCtx), loadFixtureJson('anthropic/message-text.json'))).toEqual([]);
    const toolUse: Reply = {
      text: "I'll check the current weather in San Francisco for you.",
      toolCalls: [{ id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' }],
    };
    const message = buildMessage(toolUse, anthropicCtx);
    expect(missingOrMistyped(message, loadFixtureJson('anthropic/message-tool-use.json'))).toEqual([]);
    expect(message.content).toMatchObject((loadFixtureJson('anthropic/message-tool-use.json') as { content: unknown[] }).content);
  });

  it('text stream, event names included', () => {
    const events = buildMessageEvents({ text: ['Hello', '!'] }, anthropicCtx);
    const documented = parseSse(loadFixtureText('anthropic/messages-text-stream.sse'));
    expect(events.map((e) => e.type)).toEqual(documented.map((e) => e.event));
    expect(missingOrMistyped(events, documented.map((e) => JSON.parse(e.data) as unknown))).toEqual([]);
  });

  it('text + tool_use stream', () => {
    const reply: Reply = {
      text: "Okay, let's check the weather for San Francisco, CA:",
      toolCalls: [{ id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: ['', '{"location":', ' "San Francisco, CA"', ', "unit": "fahrenheit"}'] }],
    };
    const events = buildMessageEvents(reply, anthropicCtx);
    const documented = sseJson('anthropic/messages-tool-use-stream.sse');
    expect(missingOrMistyped(events, documented)).toEqual([]);
    expect(events.filter((e) => e.type === 'content_block_delta')).toEqual(documented.filter((e) => (e as { type: string }).type === 'content_block_delta'));
  });

  it('thinking stream with signature', () => {
    const documented = sseJson('anthropic/messages-thinking-stream.sse');
    const thinking = documented.flatMap((e) => {
      const delta = (e as { delta?: { type: string; thinking?: string } }).delta;
      return delta?.type === 'thinking_delta' && delta.thinking !== undefined ? [delta.thinking] : [];
    });
    const reply: Reply = {
      thinking: { text: thinking, signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...' },
      text: 'The greatest common divisor of 1071 and 462 is **21**.',
    };
    const events = buildMessageEvents(reply, anthropicCtx);
    expect(missingOrMistyped(events, documented)).toEqual([]);
    expect(events.filter((e) => e.type === 'content_block_delta')).toEqual(documented.filter((e) => (e as { type: string }).type === 'content_block_delta'));
  });
});
