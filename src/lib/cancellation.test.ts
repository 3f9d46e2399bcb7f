import { describe, expect, it } from 'vitest';
import { Cancellation } from './cancellation.ts';

describe('Cancellation', () => {
  it('runs the hook set last once, with the reason, and aborts a signal handed out before', () => {
    const cancellation = new Cancellation();
    const seen: string[] = [];
    cancellation.setHook(() => seen.push('first'));
    cancellation.setHook((reason) => seen.push(`second: ${reason.message}`));
    const signal = cancellation.signal;
    expect(cancellation.isCancelled).toBe(false);
    cancellation.cancel(new Error('client left'));
    cancellation.cancel(new Error('again'));
    expect(seen).toEqual(['second: client left']);
    expect(cancellation.isCancelled).toBe(true);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('client left');
  });

  it('hands out an aborted signal after the cancel, and forgets a cleared hook', () => {
    const cancellation = new Cancellation();
    const seen: string[] = [];
    const hook = (): void => void seen.push('hook');
    cancellation.setHook(hook);
    cancellation.clearHook(hook);
    cancellation.cancel();
    expect(seen).toEqual([]);
    expect(cancellation.signal.aborted).toBe(true);
    expect(cancellation.reason?.name).toBe('AbortError');
  });

  it('keeps a newer hook when an older one is cleared', () => {
    const cancellation = new Cancellation();
    const seen: string[] = [];
    const older = (): void => void seen.push('older');
    cancellation.setHook(older);
    cancellation.setHook(() => seen.push('newer'));
    cancellation.clearHook(older);
    cancellation.cancel();
    expect(seen).toEqual(['newer']);
  });
});
