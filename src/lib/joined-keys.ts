/**
 * Map keys joined from a prefix and a part, built once per part: a key joined per request is a new string whose
 * hash every map lookup computes again. Bounded (cleared when full) for parts that come from clients, such as
 * addresses.
 */
const DEFAULT_MAX_KEYS = 10_000;

export class JoinedKeys {
  readonly #prefix: string;
  readonly #suffix: string;
  readonly #maxKeys: number;
  readonly #keys = new Map<string, string>();

  constructor(prefix: string, suffix = '', maxKeys = DEFAULT_MAX_KEYS) {
    this.#prefix = prefix;
    this.#suffix = suffix;
    this.#maxKeys = maxKeys;
  }

  /** prefix + part + suffix. */
  of(part: string): string {
    let key = this.#keys.get(part);
    if (key === undefined) {
      if (this.#keys.size >= this.#maxKeys) this.#keys.clear();
      key = this.#prefix + part + this.#suffix;
      this.#keys.set(part, key);
    }
    return key;
  }
}
