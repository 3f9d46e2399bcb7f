/**
 * Serializes translated stream frames as SSE text. OpenAI streams are bare `data:` lines ending with
 * `data: [DONE]`; Anthropic streams name every event (`event: <type>`), as the API does.
 */
import { isRecord } from './json-values.ts';
import { DONE, type AnthropicEventOut, type OpenAiFrame } from './wire-types.ts';

export function formatOpenAiFrames(frames: readonly OpenAiFrame[], chunks?: ChunkHeads): string {
  let out = '';
  for (const frame of frames) out += frame === DONE ? 'data: [DONE]\n\n' : `data: ${chunks?.json(frame) ?? JSON.stringify(frame)}\n\n`;
  return out;
}

/** The members every chunk of a stream starts with, in the order the translator writes them. */
const HEAD_KEYS = ['id', 'object', 'created', 'model'] as const;

/**
 * One stream's chunk JSON: a chunk is `{id, object, created, model, choices}` with the first four the same
 * all stream long, so their JSON is written once and each chunk adds only its choices. Gives exactly
 * JSON.stringify(frame) — a frame with other members or another order goes to JSON.stringify itself.
 */
export class ChunkHeads {
  #head: Record<(typeof HEAD_KEYS)[number], unknown> | null = null;
  /** `{"id":…,"model":…` without the closing brace. */
  #json = '';

  json(frame: Exclude<OpenAiFrame, typeof DONE>): string {
    if (!isHeadAndChoices(frame)) return JSON.stringify(frame);
    const chunk = frame as unknown as Record<string, unknown>;
    if (!this.#isSameHead(chunk)) {
      const fresh = { id: chunk.id, object: chunk.object, created: chunk.created, model: chunk.model };
      this.#head = fresh;
      this.#json = JSON.stringify(fresh).slice(0, -1);
    }
    return `${this.#json},"choices":${choicesJson(chunk.choices)}}`;
  }

  #isSameHead(chunk: Record<string, unknown>): boolean {
    const head = this.#head;
    if (head === null) return false;
    for (const key of HEAD_KEYS) if (head[key] !== chunk[key]) return false;
    return true;
  }
}

const CHUNK_KEYS = [...HEAD_KEYS, 'choices'];
const CHOICE_KEYS = ['index', 'delta', 'logprobs', 'finish_reason'];
const CONTENT_KEYS = ['content'];

/** The frame's own members are exactly id, object, created, model, choices, in that order. */
function isHeadAndChoices(frame: object): boolean {
  return hasExactKeys(frame, CHUNK_KEYS);
}

/** `value`'s enumerable members are exactly `keys`, in that order (the order JSON.stringify writes them in). */
function hasExactKeys(value: object, keys: readonly string[]): boolean {
  let index = 0;
  for (const key in value) {
    if (key !== keys[index]) return false;
    index++;
  }
  return index === keys.length;
}

/**
 * JSON.stringify(choices), with the one-choice content delta (most chunks of a stream) written from a
 * template: V8 takes about 0.9 µs to stringify that small array, the template a quarter of it.
 */
function choicesJson(choices: unknown): string {
  const choice = Array.isArray(choices) && choices.length === 1 ? (choices[0] as unknown) : undefined;
  if (isRecord(choice) && hasExactKeys(choice, CHOICE_KEYS) && typeof choice.index === 'number' && choice.logprobs === null) {
    const { delta, finish_reason: finishReason } = choice;
    if (isRecord(delta) && hasExactKeys(delta, CONTENT_KEYS) && typeof delta.content === 'string' && (finishReason === null || typeof finishReason === 'string')) {
      const index = Number.isSafeInteger(choice.index) ? String(choice.index) : JSON.stringify(choice.index);
      const finish = finishReason === null ? 'null' : JSON.stringify(finishReason);
      return `[{"index":${index},"delta":{"content":${JSON.stringify(delta.content)}},"logprobs":null,"finish_reason":${finish}}]`;
    }
  }
  return JSON.stringify(choices);
}

export function formatAnthropicEvents(events: readonly AnthropicEventOut[]): string {
  let out = '';
  for (const event of events) out += `event: ${event.type}\ndata: ${eventJson(event)}\n\n`;
  return out;
}

const TEXT_EVENT_KEYS = ['type', 'index', 'delta'];
const TEXT_DELTA_KEYS = ['type', 'text'];

/**
 * JSON.stringify(event), with the text delta (most events of a translated stream) written from a template:
 * the same bytes when the event is exactly {type, index, delta: {type, text}}, without walking the object.
 */
function eventJson(event: AnthropicEventOut): string {
  if (event.type === 'content_block_delta' && event.delta.type === 'text_delta' && typeof event.index === 'number' && typeof event.delta.text === 'string' &&
    hasExactKeys(event, TEXT_EVENT_KEYS) && hasExactKeys(event.delta, TEXT_DELTA_KEYS)) {
    return `{"type":"content_block_delta","index":${JSON.stringify(event.index)},"delta":{"type":"text_delta","text":${JSON.stringify(event.delta.text)}}}`;
  }
  return JSON.stringify(event);
}
