/**
 * `system_messages: fold` — for chat templates that accept one system message, and only first (several
 * vLLM and llama.cpp templates raise "System message must be at the beginning"). The leading system
 * messages become one; each later one is merged into the adjacent user message:
 * - right after a user message, it is appended to it (Claude Code's mid-conversation system message
 *   follows the user's turn);
 * - otherwise it waits, past tool messages, for the next user message and is put before its text;
 * - when an assistant message or the end comes first, it becomes a user message of its own right there,
 *   so user and assistant turns still alternate.
 * Merged texts are separated by a blank line; content parts (images, kept cache breakpoints) stay parts.
 */
import type {
  ChatCompletionContentPart,
  ChatCompletionContentPartText,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';

type Content = string | ChatCompletionContentPart[];
type SystemContent = string | ChatCompletionContentPartText[];

const SEPARATOR = '\n\n';

function asParts<Part extends ChatCompletionContentPart>(content: string | Part[]): Array<Part | ChatCompletionContentPartText> {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/** `first` then `second`: one string when both are strings, else one list of parts. */
function join(first: Content, second: Content): Content {
  if (typeof first === 'string' && typeof second === 'string') return `${first}${SEPARATOR}${second}`;
  return [...asParts(first), ...asParts(second)];
}

function joinSystem(first: SystemContent, second: SystemContent): SystemContent {
  if (typeof first === 'string' && typeof second === 'string') return `${first}${SEPARATOR}${second}`;
  return [...asParts(first), ...asParts(second)];
}

export function foldSystemMessages(messages: readonly ChatCompletionMessageParam[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  let leading: SystemContent | undefined;
  let index = 0;
  for (; index < messages.length; index++) {
    const message = messages[index];
    if (message?.role !== 'system') break;
    leading = leading === undefined ? message.content : joinSystem(leading, message.content);
  }
  if (leading !== undefined) out.push({ role: 'system', content: leading });

  let pending: Content | undefined;
  for (; index < messages.length; index++) {
    const message = messages[index];
    if (message === undefined) continue;
    if (message.role === 'system') {
      const previous = out.at(-1);
      if (pending === undefined && previous?.role === 'user') out[out.length - 1] = { ...previous, content: join(previous.content, message.content) };
      else pending = pending === undefined ? message.content : join(pending, message.content);
      continue;
    }
    if (pending !== undefined && message.role === 'user') {
      out.push({ ...message, content: join(pending, message.content) });
      pending = undefined;
      continue;
    }
    if (pending !== undefined && message.role !== 'tool') {
      out.push({ role: 'user', content: pending });
      pending = undefined;
    }
    out.push(message);
  }
  if (pending !== undefined) out.push({ role: 'user', content: pending });
  return out;
}
