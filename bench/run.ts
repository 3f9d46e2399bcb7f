/**
 * Benchmark driver, started by bench/run.sh (which installs the tools and creates the work directory).
 * Runs the mock upstream and every target side by side on 127.0.0.1, measures each target back to back in
 * every repetition (rotating the order), and prints the markdown report; raw results go to <work>/raw.jsonl.
 *   bench/run.sh [--quick] [--reps N] [--targets direct,nginx,node-minimal,louailink]
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort, killAllGroups, setPgidFile, stopGroup } from './lib/processes.ts';
import { snapshotLouailink, startMock, startTarget, TARGET_NAMES } from './lib/targets.ts';
import type { BenchContext, RunningTarget, TargetName } from './lib/targets.ts';
import { runIdle, runSse, runWrk, waitForQuiet } from './lib/load-tests.ts';
import { readGroupPeakRss } from './lib/proc-stats.ts';
import { foreignSummary, renderGoals, renderTables } from './lib/report.ts';
import type { RepResult } from './lib/report.ts';

const { values } = parseArgs({
  options: {
    work: { type: 'string' },
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    targets: { type: 'string', default: TARGET_NAMES.join(',') },
    'idle-streams': { type: 'string', default: '1000' },
    'noise-budget': { type: 'string' },
  },
});

const quick = values.quick ?? false;
const plan = {
  reps: Number(values.reps ?? (quick ? 1 : 3)),
  warmNsS: quick ? 1 : 2,
  warmSseS: quick ? 0.5 : 1,
  ns50S: quick ? 2 : 4,
  ns1S: quick ? 2 : 3,
  burstS: quick ? 1.5 : 3,
  c1S: quick ? 1.5 : 2.5,
  pacedS: quick ? 2 : 3,
  idleStreams: Number(values['idle-streams']),
  /** Seconds the run may spend waiting for a quiet machine and re-running disturbed measurements. */
  noiseBudgetS: Number(values['noise-budget'] ?? (quick ? 0 : 90)),
};

const root = resolve(import.meta.dirname, '..');
const work = values.work ?? '';
if (work === '') throw new Error('--work DIR is required (bench/run.sh creates it)');
const targets = (values.targets ?? '').split(',').map((t) => t.trim()).filter((t): t is TargetName => (TARGET_NAMES as readonly string[]).includes(t));

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function writeBodies(): Record<'ns' | 'burst' | 'paced' | 'idle', string> {
  const messages = '[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Say hello in one short sentence."}]';
  const files = {
    ns: ['req-nonstream.json', `{"model":"mock-n1-d0","messages":${messages}}`],
    burst: ['req-stream-n50-d0.json', `{"model":"mock-n50-d0","stream":true,"stream_options":{"include_usage":true},"messages":${messages}}`],
    paced: ['req-stream-n50-d20.json', `{"model":"mock-n50-d20","stream":true,"stream_options":{"include_usage":true},"messages":${messages}}`],
    idle: ['req-stream-n2-d120000.json', `{"model":"mock-n2-d120000","stream":true,"messages":${messages}}`],
  } as const;
  const out = { ns: '', burst: '', paced: '', idle: '' };
  for (const [key, [name, text]] of Object.entries(files)) {
    const path = join(work, name);
    writeFileSync(path, text);
    out[key as keyof typeof out] = path;
  }
  return out;
}

let noiseSpentMs = 0;
/** Runs a measurement after waiting for a quiet machine; re-runs it once if it was disturbed (full mode). */
async function measured<T extends { foreignCores: number }>(what: string, fn: () => Promise<T>): Promise<T> {
  const budgetMs = plan.noiseBudgetS * 1000;
  if (noiseSpentMs < budgetMs) {
    const t0 = performance.now();
    await waitForQuiet(Math.min(5000, budgetMs - noiseSpentMs));
    noiseSpentMs += Math.max(0, performance.now() - t0 - 500);
  }
  let result = await fn();
  if (result.foreignCores > 0.3 && noiseSpentMs < budgetMs) {
    const t0 = performance.now();
    log(`  ${what}: ${result.foreignCores.toFixed(2)} foreign cores, measuring again`);
    const again = await fn();
    noiseSpentMs += performance.now() - t0;
    if (again.foreignCores < result.foreignCores) result = again;
  }
  return result;
}

/** First line a tool prints about its version (nginx -v and wrk -v print to stderr, wrk exits 1). */
function versionOf(command: string, args: string[]): string {
  const run = spawnSync(command, args, { encoding: 'utf8', timeout: 5000 });
  return `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n')[0] ?? '?';
}

type Bodies = ReturnType<typeof writeBodies>;

/** All tests of one target in one repetition. Throws when the target stops serving. */
async function measureTarget(ctx: BenchContext, first: RunningTarget, rep: number, bodies: Bodies,
  running: Map<TargetName, RunningTarget>): Promise<RepResult> {
  const target = first;
  await runWrk(ctx, target, 50, plan.warmNsS, bodies.ns);
  await runSse(ctx, target, { conns: 50, durationS: plan.warmSseS, warmupS: 0, rampS: 0, bodyFile: bodies.burst });
  const ns50 = await measured('ns-c50', () => runWrk(ctx, target, 50, plan.ns50S, bodies.ns));
  const ns1 = await measured('ns-c1', () => runWrk(ctx, target, 1, plan.ns1S, bodies.ns));
  const burst = await measured('sse-c50', () => runSse(ctx, target, { conns: 50, durationS: plan.burstS, warmupS: 0.4, rampS: 0, bodyFile: bodies.burst }));
  const c1 = await measured('sse-c1', () => runSse(ctx, target, { conns: 1, durationS: plan.c1S, warmupS: 0.2, rampS: 0, bodyFile: bodies.burst }));
  const paced = await measured('sse-paced', () => runSse(ctx, target, { conns: 100, durationS: plan.pacedS, warmupS: 1.2, rampS: 1, bodyFile: bodies.paced }));
  let peakRssBytes: number | undefined;
  let idle: RepResult['idle'];
  if (target.proc !== undefined) {
    peakRssBytes = readGroupPeakRss([target.proc.pid]);
    // RSS per idle stream is measured on a freshly started proxy after a short warm-up, so that the heap
    // grown by the load tests does not absorb the streams' memory.
    await stopGroup(target.proc);
    running.delete(target.name);
    const fresh = await startTarget(target.name, ctx);
    running.set(target.name, fresh);
    await runWrk(ctx, fresh, 10, 1, bodies.ns);
    await runSse(ctx, fresh, { conns: 10, durationS: 0.5, warmupS: 0, rampS: 0, bodyFile: bodies.burst });
    await sleep(1000);
    idle = await measured('idle', () => runIdle(ctx, fresh, plan.idleStreams, bodies.idle));
  }
  const errors = ns50.errors + ns1.errors + burst.errors + c1.errors + paced.errors;
  log(`  ${Math.round(ns50.rps)} req/s, ${ns50.cpuUsPerReq.toFixed(1)} µs/req, burst ${burst.cpuUsPerChunk.toFixed(2)} µs/chunk, paced ${paced.cpuUsPerChunk.toFixed(1)} µs/chunk` +
    (idle === undefined ? '' : `, ${idle.kbPerStream.toFixed(1)} KB/idle stream, ${idle.upstreamOpen - idle.upstreamLeft}/${idle.upstreamOpen} cancelled`) +
    (errors > 0 ? `, ${errors} errors` : ''));
  return { rep, target: target.name, ns50, ns1, burst, c1, paced, peakRssBytes, idle };
}

async function main(): Promise<void> {
  setPgidFile(join(work, 'pgids'));
  const startedAt = Date.now();
  const bodies = writeBodies();
  const commit = versionOf('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
  const louailinkRoot = targets.includes('louailink') ? snapshotLouailink(root, work, commit) : root;
  const ctx: BenchContext = { root, work, node: process.execPath, mockPort: await findFreePort(), louailinkRoot };
  log(`work dir ${work}; ${quick ? 'quick' : 'full'} run, ${plan.reps} repetition(s), targets ${targets.join(', ')}`);
  const mock = await startMock(ctx);
  const running = new Map<TargetName, RunningTarget>();
  const skipped: string[] = [];
  for (const name of targets) {
    try {
      running.set(name, await startTarget(name, ctx));
    } catch (err) {
      skipped.push(`${name}: ${(err as Error).message.split('\n').slice(0, 6).join(' | ')}`);
      log(`skipping ${name}: ${(err as Error).message}`);
    }
  }
  const order = targets.filter((t) => running.has(t));
  const results: RepResult[] = [];
  const raw = join(work, 'raw.jsonl');
  for (let rep = 0; rep < plan.reps; rep++) {
    const rotated = order.map((_, i) => order[(i + rep) % order.length] as TargetName);
    log(`repetition ${rep + 1}/${plan.reps}: ${rotated.join(' → ')}`);
    for (const name of rotated) {
      const target = running.get(name);
      if (target === undefined) continue;
      log(` ${name}`);
      try {
        const result = await measureTarget(ctx, target, rep, bodies, running);
        results.push(result);
        appendFileSync(raw, `${JSON.stringify(result)}\n`);
      } catch (err) {
        // A target that crashes or stops serving is left out of the remaining repetitions; the others go on.
        const message = (err as Error).message;
        skipped.push(`${name} from repetition ${rep + 1} on (${message.split('\n').slice(0, 4).join(' | ')})`);
        log(`${name} failed, dropping it: ${message}`);
        const current = running.get(name);
        if (current?.proc !== undefined) await stopGroup(current.proc);
        running.delete(name);
      }
    }
  }
  for (const t of running.values()) if (t.proc !== undefined) await stopGroup(t.proc);
  await stopGroup(mock);

  const foreign = foreignSummary(results);
  const noisy = foreign.max > 0.3 || foreign.median > 0.1;
  const elapsedS = Math.round((Date.now() - startedAt) / 1000);
  const command = `npm run bench${process.argv.length > 4 ? ` -- ${process.argv.slice(4).join(' ')}` : ''}`;
  const cpuModel = cpus()[0]?.model ?? '?';
  const summary = [
    `## Benchmark run ${new Date(startedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`${command}\` (${quick ? 'quick' : 'full'}, ${plan.reps} repetition(s), ${elapsedS} s). louailink from commit ${commit} (a git-archive snapshot taken at the start).`,
    `Machine: ${cpus().length} × ${cpuModel}; Node ${process.version}; ${versionOf('nginx', ['-v'])}; ${versionOf('wrk', ['-v'])}.`,
    'Proxies pinned to CPU 1 (one process / one worker), wrk, the SSE client and the nginx + lua mock on CPU 0.',
    `Foreign CPU load (cores used by other processes during the ${foreign.count} measurements): median ${foreign.median.toFixed(2)}, max ${foreign.max.toFixed(2)}, ${foreign.noisy} measurement(s) above 0.2.` +
      (noisy ? ' **Noisy run: the numbers are provisional.**' : ''),
    ...(skipped.length ? ['', `Not measured: ${skipped.join('; ')}`] : []),
    '',
    renderTables(results, order),
    '',
    'Goals (louailink against node-minimal in the same run, medians of per-repetition ratios):',
    '',
    renderGoals(results),
    '',
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
