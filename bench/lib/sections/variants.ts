/**
 * Feature-cost sections: louailink started in several config variants that differ in one feature, all proxying
 * the same non-streaming request to the mock. After a 3 s warm-up of every variant, each round measures every
 * variant back to back (rotating order) with wrk at 50 connections for 2 s; two rounds per repetition, because
 * the effects are 5–20 % and one louailink instance varies by more than that from one 3 s window to the next.
 * req/s and proxy CPU per request as medians of per-round ratios to the baseline variant.
 *   observability (issue 5): metrics + health + access log off, against metrics on, and metrics on with an
 *                            access log file in the `combined` and `json` presets;
 *   access (issue 6):        no plugins, against key-auth (one consumer, Bearer key), and key-auth + a limit
 *                            (rpm and token bucket far above the load, so nothing is refused).
 */
import { runWrk } from '../load-tests.ts';
import type { WrkResult } from '../load-tests.ts';
import { fmt, pct, renderGoalTable, withRange } from '../format.ts';
import type { Goal } from '../format.ts';
import {
  BENCH_GATEWAY_KEY, KEY_AUTH_PLUGIN, LIMIT_PLUGIN, OBSERVABILITY_OFF, observabilityWithAccessLog, proxyConfig,
} from '../louailink-configs.ts';
import type { ProxyConfigOptions } from '../louailink-configs.ts';
import { stopGroup } from '../processes.ts';
import { openAiBody, rotate, writeBody } from '../section.ts';
import type { Section, SectionEnv, SectionOutcome } from '../section.ts';
import { median } from '../stats.ts';
import { startLouailink } from '../targets.ts';
import type { LouailinkTarget } from '../targets.ts';

interface Variant {
  name: string;
  what: string;
  options: ProxyConfigOptions;
  /** Request header every request carries ("name: value"). */
  header?: string;
}

interface VariantSpec {
  section: string;
  title: string;
  variants: readonly Variant[];
  /** The variant every other one is compared with. */
  baseline: string;
  /** Goal lines: a variant against the baseline, its minimum req/s ratio (undefined: reported only). */
  goals: readonly { variant: string; minRatio: number | undefined }[];
  note: string;
}

interface VariantRep {
  /** Round (two per repetition in full runs). */
  rep: number;
  variant: string;
  ns50: WrkResult;
}

async function runVariants(env: SectionEnv, spec: VariantSpec): Promise<SectionOutcome> {
  const { ctx, guard, quick } = env;
  const body = writeBody(ctx.work, 'nonstream', openAiBody('mock-n1-d0', false));
  const running = new Map<string, LouailinkTarget>();
  const skipped: string[] = [];
  const results: VariantRep[] = [];
  try {
    for (const v of spec.variants) {
      try {
        const probe = v.header === undefined ? {} : Object.fromEntries([v.header.split(/:\s*/, 2) as [string, string]]);
        running.set(v.name, await startLouailink(ctx, `louailink-${spec.section}-${v.name}`, (port) => proxyConfig(port, ctx.mockPort, v.options), probe));
      } catch (err) {
        skipped.push(`${v.name}: ${(err as Error).message.split('\n').slice(0, 6).join(' | ')}`);
        env.log(`skipping ${v.name}: ${(err as Error).message}`);
      }
    }
    const order = spec.variants.filter((v) => running.has(v.name));
    const headerOf = (v: Variant): { header?: string } => (v.header === undefined ? {} : { header: v.header });
    for (const v of order) {
      const target = running.get(v.name);
      if (target !== undefined) await runWrk(ctx, target, 50, quick ? 1 : 3, body, headerOf(v));
    }
    const rounds = env.reps * (quick ? 1 : 2);
    for (let rep = 0; rep < rounds; rep++) {
      env.log(`${spec.section} round ${rep + 1}/${rounds}: ${rotate(order, rep).map((v) => v.name).join(' → ')}`);
      for (const v of rotate(order, rep)) {
        const target = running.get(v.name);
        if (target === undefined) continue;
        const ns50 = await guard.measured(`${v.name} ns-c50`, () => runWrk(ctx, target, 50, 2, body, headerOf(v)));
        env.log(`  ${v.name}: ${Math.round(ns50.rps)} req/s, ${ns50.cpuUsPerReq.toFixed(1)} µs/req${ns50.errors > 0 ? `, ${ns50.errors} errors` : ''}`);
        const result = { rep, variant: v.name, ns50 };
        results.push(result);
        env.raw(result);
      }
    }
  } finally {
    for (const t of running.values()) await stopGroup(t.proc);
  }
  return { markdown: render(spec, results), foreign: results.map((r) => r.ns50.foreignCores), skipped };
}

function perRepRatios(results: readonly VariantRep[], a: string, b: string, metric: (w: WrkResult) => number): number[] {
  const out: number[] = [];
  for (const ra of results.filter((r) => r.variant === a)) {
    const rb = results.find((r) => r.variant === b && r.rep === ra.rep);
    if (rb !== undefined) out.push(metric(ra.ns50) / metric(rb.ns50));
  }
  return out;
}

function render(spec: VariantSpec, results: readonly VariantRep[]): string {
  const lines = [
    `Medians over ${new Set(results.map((r) => r.rep)).size} rounds (min–max); ratios are medians of per-round ratios.`,
    '',
    `| variant | what | req/s @50 conns | ÷ ${spec.baseline} | proxy CPU µs/req | ÷ ${spec.baseline} | p50 / p99 ms | errors (incl. non-2xx) |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const v of spec.variants) {
    const rs = results.filter((r) => r.variant === v.name);
    if (rs.length === 0) continue;
    const rps = median(perRepRatios(results, v.name, spec.baseline, (w) => w.rps));
    const cpu = median(perRepRatios(results, v.name, spec.baseline, (w) => w.cpuUsPerReq));
    lines.push(`| ${v.name} | ${v.what} | ${withRange(rs.map((r) => r.ns50.rps))} | ${pct(rps)} | ${withRange(rs.map((r) => r.ns50.cpuUsPerReq), 1)} | ${pct(cpu)} ` +
      `| ${fmt(median(rs.map((r) => r.ns50.p50Us / 1000)), 2)} / ${fmt(median(rs.map((r) => r.ns50.p99Us / 1000)), 2)} | ${rs.reduce((n, r) => n + r.ns50.errors, 0)} |`);
  }
  const goals = spec.goals.flatMap(({ variant, minRatio }): Goal[] => {
    const rps = median(perRepRatios(results, variant, spec.baseline, (w) => w.rps));
    const perCore = median(perRepRatios(results, spec.baseline, variant, (w) => w.cpuUsPerReq));
    const target = minRatio === undefined ? '– (no number in the issue)' : `≥ ${fmt(minRatio * 100)} %`;
    const pass = (v: number): boolean | undefined => (minRatio === undefined ? undefined : v >= minRatio);
    return [
      { name: `req/s, ${variant} ÷ ${spec.baseline}`, target, value: rps, shown: pct(rps), pass: pass(rps) },
      { name: `same, per core from CPU time (CPU/req ${spec.baseline} ÷ ${variant})`, target, value: perCore, shown: pct(perCore), pass: pass(perCore) },
    ];
  });
  return [...lines, '', spec.note, '', renderGoalTable(goals)].join('\n');
}

const OBSERVABILITY: VariantSpec = {
  section: 'observability',
  title: 'Observability: cost of metrics + access logging (issue 5)',
  baseline: 'off',
  variants: [
    { name: 'off', what: 'metrics, health endpoints and access log off', options: { observability: OBSERVABILITY_OFF } },
    { name: 'metrics', what: 'metrics and health on (the defaults), no access log', options: {} },
    { name: 'metrics+combined', what: 'metrics on, access log `combined` to a file', options: { observability: observabilityWithAccessLog('combined') } },
    { name: 'metrics+json', what: 'metrics on, access log `json` to a file', options: { observability: observabilityWithAccessLog('json') } },
  ],
  goals: [{ variant: 'metrics+combined', minRatio: undefined }, { variant: 'metrics+json', minRatio: undefined }],
  note: 'Metrics on means the per-request record (location, status, duration, upstream timing) feeding the worker\'s ' +
    'prom-client registry; the master collects it only when /metrics is scraped (not during the run). The access log ' +
    'is written to <config dir>/access.log by each worker without blocking (see docs/observability.md).',
};

const ACCESS: VariantSpec = {
  section: 'access',
  title: 'Access control: cost of key-auth + limits (issue 6)',
  baseline: 'off',
  variants: [
    // The same client traffic in every variant, gateway key included: only the plugins differ.
    { name: 'off', what: 'no plugins (metrics on, the default); the client sends the same `authorization: Bearer` key', header: `authorization: Bearer ${BENCH_GATEWAY_KEY}`,
      options: {} },
    // For reference (no goal): the same without the client's key, i.e. also without the header and the per-token
    // usage counting of observability; the ratio before session 3 was taken against this one.
    { name: 'off-no-key', what: 'no plugins, and the client sends no key', options: {} },
    { name: 'key-auth', what: 'key-auth: one consumer, `authorization: Bearer` key', header: `authorization: Bearer ${BENCH_GATEWAY_KEY}`,
      options: { plugins: { section: KEY_AUTH_PLUGIN, names: ['keys'] } } },
    { name: 'key-auth+limit', what: 'key-auth + limit by consumer: rpm 60,000,000 and a token bucket (1,000,000 / 1,000,000 per s)', header: `authorization: Bearer ${BENCH_GATEWAY_KEY}`,
      options: { plugins: { section: [...KEY_AUTH_PLUGIN, ...LIMIT_PLUGIN], names: ['keys', 'limits'] } } },
  ],
  goals: [{ variant: 'key-auth+limit', minRatio: 0.9 }],
  note: 'The limits are far above the load: every request is admitted (errors would show refusals as non-2xx). ' +
    'louailink runs as master + one worker; the limit plugin counts through the master (leased batches, cluster-wide). ' +
    'The off-no-key row is for reference: it saves the header and the per-token usage counting of observability too.',
};

function variantSection(spec: VariantSpec): Section {
  return { name: spec.section, title: spec.title, usesLouailink: true, quietSampleMs: 250, noiseBudgetS: 20, run: (env) => runVariants(env, spec) };
}

export const observabilitySection = variantSection(OBSERVABILITY);
export const accessSection = variantSection(ACCESS);
