/**
 * Runs `process.nextTick` a few thousand times with one callback shape before the worker does anything else.
 *
 * Why: a worker's first ticks (the master's IPC handshake, handles passed with messages) give nextTick's
 * feedback vector its first maps, and loading the gateway's modules right after turns the object-literal
 * property definitions of its tick object megamorphic (measured with `%DebugPrint(process.nextTick)`: slots
 * of `[async_context_frame]`, `callback` and `args` MEGAMORPHIC, in the worker only). V8 never leaves that
 * state, so every tick for the worker's lifetime took the generic path: 0.6–1.7 µs per nextTick call against
 * 0.15–0.3 µs in the master, and about a third of the worker's CPU per streamed SSE chunk (node:http and
 * stream internals schedule several ticks per write). Ticks of one shape first keep those sites monomorphic.
 * docs/benchmarks.md has the measurements.
 */
const PRIMING_TICKS = 20_000;

function noop(): void {}

export function primeNextTick(): void {
  for (let i = 0; i < PRIMING_TICKS; i++) process.nextTick(noop);
}
