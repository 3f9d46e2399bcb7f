/**
 * `louailink encrypt-key`: reads one provider key on stdin and prints it as an `enc:v1:` value for
 * `providers.<name>.keys`, encrypted under LOUAILINK_MASTER_KEY (src/config/secret-box.ts). The key is
 * never taken as an argument, so it stays out of shell history and the process list.
 */
import type { Env } from '../config/interpolate.ts';
import { MASTER_KEY_ENV, SecretBoxError, encryptSecret, parseMasterKey } from '../config/secret-box.ts';
import type { CliIo } from './cli-io.ts';

export interface EncryptKeyRun {
  readonly io: CliIo;
  /** The whole of stdin. */
  readonly readInput: () => Promise<string>;
  readonly env: Env;
}

export async function runEncryptKey(run: EncryptKeyRun): Promise<number> {
  let masterKey: Buffer;
  try {
    masterKey = parseMasterKey(run.env[MASTER_KEY_ENV]);
  } catch (err) {
    if (!(err instanceof SecretBoxError)) throw err;
    const reason = err.code === 'LL_MASTER_KEY_MISSING' ? `set ${MASTER_KEY_ENV} to the master key (32 bytes, base64 or hex)` : err.message;
    run.io.stderr(`error: ${reason}; generate one with: openssl rand -base64 32\n`);
    return 1;
  }
  const secret = (await run.readInput()).trim();
  if (secret === '') {
    run.io.stderr('error: no key on stdin (e.g. printf %s "$KEY" | louailink encrypt-key)\n');
    return 1;
  }
  run.io.stdout(`${encryptSecret(secret, masterKey)}\n`);
  return 0;
}

/** Reads stdin to its end; on a terminal, says how to end the input first. */
export async function readStdin(io: CliIo): Promise<string> {
  if (process.stdin.isTTY === true) io.stderr('key (then Enter and Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
