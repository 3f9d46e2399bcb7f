/**
 * Hands the JSON payloads of parsed upstream SSE events to a stream state machine. A payload that is
 * not JSON fails the stream — except one completed only by the end of the stream: that event was cut
 * short, and the machine's `end()` reports the truncation. JSON of the wrong shape fails the stream too
 * (the machines trust the documented shapes and may throw on others).
 */
import { isRecord, parseEventData } from './json-values.ts';
import type { SseEvent } from './sse-parser.ts';

export interface StreamMachine<In, Out> {
  push(event: In): Out[];
  fail(message: string): Out[];
}

/** `parse`: reads an event's data (JSON.parse, or a reader that gives the same for its upstream's events). */
export function feedEvents<In, Out>(events: readonly SseEvent[], isEnd: boolean, machine: StreamMachine<In, Out>, parse: (data: string) => unknown = parseEventData): Out[] {
  const out: Out[] = [];
  for (const event of events) {
    const value = parse(event.data);
    if (value === undefined) {
      if (!isEnd) out.push(...machine.fail('upstream sent an event that is not JSON'));
    } else if (isRecord(value) || value === '[DONE]') {
      let frames: Out[];
      try {
        frames = machine.push(value as In);
      } catch {
        frames = machine.fail('upstream sent a malformed event'); // valid JSON of the wrong shape
      }
      for (const frame of frames) out.push(frame);
    }
  }
  return out;
}
