/**
 * A responder that plays a tool-using model in an agent loop (Claude Code, an SDK tool runner): a request
 * that offers tools gets `turns[n]`, n being the number of assistant turns already in its conversation —
 * so the first call gets `turns[0]` (typically a tool call) and the call that carries the tool result gets
 * `turns[1]` (the final answer, or the next call). Stateless: retries and parallel side requests get the
 * same answer for the same conversation. Requests without tools (titles, summaries) and turns past the
 * end fall through to the scripted steps. Works for both dialects (`messages[].role` is the same).
 */
import type { RecordedRequest } from './mock-server.ts';
import { isRecord } from './reply-parts.ts';
import type { Responder, Step } from './script.ts';

export function agentTurns(turns: readonly Step[]): Responder {
  return (request: RecordedRequest) => {
    const body = request.body;
    if (!isRecord(body) || !Array.isArray(body['tools']) || body['tools'].length === 0) return undefined;
    const messages = Array.isArray(body['messages']) ? body['messages'] : [];
    const done = messages.filter((m) => isRecord(m) && m['role'] === 'assistant').length;
    return turns[done];
  };
}
