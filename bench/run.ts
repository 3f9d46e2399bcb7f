/**
 * Benchmark driver, started by bench/run.sh (which installs the tools and creates the work directory).
 * Starts the mock upstream, runs the selected sections (each starts, measures and stops its own targets, every
 * target measured back to back in each repetition), and prints the markdown report; raw results go to
 * <work>/raw.jsonl.
 *   bench/run.sh [--quick] [--reps N] [--only core,reload,ai,observability,access] [--targets direct,nginx,node-minimal,louailink]
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findFreePort, killAllGroups, setPgidFile, stopGroup } from './lib/processes.ts';
import { snapshotLouailink, startMock, TARGET_NAMES } from './lib/targets.ts';
import type { BenchContext, TargetName } from './lib/targets.ts';
import { foreignSummary } from './lib/format.ts';
import { NoiseBudget, NoiseGuard } from './lib/section.ts';
import type { Section, SectionEnv } from './lib/section.ts';
import { coreSection } from './lib/sections/core.ts';
import { reloadSection } from './lib/sections/reload.ts';
import { aiSection } from './lib/sections/ai.ts';
import { accessSection, observabilitySection } from './lib/sections/variants.ts';

const { values } = parseArgs({
  options: {
    work: { type: 'string' },
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    only: { type: 'string' },
    targets: { type: 'string', default: TARGET_NAMES.join(',') },
    'idle-streams': { type: 'string', default: '1000' },
    'noise-budget': { type: 'string' },
  },
});

const quick = values.quick ?? false;
const reps = Number(values.reps ?? (quick ? 1 : 3));
const root = resolve(import.meta.dirname, '..');
const work = values.work ?? '';
if (work === '') throw new Error('--work DIR is required (bench/run.sh creates it)');
const targets = (values.targets ?? '').split(',').map((t) => t.trim()).filter((t): t is TargetName => (TARGET_NAMES as readonly string[]).includes(t));

const SECTIONS: readonly Section[] = [
  coreSection(targets, Number(values['idle-streams'])),
  reloadSection,
  aiSection,
  observabilitySection,
  accessSection,
];
const only = values.only === undefined ? SECTIONS.map((s) => s.name) : values.only.split(',').map((s) => s.trim());
const unknown = only.filter((name) => !SECTIONS.some((s) => s.name === name));
if (unknown.length > 0) throw new Error(`--only: unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
const selected = SECTIONS.filter((s) => only.includes(s.name));
/**
 * Seconds the run may spend waiting for a quiet machine and re-running disturbed measurements: the selected
 * sections' own budgets by default (`Section.noiseBudgetS`), none in quick runs.
 */
const noiseBudgetS = Number(values['noise-budget'] ?? (quick ? 0 : selected.reduce((sum, s) => sum + s.noiseBudgetS, 0)));

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** First line a tool prints about its version (nginx -v and wrk -v print to stderr, wrk exits 1). */
function versionOf(command: string, args: string[]): string {
  const run = spawnSync(command, args, { encoding: 'utf8', timeout: 5000 });
  return `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n')[0] ?? '?';
}

async function main(): Promise<void> {
  setPgidFile(join(work, 'pgids'));
  const startedAt = Date.now();
  const commit = versionOf('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
  const louailinkRoot = selected.some((s) => s.usesLouailink) ? snapshotLouailink(root, work, commit) : root;
  const ctx: BenchContext = { root, work, node: process.execPath, mockPort: await findFreePort(), louailinkRoot };
  log(`work dir ${work}; ${quick ? 'quick' : 'full'} run, ${reps} repetition(s), sections ${selected.map((s) => s.name).join(', ')}`);
  const mock = await startMock(ctx);
  const raw = join(work, 'raw.jsonl');
  const foreign: number[] = [];
  const skipped: string[] = [];
  const parts: string[] = [];
  const budget = new NoiseBudget(noiseBudgetS);
  for (const section of selected) {
    const sectionStart = Date.now();
    log(`section ${section.name}: ${section.title}`);
    const env: SectionEnv = {
      ctx, quick, reps, guard: new NoiseGuard(budget, section.quietSampleMs, log), log,
      raw: (record) => appendFileSync(raw, `${JSON.stringify({ section: section.name, ...record })}\n`),
    };
    try {
      const outcome = await section.run(env);
      foreign.push(...outcome.foreign);
      skipped.push(...outcome.skipped.map((s) => `${section.name}: ${s}`));
      parts.push(`### ${section.title}`, '', `Section \`${section.name}\`, ${Math.round((Date.now() - sectionStart) / 1000)} s.`, '', outcome.markdown, '');
    } catch (err) {
      // A section that fails is reported; the others still run.
      const message = (err as Error).stack ?? String(err);
      log(`section ${section.name} failed: ${message}`);
      skipped.push(`${section.name}: failed (${message.split('\n').slice(0, 3).join(' | ')})`);
    }
  }
  await stopGroup(mock);

  const f = foreignSummary(foreign);
  const noisy = f.max > 0.3 || f.median > 0.1;
  const elapsedS = Math.round((Date.now() - startedAt) / 1000);
  const command = `npm run bench${process.argv.length > 4 ? ` -- ${process.argv.slice(4).join(' ')}` : ''}`;
  const cpuModel = cpus()[0]?.model ?? '?';
  const summary = [
    `## Benchmark run ${new Date(startedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`${command}\` (${quick ? 'quick' : 'full'}, ${reps} repetition(s), sections ${selected.map((s) => s.name).join(', ')}, ${elapsedS} s). louailink from commit ${commit} (a git-archive snapshot taken at the start).`,
    `Machine: ${cpus().length} × ${cpuModel}; Node ${process.version}; ${versionOf('nginx', ['-v'])}; ${versionOf('wrk', ['-v'])}.`,
    'Proxies pinned to CPU 1 (one process / one worker), wrk, the SSE client and the nginx + lua mock on CPU 0.',
    `Foreign CPU load (cores used by other processes during the ${f.count} measurements): median ${f.median.toFixed(2)}, max ${f.max.toFixed(2)}, ${f.noisy} measurement(s) above 0.2.` +
      (noisy ? ' **Noisy run: the numbers are provisional.**' : ''),
    ...(skipped.length ? ['', `Not measured: ${skipped.join('; ')}`] : []),
    '',
    ...parts,
  ].join('\n');
  writeFileSync(join(work, 'summary.md'), summary);
  process.stdout.write(`\n${summary}\nRaw results: ${raw}\nSummary: ${join(work, 'summary.md')}\n`);
}

function bail(signal: string): void {
  killAllGroups();
  log(`stopped (${signal}); all benchmark processes killed`);
  process.exit(130);
}
process.on('SIGINT', () => bail('SIGINT'));
process.on('SIGTERM', () => bail('SIGTERM'));
process.on('exit', () => killAllGroups());
process.title = 'bench-driver';

main().catch((err: unknown) => {
  killAllGroups();
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  try {
    process.stderr.write(readFileSync(join(work, 'pgids'), 'utf8'));
  } catch {
    // nothing
  }
  process.exit(1);
});
