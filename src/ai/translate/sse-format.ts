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
  for (const event of events) out += `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  return out;
}
