/**
 * The Node flags a worker is forked with: the master's own (minus nothing: `--import` hooks and the like
 * must reach the workers), the warning filter, and two V8 heap settings for a process whose garbage is
 * per-request and short-lived:
 * - the young generation's size from `basic.semi_space_size` (larger: request garbage dies young);
 * - `--no-allocation-site-pretenuring`: V8 pretenures an allocation site (allocates its objects straight in
 *   the old generation, for good) when nearly all its objects survived one scavenge. A worker's first burst
 *   of requests does exactly that (hundreds in flight while connections open and code compiles), so V8
 *   tenured the sites of IncomingMessage, the upstream request and its headers at the first scavenge under
 *   load and never reverted: every request then lived in the old generation, kept its young objects alive
 *   across scavenges (40–60 ms each instead of 3) and cost a mark-compact every 1.3 s (docs/benchmarks.md).
 * An operator's own setting of either flag on the command line wins.
 */
import type { BasicConfig } from '../config/schema.ts';

const SEMI_SPACE_FLAG = '--max-semi-space-size';
const PRETENURING_FLAGS = ['--allocation-site-pretenuring', '--no-allocation-site-pretenuring'];
const MIB = 1024 * 1024;

function isSetByOperator(masterExecArgv: readonly string[], names: readonly string[]): boolean {
  return masterExecArgv.some((flag) => names.some((name) => flag === name || flag.startsWith(`${name}=`)));
}

export function workerExecArgv(basic: Pick<BasicConfig, 'semi_space_size'>, masterExecArgv: readonly string[] = process.execArgv): string[] {
  const argv = [...masterExecArgv, '--disable-warning=ExperimentalWarning'];
  if (!isSetByOperator(masterExecArgv, [SEMI_SPACE_FLAG]) && basic.semi_space_size > 0) {
    argv.push(`${SEMI_SPACE_FLAG}=${Math.max(1, Math.round(basic.semi_space_size / MIB))}`);
  }
  if (!isSetByOperator(masterExecArgv, PRETENURING_FLAGS)) argv.push('--no-allocation-site-pretenuring');
  return argv;
}
