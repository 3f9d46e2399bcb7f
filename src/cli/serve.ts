/**
 * `louailink -c PATH`: load and validate (issues → stderr, exit 1), then start the gateway and run until
 * SIGTERM/SIGINT, which close it gracefully (exit 0). A second signal during the close exits at once.
 */
import { formatIssue } from '../config/config-issue.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../lib/logger.ts';
import type { CliIo } from './cli-io.ts';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export async function serve(path: string, io: CliIo): Promise<number> {
  const result = await loadConfig(path);
  if (!result.ok) {
    for (const issue of result.issues) io.stderr(`${formatIssue(issue)}\n`);
    return 1;
  }
  const { loaded } = result;
  const logger = createLogger({ level: loaded.config.basic.log_level, name: loaded.config.basic.name });
  // Imported here so `-t` and `config schema` never load the serving code.
  const { startGateway } = await import('../worker/start.ts');
  let gateway;
  try {
    gateway = await startGateway({ loaded, logger });
  } catch (err) {
    logger.fatal({ err, code: (err as { code?: unknown }).code }, 'gateway failed to start');
    return 1;
  }
  logger.info({ addresses: gateway.addresses, files: loaded.files.length, hash: loaded.hash.slice(0, 12) }, 'louailink started');

  const running = gateway;
  return await new Promise<number>((done) => {
    let isClosing = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (isClosing) {
        logger.warn({ signal }, 'second stop signal: exiting without waiting');
        done(1);
        return;
      }
      isClosing = true;
      logger.info({ signal }, 'stopping');
      running.close().then(
        () => {
          logger.info('stopped');
          for (const name of STOP_SIGNALS) process.off(name, onSignal);
          done(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'error while stopping');
          done(1);
        },
      );
    };
    for (const name of STOP_SIGNALS) process.on(name, onSignal);
  });
}
