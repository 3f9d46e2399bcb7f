/** Dialect-neutral pieces of a reply: fragments, joined texts and the usage both renderings report. */
import type { Reply, UsageScript } from './script.ts';

export function fragmentsOf(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

export function joined(value: string | readonly string[] | undefined): string {
  return fragmentsOf(value).join('');
}

/** The documented rough estimate: about four characters per token, at least 1 for a non-empty text. */
export function estimateTokens(chars: number): number {
  return chars === 0 ? 0 : Math.max(1, Math.ceil(chars / 4));
}

export type ResolvedUsage = Required<UsageScript>;

/** Scripted usage, or estimates: input from the request's prompt characters, output from the reply. */
export function resolveUsage(reply: Reply, promptChars: number): ResolvedUsage {
  const reasoningChars = joined(reply.thinking?.text).length;
  const outputChars =
    reasoningChars +
    joined(reply.text).length +
    (reply.toolCalls ?? []).reduce((sum, call) => sum + call.name.length + joined(call.arguments).length, 0);
  const usage = reply.usage ?? {};
  return {
    input: usage.input ?? estimateTokens(promptChars),
    output: usage.output ?? Math.max(1, estimateTokens(outputChars)),
    cacheRead: usage.cacheRead ?? 0,
    cacheCreation: usage.cacheCreation ?? 0,
    reasoning: usage.reasoning ?? estimateTokens(reasoningChars),
  };
}

/** Characters of the prompt-bearing fields of a request body (messages, system, tools, input). */
export function promptCharsOf(body: unknown): number {
  if (!isRecord(body)) return 0;
  let chars = 0;
  for (const field of ['messages', 'system', 'tools', 'input']) {
    const value = body[field];
    if (value !== undefined) chars += typeof value === 'string' ? value.length : JSON.stringify(value).length;
  }
  return chars;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function modelOf(body: unknown, fallback: string): string {
  const model = isRecord(body) ? body['model'] : undefined;
  return typeof model === 'string' && model !== '' ? model : fallback;
}
