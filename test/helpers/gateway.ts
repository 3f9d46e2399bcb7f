/**
 * startTestGateway(config): the real gateway in-process. Servers without `listen` get a free port on
 * 127.0.0.1. The config goes through `configSchema.parse` (defaults, units) like a loaded file;
 * reference checks are skipped so tests can also build configs the validator would reject.
 */
import { configSchema } from '../../src/config/schema.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startGateway } from '../../src/worker/start.ts';
import type { RunningGateway } from '../../src/worker/start.ts';
import { freePort } from './ports.ts';
import { TLS_DIR } from './tls.ts';

type ServerInput = ConfigInput['servers'][string];

export type TestConfigInput = Omit<ConfigInput, 'servers'> & {
  servers: Record<string, Omit<ServerInput, 'listen'> & { listen?: ServerInput['listen'] }>;
};

export interface TestGateway extends RunningGateway {
  /** The first address of the first server, e.g. "http://127.0.0.1:41234". */
  readonly url: string;
}

/** `configDir` defaults to test/fixtures/tls so certificates can be named "server.pem". */
export async function startTestGateway(input: TestConfigInput, configDir: string = TLS_DIR): Promise<TestGateway> {
  const servers: Record<string, ServerInput> = {};
  for (const [name, server] of Object.entries(input.servers)) {
    servers[name] = { ...server, listen: server.listen ?? `127.0.0.1:${await freePort()}` };
  }
  const config = configSchema.parse({ ...input, servers });
  const gateway = await startGateway({
    loaded: { config, configPath: configDir, configDir, files: [], hash: 'test' },
    logger: createLogger({ level: 'silent', name: 'test' }),
  });
  const url = gateway.addresses[0];
  if (url === undefined) throw new Error('the gateway has no address');
  return { addresses: gateway.addresses, close: () => gateway.close(), drain: (o) => gateway.drain(o), reopenLogs: () => gateway.reopenLogs(), url };
}
