/**
 * The command line. `-c PATH` runs the master and its workers (docs/operations.md), `-c PATH -t` only
 * validates, `-s COMMAND` talks to a running master, `-d`/`-u` start in the background or take over from
 * the running master, `config schema` prints the JSON Schema, `encrypt-key` encrypts a provider key.
 */
import { Command } from 'commander';
import { VERSION } from '../core/version.ts';
import type { CliIo } from './cli-io.ts';
import { printSchema } from './print-schema.ts';
import { readStdin, runEncryptKey } from './encrypt-key.ts';
import { serveWithWorkers } from './serve-workers.ts';
import { runControlCommand, runDaemonCommand, runUpgradeCommand } from '../master/master-cli.ts';
import { testConfig } from './test-config.ts';
import { runInstall } from './install.ts';

export interface RootOptions {
  readonly conf?: string;
  readonly test?: boolean;
  readonly signal?: string;
  readonly workers?: string;
  readonly drainTimeout?: string;
  readonly pidFile?: string;
  readonly autoReload?: boolean;
  readonly daemon?: boolean;
  readonly upgrade?: boolean;
  readonly log?: string;
  readonly upgradeWait?: string;
  readonly install?: boolean;
  readonly prefix?: string;
  readonly dryRun?: boolean;
}

/** Builds the program; each action stores its exit code through `setExitCode`. */
export function createProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('louailink')
    .description('Low-latency AI gateway and reverse proxy')
    .version(VERSION, '-V, --version', 'print the version')
    .option('-c, --conf <path>', 'configuration: a YAML file or a directory of *.yaml / *.yml files')
    .option('-t, --test', 'validate the configuration, print every issue and exit (binds nothing)')
    .option('-s, --signal <command>', 'send a command to the running master: reload, quit, stop, reopen, status')
    .option('--workers <count>', 'worker processes (default: $LOUAILINK_WORKERS, else basic.workers; 0: serve in this process)')
    .option('--drain-timeout <duration>', 'how long retiring workers let requests and streams run (default: basic.drain_timeout)')
    .option('-a, --auto-reload', 'reload when a config file changes (debounced; a save without changes does nothing)')
    .option('-d, --daemon', 'run in the background; returns once the master serves (non-zero with the reason if it failed)')
    .option('-u, --upgrade', 'take over from the running master on its sockets (zero downtime), in the background')
    .option('--log <file>', 'append the log of the master and its workers to this file (SIGUSR1 or -s reopen opens it again)')
    .option('--upgrade-wait <duration>', 'on SIGQUIT, how long to keep serving while waiting for a louailink -u (default 10s)')
    .option('--pid-file <path>', 'pid file (default: basic.pid_file, else louailink.pid in the config directory); the control socket goes beside it')
    .option('--install', 'write the systemd unit and, when none exists, a config directory (-c, default /etc/louailink)')
    .option('--prefix <dir>', 'with --install: write under this root directory instead of /')
    .option('--dry-run', 'with --install: print what would be written, write nothing')
    .action(async (options: RootOptions) => {
      if (options.install === true) {
        const run = { prefix: options.prefix, configDir: options.conf, isDryRun: options.dryRun === true, stdout: io.stdout, stderr: io.stderr };
        setExitCode(await runInstall(run));
        return;
      }
      const path = options.conf;
      if (path === undefined) {
        program.error('error: -c, --conf <path> is required (a YAML file or directory)');
        return;
      }
      if (options.signal !== undefined) {
        const { signal: command, pidFile } = options;
        setExitCode(await runControlCommand({ configPath: path, pidFile, command, stdout: io.stdout, stderr: io.stderr }));
        return;
      }
      if (options.test === true) {
        setExitCode(await testConfig(path, io));
        return;
      }
      if (options.upgrade === true || options.daemon === true) {
        const run = { configPath: path, pidFile: options.pidFile, logFile: options.log, stdout: io.stdout, stderr: io.stderr };
        setExitCode(options.upgrade === true ? await runUpgradeCommand(run) : await runDaemonCommand(run));
        return;
      }
      setExitCode(await serveWithWorkers(path, options, io));
    });

  const config = program.command('config').description('configuration tools');
  config
    .command('schema')
    .description('print the JSON Schema of the configuration')
    .action(() => setExitCode(printSchema(io)));
  program
    .command('encrypt-key')
    .description('read a provider key on stdin, print it as an enc:v1: value for providers.<name>.keys (master key: $LOUAILINK_MASTER_KEY)')
    .action(async () => setExitCode(await runEncryptKey({ io, readInput: () => readStdin(io), env: process.env })));
  return program;
}
