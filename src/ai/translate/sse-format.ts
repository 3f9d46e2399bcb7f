/**
 * Serializes translated stream frames as SSE text. OpenAI streams are bare `data:` lines ending with
 * `data: [DONE]`; Anthropic streams name every event (`event: <type>`), as the API does.
 */
import { DONE, type AnthropicEventOut, type OpenAiFrame } from './wire-types.ts';

export function formatOpenAiFrames(frames: readonly OpenAiFrame[]): string {
  let out = '';
  for (const frame of frames) out += frame === DONE ? 'data: [DONE]\n\n' : `data: ${JSON.stringify(frame)}\n\n`;
  return out;
}

export function formatAnthropicEvents(events: readonly AnthropicEventOut[]): string {
  let out = '';
  for (const event of events) out += `event: ${event.type}\ndata: ${eventJson(event)}\n\n`;
  return out;
}

/**
 * JSON.stringify(event), with the text delta (most events of a translated stream) written from a template:
 * the same bytes (the translator builds it as {type, index, delta: {type, text}}), without walking the object.
 */
function eventJson(event: AnthropicEventOut): string {
  if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
    return `{"type":"content_block_delta","index":${JSON.stringify(event.index)},"delta":{"type":"text_delta","text":${JSON.stringify(event.delta.text)}}}`;
  }
  return JSON.stringify(event);
}
