/**
 * Reload (issue 3): louailink (master + one worker) with a response header that names its config version.
 *   - time from SIGHUP to the new generation serving: the driver rewrites the config with a new marker, sends
 *     SIGHUP to the master and sends one request after the other, each on a new connection, until a response
 *     carries the new marker (median over several reloads, machine otherwise idle);
 *   - requests/s during continuous reloads (one every `reloadEveryMs`) against the steady state in the same
 *     repetition, wrk with 50 keep-alive connections; every failed request (wrk errors, non-2xx, probe
 *     failures) is counted.
 * The master reads the config file on SIGHUP, so it is replaced atomically (write + rename).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpCall } from '../http-probe.ts';
import { runWrk } from '../load-tests.ts';
import type { WrkResult } from '../load-tests.ts';
import { fmt, pct, renderGoalTable, withRange } from '../format.ts';
import type { Goal } from '../format.ts';
import { proxyConfig } from '../louailink-configs.ts';
import { stopGroup } from '../processes.ts';
import { openAiBody, writeBody } from '../section.ts';
import type { Section, SectionEnv, SectionOutcome } from '../section.ts';
import { median } from '../stats.ts';
import { startLouailink } from '../targets.ts';
import type { LouailinkTarget } from '../targets.ts';

const MARKER = 'x-bench-config';

interface ReloadRep {
  rep: number;
  steady: WrkResult;
  reloading: WrkResult;
  reloadsSent: number;
  generationsAdvanced: number;
  /** SIGHUP → first response with the new marker, one per timed reload (undefined: not within the deadline). */
  reloadMs: (number | undefined)[];
  /** Probe requests that failed (error or non-200) during the timed reloads. */
  probeFailures: number;
  probeRequests: number;
  foreign: number[];
}

class ReloadDriver {
  readonly #target: LouailinkTarget;
  readonly #mockPort: number;
  #version = 0;

  constructor(target: LouailinkTarget, mockPort: number) {
    this.#target = target;
    this.#mockPort = mockPort;
  }

  /** Writes the next config version (a new marker) atomically and sends SIGHUP; returns the marker. */
  reload(): string {
    const marker = `v${++this.#version}`;
    const tmp = `${this.#target.configFile}.tmp`;
    writeFileSync(tmp, proxyConfig(this.#target.port, this.#mockPort, { responseHeaders: { [MARKER]: marker } }));
    renameSync(tmp, this.#target.configFile);
    process.kill(this.#target.proc.pid, 'SIGHUP');
    return marker;
  }

  async generation(): Promise<number> {
    const res = await httpCall(this.#target.port, 'GET', '/health');
    return Number((JSON.parse(res.body) as { generation?: unknown }).generation);
  }
}

const PROBE_BODY = '{"model":"mock-n1-d0","messages":[{"role":"user","content":"which config?"}]}';

interface PollResult {
  /** ms from `t0` to the first response carrying `marker` (undefined: not before the deadline). */
  ms: number | undefined;
  failures: number;
  requests: number;
}

/** Sends one request at a time (new connection each) until a response carries `marker`. */
async function pollUntilMarker(port: number, marker: string, t0: number, deadlineMs: number): Promise<PollResult> {
  let failures = 0;
  let requests = 0;
  while (performance.now() - t0 < deadlineMs) {
    requests++;
    try {
      const res = await httpCall(port, 'POST', '/v1/chat/completions', PROBE_BODY, 5000);
      if (res.status !== 200) failures++;
      else if (res.headers[MARKER] === marker) return { ms: performance.now() - t0, failures, requests };
    } catch {
      failures++;
    }
  }
  return { ms: undefined, failures, requests };
}

async function measureRep(env: SectionEnv, target: LouailinkTarget, driver: ReloadDriver, rep: number, body: string): Promise<ReloadRep> {
  const { ctx, guard, quick } = env;
  const windowS = quick ? 4 : 5;
  const reloadEveryMs = 1500;
  const steadyRun = (): Promise<WrkResult> => guard.measured('steady', () => runWrk(ctx, target, 50, windowS, body));
  const reloadingRun = async (): Promise<{ wrk: WrkResult; sent: number; advanced: number }> => {
    const before = await driver.generation();
    let sent = 0;
    let last = '';
    const timer = setInterval(() => { last = driver.reload(); sent++; }, reloadEveryMs);
    let wrk: WrkResult;
    try {
      wrk = await runWrk(ctx, target, 50, windowS, body);
    } finally {
      clearInterval(timer);
    }
    // Reloads are serialized and coalesced: once the last config answers, every reload sent has been handled.
    if (last !== '') await pollUntilMarker(target.port, last, performance.now(), 60_000);
    return { wrk, sent, advanced: (await driver.generation()) - before };
  };
  // Alternate which one runs first, so neither always follows the other.
  let steady: WrkResult;
  let reloading: { wrk: WrkResult; sent: number; advanced: number };
  if (rep % 2 === 0) {
    steady = await steadyRun();
    reloading = await reloadingRun();
  } else {
    reloading = await reloadingRun();
    await sleep(2000);
    steady = await steadyRun();
  }
  await sleep(2000);
  const reloadMs: (number | undefined)[] = [];
  let probeFailures = 0;
  let probeRequests = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const one = await pollUntilMarker(target.port, driver.reload(), t0, 20_000);
    reloadMs.push(one.ms);
    probeFailures += one.failures;
    probeRequests += one.requests;
    // The old generation drains (idle keep-alive connections close after 1 s) before the next reload.
    await sleep(1500);
  }
  const result: ReloadRep = {
    rep, steady, reloading: reloading.wrk, reloadsSent: reloading.sent, generationsAdvanced: reloading.advanced,
    reloadMs, probeFailures, probeRequests, foreign: [steady.foreignCores, reloading.wrk.foreignCores],
  };
  env.log(`  steady ${Math.round(steady.rps)} req/s, during reloads ${Math.round(reloading.wrk.rps)} req/s ` +
    `(${reloading.sent} reloads sent, ${reloading.advanced} generations), ${reloading.wrk.errors} failed; ` +
    `SIGHUP → new config ${reloadMs.map((ms) => (ms === undefined ? 'timeout' : ms.toFixed(0))).join(', ')} ms, ${probeFailures} probe failures`);
  return result;
}

function render(results: readonly ReloadRep[]): string {
  const times = results.flatMap((r) => r.reloadMs.filter((ms): ms is number => ms !== undefined));
  const timeouts = results.reduce((n, r) => n + r.reloadMs.filter((ms) => ms === undefined).length, 0);
  const ratios = results.map((r) => r.reloading.rps / r.steady.rps);
  const cpuRatios = results.map((r) => r.reloading.cpuUsPerReq / r.steady.cpuUsPerReq);
  // Proxy CPU beyond what the requests cost at the steady rate, per generation started.
  const cpuPerReloadS = results.filter((r) => r.generationsAdvanced > 0)
    .map((r) => ((r.reloading.cpuUsPerReq - r.steady.cpuUsPerReq) * r.reloading.requests) / r.generationsAdvanced / 1e6);
  const wrkFailed = results.reduce((n, r) => n + r.reloading.errors + r.steady.errors, 0);
  const probeFailed = results.reduce((n, r) => n + r.probeFailures, 0);
  const probeRequests = results.reduce((n, r) => n + r.probeRequests, 0);
  const lines = [
    '| measurement | value (median, min–max over repetitions) |',
    '|---|---|',
    `| SIGHUP → first response from the new config, ms (median of ${times.length} reloads, no benchmark load, min–max) | ${fmt(median(times))} (${fmt(Math.min(...times))}–${fmt(Math.max(...times))})${timeouts > 0 ? `, ${timeouts} not within 20 s` : ''} |`,
    `| req/s @50 keep-alive conns, steady | ${withRange(results.map((r) => r.steady.rps))} |`,
    `| req/s @50 conns during continuous reloads (one every 1.5 s) | ${withRange(results.map((r) => r.reloading.rps))} |`,
    `| during reloads ÷ steady | ${pct(median(ratios))} (${ratios.map(pct).join(', ')}) |`,
    `| p50 / p99 ms, steady | ${fmt(median(results.map((r) => r.steady.p50Us / 1000)), 2)} / ${fmt(median(results.map((r) => r.steady.p99Us / 1000)), 2)} |`,
    `| p50 / p99 ms, during reloads | ${fmt(median(results.map((r) => r.reloading.p50Us / 1000)), 2)} / ${fmt(median(results.map((r) => r.reloading.p99Us / 1000)), 2)} |`,
    `| proxy CPU µs/req steady / during reloads (master + all workers, retired ones included) | ${withRange(results.map((r) => r.steady.cpuUsPerReq), 1)} / ${withRange(results.map((r) => r.reloading.cpuUsPerReq), 1)} (× ${fmt(median(cpuRatios), 2)}) |`,
    `| proxy CPU per reload, s: (CPU/req during reloads − steady) × requests ÷ generations | ${withRange(cpuPerReloadS, 2)} |`,
    `| reloads sent / generations advanced, per repetition | ${results.map((r) => `${r.reloadsSent} / ${r.generationsAdvanced}`).join(', ')} |`,
    `| failed requests: wrk (errors + non-2xx) during reloads and steady | ${wrkFailed} of ${results.reduce((n, r) => n + r.reloading.requests + r.steady.requests, 0).toLocaleString('en-US')} |`,
    `| failed requests: probe (new connection per request) during the timed reloads | ${probeFailed} of ${probeRequests.toLocaleString('en-US')} |`,
  ];
  const goals: Goal[] = [
    { name: 'failed requests during reloads (wrk keep-alive + new-connection probe)', target: '0', value: wrkFailed + probeFailed, shown: String(wrkFailed + probeFailed), pass: wrkFailed + probeFailed === 0 },
    { name: 'SIGHUP → new config serving (median)', target: '– (no number in issue 3)', value: median(times), shown: `${fmt(median(times))} ms`, pass: undefined },
    { name: 'req/s during continuous reloads ÷ steady state', target: '– (no number in issue 3)', value: median(ratios), shown: pct(median(ratios)), pass: undefined },
  ];
  return [
    ...lines,
    '',
    'A reload starts a new worker on the same (single) proxy CPU, so the ratio includes the start-up of one worker',
    'per reload competing with the serving one. CPU per request sums the master and every worker, also the ones',
    'that exited during the window (their time is read from the master\'s reaped-children counters).',
    '',
    renderGoalTable(goals),
  ].join('\n');
}

async function runReload(env: SectionEnv): Promise<SectionOutcome> {
  const { ctx } = env;
  const body = writeBody(ctx.work, 'nonstream', openAiBody('mock-n1-d0', false));
  const target = await startLouailink(ctx, 'louailink-reload', (port) => proxyConfig(port, ctx.mockPort, { responseHeaders: { [MARKER]: 'v0' } }));
  const driver = new ReloadDriver(target, ctx.mockPort);
  const results: ReloadRep[] = [];
  try {
    await runWrk(ctx, target, 50, env.quick ? 1 : 2, body);
    for (let rep = 0; rep < env.reps; rep++) {
      env.log(`reload repetition ${rep + 1}/${env.reps}`);
      const result = await measureRep(env, target, driver, rep, body);
      results.push(result);
      env.raw(result);
    }
  } finally {
    await stopGroup(target.proc, 5000);
  }
  return { markdown: render(results), foreign: results.flatMap((r) => r.foreign), skipped: [] };
}

export const reloadSection: Section = {
  name: 'reload',
  title: 'Reload: SIGHUP to new config, throughput during continuous reloads (issue 3)',
  usesLouailink: true,
  quietSampleMs: 250,
  noiseBudgetS: 20,
  run: runReload,
};
