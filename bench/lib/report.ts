/**
 * Turns the per-repetition results into the markdown report: absolute values as medians over repetitions,
 * ratios and differences as medians of per-repetition ratios (each repetition measures every target back to
 * back, so a ratio within one repetition cancels most of the machine's drift), and the louailink goals.
 */
import { median } from './stats.ts';
import { fmt, pct, renderGoalTable, withRange } from './format.ts';
import type { Goal } from './format.ts';
import type { IdleResult, SseResult, WrkResult } from './load-tests.ts';
import type { TargetName } from './targets.ts';

export interface RepResult {
  rep: number;
  target: TargetName;
  ns50: WrkResult;
  ns1: WrkResult;
  burst: SseResult;
  c1: SseResult;
  paced: SseResult;
  peakRssBytes: number | undefined;
  idle: IdleResult | undefined;
}

type Metric = (r: RepResult, direct: RepResult | undefined) => number | undefined;

const M = {
  rps: (r) => r.ns50.rps,
  cpuReq: (r) => (r.target === 'direct' ? undefined : r.ns50.cpuUsPerReq),
  burst: (r) => (r.target === 'direct' ? undefined : r.burst.cpuUsPerChunk),
  paced: (r) => (r.target === 'direct' ? undefined : r.paced.cpuUsPerChunk),
  addedP50: (r, d) => (r.target === 'direct' || d === undefined ? undefined : r.ns1.p50Us - d.ns1.p50Us),
  addedTtfc: (r, d) => (r.target === 'direct' || d === undefined ? undefined : (r.c1.ttfcP50Ms - d.c1.ttfcP50Ms) * 1000),
  kbIdle: (r) => r.idle?.kbPerStream,
  cancelledPct: (r) => (r.idle === undefined || r.idle.upstreamOpen <= 0 ? undefined
    : (100 * (r.idle.upstreamOpen - r.idle.upstreamLeft)) / r.idle.upstreamOpen),
} satisfies Record<string, Metric>;

function byRep(results: readonly RepResult[]): Map<number, Map<TargetName, RepResult>> {
  const reps = new Map<number, Map<TargetName, RepResult>>();
  for (const r of results) {
    const rep = reps.get(r.rep) ?? new Map<TargetName, RepResult>();
    rep.set(r.target, r);
    reps.set(r.rep, rep);
  }
  return reps;
}

function values(results: readonly RepResult[], target: TargetName, metric: Metric): number[] {
  const out: number[] = [];
  for (const rep of byRep(results).values()) {
    const r = rep.get(target);
    const v = r === undefined ? undefined : metric(r, rep.get('direct'));
    if (v !== undefined && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** Median over repetitions of metric(a) ÷ metric(b), or of the difference when `diff`. */
function relative(results: readonly RepResult[], a: TargetName, b: TargetName, metric: Metric, diff = false): number {
  const out: number[] = [];
  for (const rep of byRep(results).values()) {
    const ra = rep.get(a);
    const rb = rep.get(b);
    if (ra === undefined || rb === undefined) continue;
    const va = metric(ra, rep.get('direct'));
    const vb = metric(rb, rep.get('direct'));
    if (va === undefined || vb === undefined) continue;
    out.push(diff ? va - vb : va / vb);
  }
  return median(out);
}

export function foreignOf(r: RepResult): number[] {
  const all = [r.ns50, r.ns1, r.burst, r.c1, r.paced].map((x) => x.foreignCores);
  if (r.idle !== undefined) all.push(r.idle.foreignCores);
  return all;
}

export function renderTables(results: readonly RepResult[], targets: readonly TargetName[]): string {
  const lines: string[] = [];
  const has = (t: TargetName): boolean => results.some((r) => r.target === t);
  lines.push('| target | req/s @50 conns | ÷ nginx | ÷ node-minimal | p50 / p99 ms @50 | proxy CPU µs/req | added p50 µs @1 conn | CPU µs/chunk burst | CPU µs/chunk paced | added TTFC p50 µs | peak RSS MB | KB per idle stream | upstream cancelled ≤ 2 s | foreign cores med / max |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const t of targets) {
    if (!has(t)) continue;
    const rows = results.filter((r) => r.target === t);
    const p50 = median(rows.map((r) => r.ns50.p50Us / 1000));
    const p99 = median(rows.map((r) => r.ns50.p99Us / 1000));
    const rss = rows.flatMap((r) => (r.peakRssBytes === undefined ? [] : [r.peakRssBytes / 2 ** 20]));
    const cancelled = rows.flatMap((r) => (r.idle === undefined ? [] : [`${r.idle.upstreamOpen - r.idle.upstreamLeft}/${r.idle.upstreamOpen}`]));
    const foreign = rows.flatMap(foreignOf);
    lines.push(`| ${t} | ${withRange(values(results, t, M.rps))} | ${has('nginx') ? pct(relative(results, t, 'nginx', M.rps)) : '–'} | ${has('node-minimal') ? pct(relative(results, t, 'node-minimal', M.rps)) : '–'} | ${fmt(p50, 2)} / ${fmt(p99, 2)} | ${withRange(values(results, t, M.cpuReq), 1)} | ${withRange(values(results, t, M.addedP50))} | ${withRange(values(results, t, M.burst), 2)} | ${withRange(values(results, t, M.paced), 1)} | ${withRange(values(results, t, M.addedTtfc))} | ${rss.length ? fmt(median(rss)) : '–'} | ${withRange(values(results, t, M.kbIdle), 1)} | ${cancelled.length ? cancelled.join(', ') : '–'} | ${fmt(median(foreign), 2)} / ${fmt(Math.max(...foreign), 2)} |`);
  }
  lines.push('');
  lines.push('Ratios (median of per-repetition ratios; CPU ratios > 100 % mean more CPU than the reference):');
  lines.push('');
  lines.push('| target | req/s ÷ nginx | req/s ÷ node-minimal | CPU/req ÷ nginx | CPU/req ÷ node-minimal | CPU/chunk burst ÷ nginx | ÷ node-minimal | CPU/chunk paced ÷ nginx | ÷ node-minimal | added p50 @1 − node-minimal µs | added TTFC − node-minimal µs |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const t of targets) {
    if (!has(t) || t === 'direct') continue;
    lines.push(`| ${t} | ${pct(relative(results, t, 'nginx', M.rps))} | ${pct(relative(results, t, 'node-minimal', M.rps))} | ${pct(relative(results, t, 'nginx', M.cpuReq))} | ${pct(relative(results, t, 'node-minimal', M.cpuReq))} | ${pct(relative(results, t, 'nginx', M.burst))} | ${pct(relative(results, t, 'node-minimal', M.burst))} | ${pct(relative(results, t, 'nginx', M.paced))} | ${pct(relative(results, t, 'node-minimal', M.paced))} | ${fmt(relative(results, t, 'node-minimal', M.addedP50, true))} | ${fmt(relative(results, t, 'node-minimal', M.addedTtfc, true))} |`);
  }
  lines.push('');
  lines.push('Streaming detail (medians over repetitions):');
  lines.push('');
  lines.push('| target | chunks/s burst @50 | TTFC p50 / p99 ms @1 conn | paced chunks/s @100 | paced TTFC p50 / p99 ms | paced stream p50 / p99 ms (ideal ≈ 1,000) | p50 / p99 µs @1 conn (non-stream) | errors |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const t of targets) {
    const rows = results.filter((r) => r.target === t);
    if (rows.length === 0) continue;
    const med = (f: (r: RepResult) => number, digits = 0): string => fmt(median(rows.map(f)), digits);
    const errors = rows.reduce((n, r) => n + r.ns50.errors + r.ns1.errors + r.burst.errors + r.c1.errors + r.paced.errors, 0);
    lines.push(`| ${t} | ${med((r) => r.burst.eventsPerS)} | ${med((r) => r.c1.ttfcP50Ms, 3)} / ${med((r) => r.c1.ttfcP99Ms, 2)} | ${med((r) => r.paced.eventsPerS)} | ${med((r) => r.paced.ttfcP50Ms, 2)} / ${med((r) => r.paced.ttfcP99Ms, 2)} | ${med((r) => r.paced.streamP50Ms)} / ${med((r) => r.paced.streamP99Ms)} | ${med((r) => r.ns1.p50Us)} / ${med((r) => r.ns1.p99Us)} | ${errors} |`);
  }
  return lines.join('\n');
}

export function evaluateGoals(results: readonly RepResult[]): Goal[] {
  const l: TargetName = 'louailink';
  const n: TargetName = 'node-minimal';
  const rps = relative(results, l, n, M.rps);
  // Throughput per core from CPU time: robust when other processes share the proxy's CPU (req/s is not).
  const perCore = 1 / relative(results, l, n, M.cpuReq);
  const burst = relative(results, l, n, M.burst);
  const paced = relative(results, l, n, M.paced);
  const p50 = relative(results, l, n, M.addedP50, true);
  const ttfc = relative(results, l, n, M.addedTtfc, true);
  const kb = median(values(results, l, M.kbIdle));
  const cancelled = values(results, l, M.cancelledPct);
  const minCancelled = cancelled.length ? Math.min(...cancelled) : Number.NaN;
  return [
    { name: 'non-streaming req/s ÷ node-minimal', target: '≥ 85 %', value: rps, shown: pct(rps), pass: rps >= 0.85 },
    { name: 'same, per core from CPU time (node-minimal CPU/req ÷ louailink CPU/req)', target: '≥ 85 %', value: perCore, shown: pct(perCore), pass: perCore >= 0.85 },
    { name: 'CPU per SSE chunk, burst ÷ node-minimal', target: '≤ 120 %', value: burst, shown: pct(burst), pass: burst <= 1.2 },
    { name: 'CPU per SSE chunk, paced ÷ node-minimal', target: '≤ 120 %', value: paced, shown: pct(paced), pass: paced <= 1.2 },
    { name: 'added p50 latency @1 conn − node-minimal', target: '≤ +50 µs', value: p50, shown: `${fmt(p50)} µs`, pass: p50 <= 50 },
    { name: 'added time to first chunk − node-minimal', target: '≤ +100 µs', value: ttfc, shown: `${fmt(ttfc)} µs`, pass: ttfc <= 100 },
    { name: 'RSS per idle open stream', target: '≤ 32 KB', value: kb, shown: `${fmt(kb, 1)} KB`, pass: kb <= 32 },
    { name: 'upstream requests cancelled ≤ 2 s after 1,000 clients disconnect', target: '100 %', value: minCancelled, shown: `${fmt(minCancelled, 1)} % (worst repetition)`, pass: minCancelled >= 100 },
  ];
}

export function renderGoals(results: readonly RepResult[]): string {
  if (!results.some((r) => r.target === 'louailink')) return 'louailink was not measured in this run: no goals evaluated.';
  return renderGoalTable(evaluateGoals(results));
}
