/**
 * The command line. `-c PATH` serves, `-c PATH -t` only validates, `config schema` prints the JSON Schema.
 * Options for later (-d, -u, -a, --log, -s) belong here too.
 */
import { Command } from 'commander';
import { VERSION } from '../core/version.ts';
import type { CliIo } from './cli-io.ts';
import { printSchema } from './print-schema.ts';
import { serve } from './serve.ts';
import { testConfig } from './test-config.ts';

export interface RootOptions {
  readonly conf?: string;
  readonly test?: boolean;
}

/** Builds the program; each action stores its exit code through `setExitCode`. */
export function createProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('louailink')
    .description('Low-latency AI gateway and reverse proxy')
    .version(VERSION, '-V, --version', 'print the version')
    .option('-c, --conf <path>', 'configuration: a YAML file or a directory of *.yaml / *.yml files')
    .option('-t, --test', 'validate the configuration, print every issue and exit (binds nothing)')
    .action(async (options: RootOptions) => {
      const path = options.conf;
      if (path === undefined) {
        program.error('error: -c, --conf <path> is required (a YAML file or directory)');
        return;
      }
      setExitCode(options.test === true ? await testConfig(path, io) : await serve(path, io));
    });

  const config = program.command('config').description('configuration tools');
  config
    .command('schema')
    .description('print the JSON Schema of the configuration')
    .action(() => setExitCode(printSchema(io)));
  return program;
}
