import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { forEachChunk } from './for-each-chunk.ts';

const text = (chunk: Uint8Array | string): string => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());

describe('forEachChunk', () => {
  it('hands every chunk of a Readable over in order and resolves at its end', async () => {
    const seen: string[] = [];
    await forEachChunk(Readable.from(['a', 'b', 'c'], { objectMode: false }), (chunk) => (seen.push(text(chunk)), true));
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('pauses the body while a returned promise is pending and goes on when it settles with true', async () => {
    const body = new PassThrough();
    const seen: string[] = [];
    let release: (more: boolean) => void = () => {};
    const done = forEachChunk(body, (chunk) => {
      seen.push(text(chunk));
      return seen.length === 1 ? new Promise<boolean>((resolve) => (release = resolve)) : true;
    });
    body.write('one');
    await new Promise((resolve) => setImmediate(resolve));
    body.write('two');
    await new Promise((resolve) => setImmediate(resolve));
    expect(body.isPaused()).toBe(true);
    expect(seen).toEqual(['one']);
    release(true);
    body.end();
    await done;
    expect(seen).toEqual(['one', 'two']);
  });

  it('stops reading when asked (false, or a promise settling with false) and resolves', async () => {
    const body = new PassThrough();
    const seen: string[] = [];
    const done = forEachChunk(body, (chunk) => (seen.push(text(chunk)), false));
    body.write('one');
    body.write('two');
    await done;
    expect(seen).toEqual(['one']);
  });

  it('rejects with the body error, and when the body closes before its end', async () => {
    const failing = new PassThrough();
    const failed = forEachChunk(failing, () => true);
    failing.destroy(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    await expect(failed).rejects.toMatchObject({ code: 'ECONNRESET' });
    const cut = new PassThrough();
    const closed = forEachChunk(cut, () => true);
    cut.destroy();
    await expect(closed).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
  });

  it('iterates a body that is not a Readable', async () => {
    async function* generate(): AsyncGenerator<string> {
      yield 'x';
      yield 'y';
    }
    const seen: string[] = [];
    await forEachChunk(generate(), (chunk) => (seen.push(text(chunk)), Promise.resolve(true)));
    expect(seen).toEqual(['x', 'y']);
  });
});
