/** A refusal of the admin API with its HTTP status and stable error code (`{error, message}` on the wire). */
export class AdminError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
