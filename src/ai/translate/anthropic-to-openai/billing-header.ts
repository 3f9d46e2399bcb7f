/**
 * Claude Code (≥ 2.1.29) opens its system prompt with an attribution line, as a text block of its own:
 * `x-anthropic-billing-header: cc_version=2.1.197.595; cc_entrypoint=sdk-cli;` (newer builds add `cch=…`).
 * The suffixes are hashes of the request's content, so the line differs between conversations (and, with
 * `cch`, between requests); Anthropic's API reads it, no model needs it. Sent to an OpenAI-compatible
 * upstream as the first line of the system message, it makes every conversation's prompt prefix unique, and
 * prefix caches (OpenAI, DeepSeek, vLLM, SGLang) never hit. Translation removes those lines; a passthrough to
 * an Anthropic upstream keeps them.
 */
import { isRecord } from '../json-values.ts';

const PREFIX = 'x-anthropic-billing-header:';

function withoutHeaderLines(text: string): string {
  return text.split('\n').filter((line) => !line.startsWith(PREFIX)).join('\n');
}

/**
 * A system prompt (string or text blocks) without billing-header lines; a block left empty is dropped.
 * Returns the input itself when it has none (the common case costs one `includes` per text block).
 */
export function stripBillingHeader<System>(system: System): System {
  if (typeof system === 'string') return (system.includes(PREFIX) ? withoutHeaderLines(system) : system) as System;
  if (!Array.isArray(system)) return system;
  const hasHeader = system.some((block: unknown) => isRecord(block) && typeof block.text === 'string' && block.text.includes(PREFIX));
  if (!hasHeader) return system;
  const kept: unknown[] = [];
  for (const block of system as unknown[]) {
    if (!isRecord(block) || typeof block.text !== 'string' || !block.text.includes(PREFIX)) {
      kept.push(block);
      continue;
    }
    const text = withoutHeaderLines(block.text);
    if (text.trim() !== '') kept.push({ ...block, text });
  }
  return kept as System;
}
