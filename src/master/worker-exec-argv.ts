/**
 * The Node flags a worker is forked with: the master's own (minus nothing: `--import` hooks and the like
 * must reach the workers), the warning filter, and V8's young-generation size from `basic.semi_space_size`
 * unless the operator already set one on the command line (theirs wins).
 */
import type { BasicConfig } from '../config/schema.ts';

const SEMI_SPACE_FLAG = '--max-semi-space-size';
const MIB = 1024 * 1024;

export function workerExecArgv(basic: Pick<BasicConfig, 'semi_space_size'>, masterExecArgv: readonly string[] = process.execArgv): string[] {
  const argv = [...masterExecArgv, '--disable-warning=ExperimentalWarning'];
  const isSetByOperator = masterExecArgv.some((flag) => flag === SEMI_SPACE_FLAG || flag.startsWith(`${SEMI_SPACE_FLAG}=`));
  if (!isSetByOperator && basic.semi_space_size > 0) {
    argv.push(`${SEMI_SPACE_FLAG}=${Math.max(1, Math.round(basic.semi_space_size / MIB))}`);
  }
  return argv;
}
