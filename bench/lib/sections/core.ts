/**
 * Gateway core (issue 2): louailink as a plain reverse proxy next to direct, nginx and node-minimal —
 * non-streaming load, SSE burst / one connection / paced, peak RSS, idle streams and upstream cancellation.
 * Table columns and method: bench/README.md.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { stopGroup } from '../processes.ts';
import { runIdle, runSse, runWrk } from '../load-tests.ts';
import { readGroupPeakRss } from '../proc-stats.ts';
import { foreignOf, renderGoals, renderTables } from '../report.ts';
import type { RepResult } from '../report.ts';
import { openAiBody, rotate, writeBody } from '../section.ts';
import type { Section, SectionEnv, SectionOutcome } from '../section.ts';
import { startTarget } from '../targets.ts';
import type { RunningTarget, TargetName } from '../targets.ts';

interface CorePlan {
  warmNsS: number;
  warmSseS: number;
  ns50S: number;
  ns1S: number;
  burstS: number;
  c1S: number;
  pacedS: number;
  idleStreams: number;
}

interface Bodies {
  ns: string;
  burst: string;
  paced: string;
  idle: string;
}

function writeBodies(work: string): Bodies {
  return {
    ns: writeBody(work, 'nonstream', openAiBody('mock-n1-d0', false)),
    burst: writeBody(work, 'stream-n50-d0', openAiBody('mock-n50-d0', true)),
    paced: writeBody(work, 'stream-n50-d20', openAiBody('mock-n50-d20', true)),
    idle: writeBody(work, 'stream-n2-d120000', '{"model":"mock-n2-d120000","stream":true,"messages":' +
      '[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Say hello in one short sentence."}]}'),
  };
}

/** All tests of one target in one repetition. Throws when the target stops serving. */
async function measureTarget(env: SectionEnv, plan: CorePlan, name: TargetName, first: RunningTarget, rep: number,
  bodies: Bodies, running: Map<TargetName, RunningTarget>): Promise<RepResult> {
  const { ctx, guard } = env;
  const target = first;
  await runWrk(ctx, target, 50, plan.warmNsS, bodies.ns);
  await runSse(ctx, target, { conns: 50, durationS: plan.warmSseS, warmupS: 0, rampS: 0, bodyFile: bodies.burst });
  const ns50 = await guard.measured('ns-c50', () => runWrk(ctx, target, 50, plan.ns50S, bodies.ns));
  const ns1 = await guard.measured('ns-c1', () => runWrk(ctx, target, 1, plan.ns1S, bodies.ns));
  const burst = await guard.measured('sse-c50', () => runSse(ctx, target, { conns: 50, durationS: plan.burstS, warmupS: 0.4, rampS: 0, bodyFile: bodies.burst }));
  const c1 = await guard.measured('sse-c1', () => runSse(ctx, target, { conns: 1, durationS: plan.c1S, warmupS: 0.2, rampS: 0, bodyFile: bodies.burst }));
  const paced = await guard.measured('sse-paced', () => runSse(ctx, target, { conns: 100, durationS: plan.pacedS, warmupS: 1.2, rampS: 1, bodyFile: bodies.paced }));
  let peakRssBytes: number | undefined;
  let idle: RepResult['idle'];
  if (target.proc !== undefined) {
    peakRssBytes = readGroupPeakRss([target.proc.pid]);
    // RSS per idle stream is measured on a freshly started proxy after a short warm-up, so that the heap
    // grown by the load tests does not absorb the streams' memory.
    await stopGroup(target.proc);
    running.delete(name);
    const fresh = await startTarget(name, ctx);
    running.set(name, fresh);
    await runWrk(ctx, fresh, 10, 1, bodies.ns);
    await runSse(ctx, fresh, { conns: 10, durationS: 0.5, warmupS: 0, rampS: 0, bodyFile: bodies.burst });
    await sleep(1000);
    idle = await guard.measured('idle', () => runIdle(ctx, fresh, plan.idleStreams, bodies.idle));
  }
  const errors = ns50.errors + ns1.errors + burst.errors + c1.errors + paced.errors;
  env.log(`  ${Math.round(ns50.rps)} req/s, ${ns50.cpuUsPerReq.toFixed(1)} µs/req, burst ${burst.cpuUsPerChunk.toFixed(2)} µs/chunk, paced ${paced.cpuUsPerChunk.toFixed(1)} µs/chunk` +
    (idle === undefined ? '' : `, ${idle.kbPerStream.toFixed(1)} KB/idle stream, ${idle.upstreamOpen - idle.upstreamLeft}/${idle.upstreamOpen} cancelled`) +
    (errors > 0 ? `, ${errors} errors` : ''));
  return { rep, target: name, ns50, ns1, burst, c1, paced, peakRssBytes, idle };
}

async function runCore(env: SectionEnv, targets: readonly TargetName[], idleStreams: number): Promise<SectionOutcome> {
  const { ctx, quick } = env;
  const plan: CorePlan = {
    warmNsS: quick ? 1 : 2,
    warmSseS: quick ? 0.5 : 1,
    ns50S: quick ? 2 : 4,
    ns1S: quick ? 2 : 3,
    burstS: quick ? 1.5 : 3,
    c1S: quick ? 1.5 : 2.5,
    pacedS: quick ? 2 : 3,
    idleStreams,
  };
  const bodies = writeBodies(ctx.work);
  const running = new Map<TargetName, RunningTarget>();
  const skipped: string[] = [];
  for (const name of targets) {
    try {
      running.set(name, await startTarget(name, ctx));
    } catch (err) {
      skipped.push(`${name}: ${(err as Error).message.split('\n').slice(0, 6).join(' | ')}`);
      env.log(`skipping ${name}: ${(err as Error).message}`);
    }
  }
  const order = targets.filter((t) => running.has(t));
  const results: RepResult[] = [];
  try {
    for (let rep = 0; rep < env.reps; rep++) {
      const rotated = rotate(order, rep);
      env.log(`core repetition ${rep + 1}/${env.reps}: ${rotated.join(' → ')}`);
      for (const name of rotated) {
        const target = running.get(name);
        if (target === undefined) continue;
        env.log(` ${name}`);
        try {
          const result = await measureTarget(env, plan, name, target, rep, bodies, running);
          results.push(result);
          env.raw(result);
        } catch (err) {
          // A target that crashes or stops serving is left out of the remaining repetitions; the others go on.
          const message = (err as Error).message;
          skipped.push(`${name} from repetition ${rep + 1} on (${message.split('\n').slice(0, 4).join(' | ')})`);
          env.log(`${name} failed, dropping it: ${message}`);
          const current = running.get(name);
          if (current?.proc !== undefined) await stopGroup(current.proc);
          running.delete(name);
        }
      }
    }
  } finally {
    for (const t of running.values()) if (t.proc !== undefined) await stopGroup(t.proc);
  }
  const markdown = [
    renderTables(results, order),
    '',
    'Goals (louailink against node-minimal in the same run, medians of per-repetition ratios):',
    '',
    renderGoals(results),
  ].join('\n');
  return { markdown, foreign: results.flatMap(foreignOf), skipped };
}

export function coreSection(targets: readonly TargetName[], idleStreams: number): Section {
  return {
    name: 'core',
    title: 'Gateway core: reverse proxy (issue 2)',
    usesLouailink: targets.includes('louailink'),
    quietSampleMs: 500,
    noiseBudgetS: 90,
    run: (env) => runCore(env, targets, idleStreams),
  };
}
