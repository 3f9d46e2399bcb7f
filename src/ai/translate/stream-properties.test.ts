/**
 * Seeded random streams through both translators, cut at random places: whatever the upstream's chunking,
 * interleaving and packing, the client stream is well formed and carries exactly the upstream's text,
 * reasoning and tool arguments. A failing seed is named in the test message so it can be replayed.
 */
import { describe, expect, it } from 'vitest';
import { checkAnthropicGrammar, type SseRecord } from '../../../test/fixtures/translate/stream-grammar.ts';
import { AnthropicToOpenAiTranslator } from './anthropic-to-openai/translator.ts';
import { OpenAiToAnthropicTranslator } from './openai-to-anthropic/translator.ts';
import { SseParser } from './sse-parser.ts';

const RUNS = 150;

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

/** `text` cut into pieces of 1 to `maxSize` characters. */
function cut(rand: () => number, text: string, maxSize: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    const size = 1 + Math.floor(rand() * maxSize);
    out.push(text.slice(i, i + size));
    i += size;
  }
  return out;
}

const fragments = (rand: () => number, text: string): string[] => cut(rand, text, 6);
const splitAt = (rand: () => number, text: string): string[] => cut(rand, text, 40);

function parse(text: string): Array<{ event: string | undefined; data: string }> {
  const parser = new SseParser();
  return [...parser.push(text), ...parser.end()];
}

const WORDS = ['héllo', ' wörld', ' ☃', '\n', ' "quoted"', ' {json}', ' 😀', ' ok'];

describe('OpenAI upstream → Anthropic client, random streams', () => {
  for (let seed = 1; seed <= RUNS; seed++) {
    it(`keeps every fragment and a well-formed block sequence (seed ${seed})`, () => {
      const rand = random(seed);
      const toolCount = Math.floor(rand() * 4);
      const tools = Array.from({ length: toolCount }, (_, k) => ({
        id: `call_${k}`, name: `tool_${k}`, args: JSON.stringify({ k, text: pick(rand, WORDS), n: [1, 2] }),
      }));
      const text = Array.from({ length: Math.floor(rand() * 5) }, () => pick(rand, WORDS)).join('');
      const reasoning = Array.from({ length: Math.floor(rand() * 3) }, () => pick(rand, WORDS)).join('');
      type Item = { kind: 'text' | 'reasoning'; value: string } | { kind: 'tool'; k: number; first: boolean; value: string };
      const queues: Item[][] = [
        fragments(rand, reasoning).map((value) => ({ kind: 'reasoning' as const, value })),
        fragments(rand, text).map((value) => ({ kind: 'text' as const, value })),
        ...tools.map((tool, k) => [{ kind: 'tool' as const, k, first: true, value: '' }, ...fragments(rand, tool.args).map((value) => ({ kind: 'tool' as const, k, first: false, value }))]),
      ];
      // Interleave the queues at random, keeping each queue's own order.
      const items: Item[] = [];
      while (queues.some((q) => q.length > 0)) {
        const candidates = queues.filter((q) => q.length > 0);
        const item = pick(rand, candidates).shift();
        if (item !== undefined) items.push(item);
      }
      // Pack items into chunks: one content and one reasoning per delta, any number of tool calls.
      let upstream = '';
      const emit = (delta: Record<string, unknown>, finish: string | null, usage?: object) => {
        upstream += `data: ${JSON.stringify({ id: 'chatcmpl-p', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
      };
      let delta: Record<string, unknown> = { role: 'assistant' };
      let calls: object[] = [];
      const flush = () => {
        if (calls.length > 0) delta.tool_calls = calls;
        if (Object.keys(delta).length > 0) emit(delta, null);
        delta = {};
        calls = [];
      };
      for (const item of items) {
        const key = item.kind === 'reasoning' ? 'reasoning_content' : item.kind === 'text' ? 'content' : 'tool_calls';
        if ((key !== 'tool_calls' && key in delta) || rand() < 0.5) flush();
        if (item.kind === 'tool') {
          const tool = tools[item.k];
          calls.push(item.first
            ? { index: item.k, id: tool?.id, type: 'function', function: { name: tool?.name, arguments: item.value } }
            : { index: item.k, function: { arguments: item.value } });
        } else {
          delta[key] = item.value;
        }
      }
      const usage = { prompt_tokens: 30, completion_tokens: 20, total_tokens: 50 };
      const finish = toolCount > 0 ? 'tool_calls' : 'stop';
      if (rand() < 0.5) {
        if (calls.length > 0) delta.tool_calls = calls;
        emit(delta, finish, rand() < 0.5 ? usage : undefined); // content and finish in one chunk
      } else {
        flush();
        emit({}, finish);
      }
      upstream += `data: ${JSON.stringify({ id: 'chatcmpl-p', choices: [], usage })}\n\n`;
      if (rand() < 0.7) upstream += 'data: [DONE]\n\n';

      const translator = new AnthropicToOpenAiTranslator({ clientModel: 'c', upstreamModel: 'u', maxOutputTokens: 100, strict: false, inputTokensEstimate: 0 });
      translator.translateRequest({ model: 'c', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] });
      let out = '';
      for (const piece of splitAt(rand, upstream)) out += translator.pushStream(piece);
      out += translator.endStream();

      const records: SseRecord[] = parse(out).map((e) => ({ event: e.event, data: JSON.parse(e.data) as Record<string, unknown> }));
      checkAnthropicGrammar(records);
      expect(records.at(-1)?.event).toBe('message_stop');
      const blocks: Array<{ type: string; id?: string; name?: string; body: string }> = [];
      for (const { data } of records) {
        if (data.type === 'content_block_start') {
          const block = data.content_block as { type: string; id?: string; name?: string };
          blocks.push({ type: block.type, id: block.id, name: block.name, body: '' });
        } else if (data.type === 'content_block_delta') {
          const d = data.delta as { text?: string; thinking?: string; partial_json?: string };
          const block = blocks.at(-1);
          if (block !== undefined) block.body += d.text ?? d.thinking ?? d.partial_json ?? '';
        }
      }
      expect(blocks.filter((b) => b.type === 'text').map((b) => b.body).join('')).toBe(text);
      expect(blocks.filter((b) => b.type === 'thinking').map((b) => b.body).join('')).toBe(reasoning);
      const toolBlocks = blocks.filter((b) => b.type === 'tool_use');
      expect(toolBlocks.map((b) => [b.id, b.name, b.body]).sort()).toEqual(tools.map((t) => [t.id, t.name, t.args]).sort());
      expect(records.find((r) => r.event === 'message_delta')?.data).toMatchObject({ delta: { stop_reason: toolCount > 0 ? 'tool_use' : 'end_turn' }, usage: { input_tokens: 30, output_tokens: 20 } });
    });
  }
});

describe('Anthropic upstream → OpenAI client, random streams', () => {
  for (let seed = 1; seed <= RUNS; seed++) {
    it(`keeps every fragment, numbers tool calls from 0 and ends with [DONE] (seed ${seed})`, () => {
      const rand = random(seed * 7919);
      const ev = (event: { type: string } & Record<string, unknown>) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
      let upstream = ev({ type: 'message_start', message: { id: 'msg_p', type: 'message', role: 'assistant', model: 'u', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 11, output_tokens: 1 } } });
      const expectedText: string[] = [];
      const expectedReasoning: string[] = [];
      const expectedTools: Array<{ id: string; name: string; args: string }> = [];
      const blockCount = Math.floor(rand() * 6);
      for (let index = 0; index < blockCount; index++) {
        const type = pick(rand, ['text', 'thinking', 'tool_use'] as const);
        if (type === 'tool_use') {
          const tool = { id: `toolu_${index}`, name: `t${index}`, args: JSON.stringify({ index, w: pick(rand, WORDS) }) };
          expectedTools.push(tool);
          upstream += ev({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: tool.id, name: tool.name, input: {} } });
          for (const part of ['', ...fragments(rand, tool.args)]) upstream += ev({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } });
        } else {
          const value = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(rand, WORDS)).join('');
          (type === 'text' ? expectedText : expectedReasoning).push(value);
          upstream += ev({ type: 'content_block_start', index, content_block: type === 'text' ? { type, text: '' } : { type, thinking: '', signature: '' } });
          for (const part of fragments(rand, value)) {
            upstream += ev({ type: 'content_block_delta', index, delta: type === 'text' ? { type: 'text_delta', text: part } : { type: 'thinking_delta', thinking: part } });
            if (rand() < 0.2) upstream += ev({ type: 'ping' });
          }
          if (type === 'thinking') upstream += ev({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: `sig${index}` } });
        }
        upstream += ev({ type: 'content_block_stop', index });
      }
      const stopReason = expectedTools.length > 0 ? 'tool_use' : 'end_turn';
      upstream += ev({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 42 } });
      upstream += ev({ type: 'message_stop' });

      const includeUsage = rand() < 0.5;
      const translator = new OpenAiToAnthropicTranslator({ clientModel: 'c', upstreamModel: 'u', maxOutputTokens: 100, strict: false });
      translator.translateRequest({ model: 'c', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: includeUsage } });
      let out = '';
      for (const piece of splitAt(rand, upstream)) out += translator.pushStream(piece);
      out += translator.endStream();

      const events = parse(out);
      expect(events.at(-1)?.data).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as { choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>; usage?: { completion_tokens: number } });
      let content = '';
      let reasoning = '';
      const calls = new Map<number, { id: string; name: string; args: string }>();
      const finishes: string[] = [];
      for (const chunk of chunks) {
        const choice = chunk.choices[0];
        if (choice === undefined) continue;
        content += (choice.delta.content as string | undefined) ?? '';
        reasoning += (choice.delta.reasoning_content as string | undefined) ?? '';
        if (choice.finish_reason !== null) finishes.push(choice.finish_reason);
        for (const call of (choice.delta.tool_calls as Array<{ index: number; id?: string; function: { name?: string; arguments: string } }> | undefined) ?? []) {
          const entry = calls.get(call.index) ?? { id: call.id ?? '', name: call.function.name ?? '', args: '' };
          entry.args += call.function.arguments;
          calls.set(call.index, entry);
        }
      }
      expect(content).toBe(expectedText.join(''));
      expect(reasoning).toBe(expectedReasoning.join(''));
      expect([...calls.keys()]).toEqual(expectedTools.map((_, i) => i));
      expect([...calls.values()]).toEqual(expectedTools);
      expect(finishes).toEqual([stopReason === 'tool_use' ? 'tool_calls' : 'stop']);
      expect(chunks.some((chunk) => chunk.choices.length === 0 && chunk.usage?.completion_tokens === 42)).toBe(includeUsage);
    });
  }
});
