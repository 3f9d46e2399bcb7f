/**
 * OpenAI `messages` → Anthropic `system` + `messages` (ai-gateways.md §2.1): every system/developer
 * message is lifted into `system` in order; tool messages become `tool_result` blocks in a user turn,
 * results first; adjacent turns of one role are merged, because Anthropic wants them alternating.
 * Images stay URLs (never downloaded); data URLs become base64 sources, PDFs documents.
 */
import type {
  ContentBlockParam,
  ImageBlockParam,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import { isRecord, parseBase64DataUrl, parseToolArguments } from '../json-values.ts';
import type { ParamReport } from '../param-report.ts';

type CacheControl = TextBlockParam['cache_control'];

export interface ConvertedMessages {
  readonly system: TextBlockParam[];
  readonly messages: MessageParam[];
}

interface Turn {
  role: 'user' | 'assistant';
  blocks: ContentBlockParam[];
  /** The client sent a plain string and nothing was merged in: send it back as a string. */
  plainText: string | undefined;
}

function cacheControlOf(value: unknown): CacheControl | undefined {
  if (!isRecord(value) || !isRecord(value.cache_control)) return undefined;
  return value.cache_control as unknown as CacheControl;
}

function textBlock(text: string, cacheControl: CacheControl | undefined): TextBlockParam {
  return cacheControl === undefined ? { type: 'text', text } : { type: 'text', text, cache_control: cacheControl };
}

/** Text parts of a string or part array as text blocks; empty texts are left out (Anthropic rejects them). */
function textBlocks(content: unknown): TextBlockParam[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  const blocks: TextBlockParam[] = [];
  for (const part of content) {
    if (!isRecord(part)) continue;
    const text = part.type === 'refusal' ? part.refusal : part.text;
    if ((part.type === 'text' || part.type === 'refusal') && typeof text === 'string' && text !== '') {
      blocks.push(textBlock(text, cacheControlOf(part)));
    }
  }
  return blocks;
}

function imageBlock(url: string, cacheControl: CacheControl | undefined): ContentBlockParam {
  const data = parseBase64DataUrl(url);
  let block: ContentBlockParam;
  if (data === undefined) {
    block = { type: 'image', source: { type: 'url', url } };
  } else if (data.mediaType === 'application/pdf') {
    block = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: data.data } };
  } else {
    const mediaType = data.mediaType as Extract<ImageBlockParam['source'], { type: 'base64' }>['media_type'];
    block = { type: 'image', source: { type: 'base64', media_type: mediaType, data: data.data } };
  }
  if (cacheControl !== undefined) block.cache_control = cacheControl;
  return block;
}

function fileBlock(file: Record<string, unknown>, report: ParamReport): ContentBlockParam | undefined {
  const fileData = file.file_data;
  if (typeof fileData === 'string') {
    const data = parseBase64DataUrl(fileData) ?? { mediaType: 'application/pdf', data: fileData };
    if (data.mediaType === 'application/pdf') {
      return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: data.data } };
    }
    if (data.mediaType.startsWith('text/')) {
      return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: Buffer.from(data.data, 'base64').toString('utf8') } };
    }
    if (data.mediaType.startsWith('image/')) return imageBlock(fileData, undefined);
  }
  report.drop('messages[].content[].file');
  return undefined;
}

function userBlocks(content: unknown, report: ParamReport): ContentBlockParam[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  const blocks: ContentBlockParam[] = [];
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (part.type === 'text' && typeof part.text === 'string') {
      if (part.text !== '') blocks.push(textBlock(part.text, cacheControlOf(part)));
    } else if (part.type === 'image_url' && isRecord(part.image_url) && typeof part.image_url.url === 'string') {
      blocks.push(imageBlock(part.image_url.url, cacheControlOf(part)));
    } else if (part.type === 'file' && isRecord(part.file)) {
      const block = fileBlock(part.file, report);
      if (block !== undefined) blocks.push(block);
    } else {
      report.drop(`messages[].content[].${String(part.type)}`);
    }
  }
  return blocks;
}

function thinkingHistory(message: Record<string, unknown>): ContentBlockParam[] {
  const blocks: ContentBlockParam[] = [];
  if (!Array.isArray(message.thinking_blocks)) return blocks;
  for (const block of message.thinking_blocks) {
    if (!isRecord(block)) continue;
    if (block.type === 'thinking' && typeof block.thinking === 'string' && typeof block.signature === 'string' && block.signature !== '') {
      blocks.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      blocks.push({ type: 'redacted_thinking', data: block.data });
    }
  }
  return blocks;
}

function assistantBlocks(message: Record<string, unknown>, report: ParamReport): ContentBlockParam[] {
  // Signed thinking first: Claude rejects a tool_use turn whose thinking moved or lost its signature.
  const blocks: ContentBlockParam[] = [...thinkingHistory(message), ...textBlocks(message.content)];
  if (isRecord(message.function_call)) report.drop('messages[].function_call'); // legacy, no call id to pair a result with
  if (!Array.isArray(message.tool_calls)) return blocks;
  for (const call of message.tool_calls) {
    if (!isRecord(call) || !isRecord(call.function) || typeof call.id !== 'string') {
      report.drop('messages[].tool_calls[].custom');
      continue;
    }
    const name = typeof call.function.name === 'string' ? call.function.name : '';
    const args = typeof call.function.arguments === 'string' ? call.function.arguments : '';
    let input = parseToolArguments(args);
    if (input === undefined) {
      report.clamp('messages[].tool_calls[].function.arguments');
      input = {};
    }
    blocks.push({ type: 'tool_use', id: call.id, name, input });
  }
  return blocks;
}

function toolResultBlock(message: Record<string, unknown>): ToolResultBlockParam {
  const block: ToolResultBlockParam = {
    type: 'tool_result',
    tool_use_id: typeof message.tool_call_id === 'string' ? message.tool_call_id : '',
  };
  if (typeof message.content === 'string') block.content = message.content;
  else block.content = textBlocks(message.content);
  if (message.is_error === true) block.is_error = true;
  return block;
}

/** The user turn after a tool_use turn must start with its tool_result blocks. */
function resultsFirst(blocks: ContentBlockParam[]): ContentBlockParam[] {
  const results = blocks.filter((block) => block.type === 'tool_result');
  return results.length === 0 ? blocks : [...results, ...blocks.filter((block) => block.type !== 'tool_result')];
}

function append(turns: Turn[], role: Turn['role'], blocks: ContentBlockParam[], plainText: string | undefined, messageCache: CacheControl | undefined): void {
  if (blocks.length === 0) return;
  if (messageCache !== undefined) {
    const last = blocks[blocks.length - 1];
    if (last !== undefined && last.type !== 'thinking' && last.type !== 'redacted_thinking') last.cache_control = messageCache;
    plainText = undefined;
  }
  const previous = turns[turns.length - 1];
  if (previous !== undefined && previous.role === role) {
    previous.blocks = role === 'user' ? resultsFirst([...previous.blocks, ...blocks]) : [...previous.blocks, ...blocks];
    previous.plainText = undefined;
    return;
  }
  turns.push({ role, blocks, plainText });
}

export function convertMessages(messages: readonly unknown[], report: ParamReport): ConvertedMessages {
  const system: TextBlockParam[] = [];
  const turns: Turn[] = [];
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const content = message.content;
    const messageCache = cacheControlOf(message);
    const plain = typeof content === 'string' ? content : undefined;
    switch (message.role) {
      case 'system':
      case 'developer': {
        const blocks = textBlocks(content);
        const last = blocks[blocks.length - 1];
        if (last !== undefined && messageCache !== undefined) last.cache_control = messageCache;
        system.push(...blocks);
        break;
      }
      case 'user':
        append(turns, 'user', userBlocks(content, report), plain, messageCache);
        break;
      case 'assistant': {
        const hasExtras = Array.isArray(message.tool_calls) || Array.isArray(message.thinking_blocks);
        append(turns, 'assistant', assistantBlocks(message, report), hasExtras ? undefined : plain, messageCache);
        break;
      }
      case 'tool':
        append(turns, 'user', [toolResultBlock(message)], undefined, messageCache);
        break;
      default:
        report.drop(`messages[].role=${String(message.role)}`);
    }
  }
  return {
    system,
    messages: turns.map((turn) => ({ role: turn.role, content: turn.plainText ?? turn.blocks })),
  };
}

