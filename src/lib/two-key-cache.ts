/**
 * Values made on first use for a pair of keys and kept (metric cells by two label values, say): a lookup
 * is two map gets, never a joined string per call.
 */
export class TwoKeyCache<V> {
  readonly #byFirst = new Map<string, Map<string, V>>();
  readonly #make: (first: string, second: string) => V;

  constructor(make: (first: string, second: string) => V) {
    this.#make = make;
  }

  get(first: string, second: string): V {
    let bySecond = this.#byFirst.get(first);
    if (bySecond === undefined) {
      bySecond = new Map();
      this.#byFirst.set(first, bySecond);
    }
    let value = bySecond.get(second);
    if (value === undefined) {
      value = this.#make(first, second);
      bySecond.set(second, value);
    }
    return value;
  }
}
