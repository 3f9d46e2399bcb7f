/** Errors of the master process, with a stable `code` that tests and operators can match on. */
export type MasterErrorCode =
  | 'LL_BIND_FAILED'
  | 'LL_HANDLE_UNSUPPORTED'
  | 'LL_WORKER_NOT_READY'
  | 'LL_CONTROL_SOCKET';

export class MasterError extends Error {
  readonly code: MasterErrorCode;

  constructor(code: MasterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MasterError';
    this.code = code;
  }
}
