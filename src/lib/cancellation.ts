/**
 * Whether an operation was cancelled (an AI exchange whose client went away), and the one thing to stop
 * when it is (the upstream call in flight). An AbortController is built only when an API asks for a
 * signal (a timer, a wait for 'drain'): most requests end without ever needing one, and an
 * AbortController with its listeners was a visible share of a short request's cost.
 */

function cancelledError(): Error {
  return Object.assign(new Error('the operation was cancelled'), { name: 'AbortError' });
}

export class Cancellation {
  #reason: Error | undefined = undefined;
  #hook: ((reason: Error) => void) | null = null;
  #controller: AbortController | null = null;

  get isCancelled(): boolean {
    return this.#reason !== undefined;
  }

  /** The reason given to cancel(); undefined until then. */
  get reason(): Error | undefined {
    return this.#reason;
  }

  /** An AbortSignal that aborts with this cancellation (made on first use; already aborted if cancelled). */
  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Cancels once: runs the hook, then aborts the signal if one was handed out. Later calls do nothing. */
  cancel(reason: Error = cancelledError()): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    const hook = this.#hook;
    this.#hook = null;
    hook?.(reason);
    this.#controller?.abort(reason);
  }

  /** What to stop on cancel(), replacing the previous hook (one operation runs at a time). */
  setHook(hook: (reason: Error) => void): void {
    this.#hook = hook;
  }

  /** Removes `hook` if it is still the one set (its operation ended). */
  clearHook(hook: (reason: Error) => void): void {
    if (this.#hook === hook) this.#hook = null;
  }
}
