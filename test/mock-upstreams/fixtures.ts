/**
 * Provider transcripts in test/fixtures/providers/ (written from the providers' documented wire formats):
 * `.json` bodies and `.sse` streams. The mocks replay them verbatim (`{ replay: 'openai/…' }`), and tests,
 * including the translators' golden tests, read them with `loadFixtureJson` / `parseSse`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const PROVIDER_FIXTURES_DIR = resolve(import.meta.dirname, '../fixtures/providers');

const cache = new Map<string, string>();

/** The text of a fixture, by path relative to test/fixtures/providers/ (e.g. `openai/chat-text.sse`). */
export function loadFixtureText(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(resolve(PROVIDER_FIXTURES_DIR, name), 'utf8');
    cache.set(name, text);
  }
  return text;
}

export function loadFixtureJson(name: string): unknown {
  return JSON.parse(loadFixtureText(name)) as unknown;
}

/** An SSE text cut into its events, each with its terminating blank line (LF line endings). */
export function splitSseEvents(text: string): string[] {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n\n+/)
    .filter((event) => event.trim() !== '')
    .map((event) => `${event}\n\n`);
}

export interface SseEvent {
  /** The `event:` field, or undefined when the event has none (OpenAI). */
  readonly event: string | undefined;
  /** The `data:` lines joined with "\n". */
  readonly data: string;
}

/** Parses an SSE text (fixture or recorded stream) into events; comment lines are skipped. */
export function parseSse(text: string): SseEvent[] {
  return splitSseEvents(text).flatMap((block) => {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    return data.length === 0 && event === undefined ? [] : [{ event, data: data.join('\n') }];
  });
}
