/**
 * Reads a response body chunk by chunk. A ChunkSource (the network providers' bodies) pushes its chunks
 * itself. A Node Readable is driven by its 'data' events:
 * `for await` costs a promise, an iterator result and several microtasks per chunk, which on a token stream
 * is most of the relay's own CPU per event. Other async iterables (the built-in mock) are iterated.
 *
 * `onChunk` runs synchronously per chunk and answers `true` (go on), `false` (stop reading: the caller
 * discards the rest) or a promise (the body is paused until it settles with true or false: back-pressure).
 * Resolves when the body ended or reading stopped; rejects with the body's error (reset, idle timeout) or
 * when it closed before its end.
 */
import { Readable } from 'node:stream';
import type { ChunkSource, ChunkVerdict } from '../providers/provider.ts';

export type { ChunkVerdict };

const PREMATURE_CLOSE = 'the upstream body closed before its end';

function isChunkSource(body: ChunkSource | AsyncIterable<Uint8Array | string>): body is ChunkSource {
  return typeof (body as Partial<ChunkSource>).forEachChunk === 'function';
}

export function forEachChunk(body: ChunkSource | AsyncIterable<Uint8Array | string>, onChunk: (chunk: Uint8Array | string) => ChunkVerdict): Promise<void> {
  if (isChunkSource(body)) return body.forEachChunk(onChunk);
  if (body instanceof Readable) return pumpReadable(body, onChunk);
  return iterate(body, onChunk);
}

async function iterate(body: AsyncIterable<Uint8Array | string>, onChunk: (chunk: Uint8Array | string) => ChunkVerdict): Promise<void> {
  for await (const chunk of body) {
    const verdict = onChunk(chunk);
    if (!(verdict === true || (verdict !== false && (await verdict)))) return;
  }
}

function prematureClose(): Error {
  return Object.assign(new Error(PREMATURE_CLOSE), { code: 'UND_ERR_SOCKET' });
}

function pumpReadable(body: Readable, onChunk: (chunk: Uint8Array | string) => ChunkVerdict): Promise<void> {
  if (body.readableEnded) return Promise.resolve();
  if (body.destroyed) return Promise.reject(body.errored ?? prematureClose());
  return new Promise<void>((resolve, reject) => {
    let isDone = false;
    const finish = (err?: unknown): void => {
      if (isDone) return;
      isDone = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      if (err === undefined) resolve();
      else reject(err instanceof Error ? err : new Error(String(err)));
    };
    const onData = (chunk: Uint8Array | string): void => {
      let verdict: ChunkVerdict;
      try {
        verdict = onChunk(chunk);
      } catch (err) {
        finish(err);
        return;
      }
      if (verdict === true) return;
      if (verdict === false) {
        body.pause();
        finish();
        return;
      }
      body.pause();
      verdict.then(
        (isMore) => {
          if (isDone) return;
          if (isMore) body.resume();
          else finish();
        },
        (err: unknown) => finish(err),
      );
    };
    const onEnd = (): void => finish();
    const onError = (err: Error): void => finish(err);
    // 'close' after 'end' finds the promise settled; before it, the body was cut.
    const onClose = (): void => finish(prematureClose());
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}
