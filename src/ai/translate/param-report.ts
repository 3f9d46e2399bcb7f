/**
 * Collects the request parameters a translation dropped or changed (clamped, reordered into another
 * field, filtered), by their client-side name, for a response header such as `x-louai-dropped-params`.
 * In strict mode the first one is a `bad_request` instead, naming the parameter.
 */
import { GatewayError } from '../../core/errors.ts';

/** `bad_request` for a parameter the upstream cannot honour as sent; `param` is the client-side name. */
export class UnsupportedParamError extends GatewayError {
  readonly param: string;

  constructor(param: string, message: string) {
    super('bad_request', message);
    this.param = param;
  }
}

export class ParamReport {
  readonly #isStrict: boolean;
  readonly #names: string[] = [];

  constructor(isStrict: boolean) {
    this.#isStrict = isStrict;
  }

  /** The parameter is not sent upstream at all. */
  drop(param: string): void {
    this.#note(param, 'is not supported by the upstream');
  }

  /** The parameter is sent with a changed value (clamped, filtered, truncated). */
  clamp(param: string): void {
    this.#note(param, 'is outside what the upstream accepts');
  }

  /** Names in first-seen order, each once. */
  get names(): string[] {
    return [...this.#names];
  }

  #note(param: string, reason: string): void {
    if (this.#isStrict) throw new UnsupportedParamError(param, `parameter '${param}' ${reason} (strict mode)`);
    if (!this.#names.includes(param)) this.#names.push(param);
  }
}
