/**
 * Serializes reloads and coalesces requests: while a reload runs, any number of further requests (a HUP
 * storm, `-s reload` twice) become exactly one follow-up reload, which starts when the running one ends
 * and reads the config as it is then. Every caller's promise settles when a reload that started after its
 * request has finished.
 */
export class ReloadQueue<T> {
  readonly #run: () => Promise<T>;
  #running: Promise<T> | undefined;
  #next: Promise<T> | undefined;

  constructor(run: () => Promise<T>) {
    this.#run = run;
  }

  get isBusy(): boolean {
    return this.#running !== undefined;
  }

  request(): Promise<T> {
    if (this.#next !== undefined) return this.#next;
    if (this.#running === undefined) return this.#start();
    const settled = this.#running.then(
      () => undefined,
      () => undefined,
    );
    const next = settled.then(() => {
      this.#next = undefined;
      return this.#start();
    });
    this.#next = next;
    return next;
  }

  #start(): Promise<T> {
    const running = this.#run();
    this.#running = running;
    const clear = (): void => {
      if (this.#running === running) this.#running = undefined;
    };
    running.then(clear, clear);
    return running;
  }
}
