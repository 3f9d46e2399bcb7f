/**
 * Instructions per request, counted by valgrind's callgrind: louailink answering a non-streaming OpenAI chat
 * request (JSON parsed, model routed, usage read and recorded) next to node-minimal forwarding the very same
 * upstream answer, both in front of the benchmark's nginx mock.
 *   npm run bench:instructions [-- --windows 3 --window-s 60 --warm-requests 30000]
 *
 * Why: on a shared VM the CPU time of a request swings by 2× within minutes (docs/benchmarks.md), and the
 * req/s goals of `npm run bench` read that swing as much as the proxies. An instruction count does not move
 * with the machine: it says how much work each proxy does per request, not how fast the machine ran it.
 * It is no substitute for the timed goals (cache misses, the kernel and the load generator are not in it).
 *
 * Method: both proxies run under callgrind at once (louailink in one process, `--workers 0`, with the V8
 * flags a worker gets). Each gets `--warm-requests` requests first (JIT compilation under valgrind is slow
 * and counted), then `--windows` windows of `--window-s` seconds of wrk load, each between a zeroing and
 * a dump of the counters (callgrind_control). Timers and periodic reports cost per second, not per request,
 * and valgrind serves ~100 requests/s where the real proxies serve ~10,000: an idle window of the same
 * length is counted too and subtracted. Reported: the fewest instructions per request of any window, and
 * every window. JIT compilation and garbage collection only ever add to a window's count (a request's own
 * work is the same in each), so the least disturbed window is the best estimate of a request's steady cost.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs, promisify } from 'node:util';
import { loadConfig } from '../src/config/load.ts';
import { workerExecArgv } from '../src/master/worker-exec-argv.ts';
import { aiConfig } from './lib/louailink-configs.ts';
import { findFreePort, spawnGroup, stopGroup } from './lib/processes.ts';
import type { GroupProcess } from './lib/processes.ts';
import { waitUntilServing } from './lib/http-probe.ts';
import { openAiBody, writeBody } from './lib/section.ts';
import { startMock } from './lib/targets.ts';

const { values } = parseArgs({
  options: { windows: { type: 'string', default: '3' }, 'window-s': { type: 'string', default: '60' }, 'warm-requests': { type: 'string', default: '30000' } },
});
const WINDOWS = Number(values.windows);
const WINDOW_S = Number(values['window-s']);
const WARM_REQUESTS = Number(values['warm-requests']);
const ROOT = join(import.meta.dirname, '..');
const PATH = '/v1/chat/completions';
const execFileAsync = promisify(execFile);

for (const tool of ['valgrind', 'callgrind_control', 'wrk', 'nginx']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    process.stderr.write(`bench:instructions: ${tool} missing (apt-get install valgrind; npm run bench installs nginx and wrk)\n`);
    process.exit(1);
  }
}

interface Target {
  readonly name: string;
  readonly port: number;
  readonly bodyFile: string;
  readonly proc: GroupProcess;
}

const log = (text: string): void => void process.stderr.write(`[instructions ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

/** Requests wrk completed in `seconds` of load at 25 connections (rejects on errors: a count must be of answered requests). */
async function wrk(target: Target, seconds: number): Promise<number> {
  const { stdout } = await execFileAsync('wrk', ['-t1', '-c25', `-d${seconds}s`, '--timeout', '30s', '-s', join(ROOT, 'bench/post.lua'), `http://127.0.0.1:${target.port}${PATH}`], {
    env: { ...process.env, BODY_FILE: target.bodyFile }, encoding: 'utf8', timeout: (seconds + 60) * 1000,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (line === undefined) throw new Error(`${target.name}: wrk printed no summary`);
  const summary = JSON.parse(line.slice('WRK_JSON '.length)) as { requests: number; errors: number; non2xx: number };
  if (summary.errors > 0 || summary.non2xx > 0) throw new Error(`${target.name}: ${summary.errors} errors, ${summary.non2xx} non-2xx answers`);
  return summary.requests;
}

/** wrk against every target at once (each proxy is its own valgrind process, on its own core when there are two). */
function wrkAll(targets: readonly Target[], seconds: number): Promise<number[]> {
  return Promise.all(targets.map((t) => wrk(t, seconds)));
}

/** callgrind_control on the target's valgrind process: zero its counters, or dump them under `tag`. */
function control(target: Target, action: 'zero' | 'dump', tag = ''): void {
  const args = action === 'zero' ? ['--zero', String(target.proc.pid)] : [`--dump=${tag}`, String(target.proc.pid)];
  const run = spawnSync('callgrind_control', args, { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`callgrind_control ${args.join(' ')}: ${run.stderr}`);
}

function dumpedInstructions(work: string, target: Target, tag: string): number {
  const prefix = `${target.name}.${target.proc.pid}.out`;
  for (const file of readdirSync(work).filter((f) => f.startsWith(prefix))) {
    const text = readFileSync(join(work, file), 'utf8');
    if (!text.includes(`\ndesc: Trigger: dump ${tag}\n`)) continue;
    const summary = /\nsummary: (\d+)/.exec(text);
    if (summary?.[1] !== undefined) return Number(summary[1]);
  }
  throw new Error(`${target.name}: no callgrind dump "${tag}"`);
}

async function window(work: string, targets: readonly Target[], tag: string, loaded: boolean): Promise<number[][]> {
  for (const t of targets) control(t, 'zero');
  const requests = loaded ? await wrkAll(targets, WINDOW_S) : await sleep(WINDOW_S * 1000, targets.map(() => 0));
  for (const t of targets) control(t, 'dump', `${tag}-${t.name}`);
  await sleep(2000);
  return targets.map((t, i) => [dumpedInstructions(work, t, `${tag}-${t.name}`), requests[i] ?? 0]);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'louai-instr-'));
  const ctx = { root: ROOT, work, node: process.execPath, mockPort: await findFreePort(), louailinkRoot: ROOT };
  const mock = await startMock(ctx);
  const targets: Target[] = [];
  try {
    const callgrind = (name: string): string[] => ['--tool=callgrind', `--callgrind-out-file=${join(work, `${name}.%p.out`)}`];
    const nmPort = await findFreePort();
    const nmBody = writeBody(work, 'nm', openAiBody('mock-n1-d0', false));
    const nm = spawnGroup('valgrind', [...callgrind('node-minimal'), process.execPath, join(ROOT, 'bench/proxy-node-minimal.ts'), '--port', String(nmPort),
      '--upstream', `http://127.0.0.1:${ctx.mockPort}`], { output: join(work, 'node-minimal.log') });
    targets.push({ name: 'node-minimal', port: nmPort, bodyFile: nmBody, proc: nm });
    const llPort = await findFreePort();
    const configDir = join(work, 'louailink-config');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'louailink.yaml'), aiConfig(llPort, ctx.mockPort, ['n1-d0']));
    const llBody = writeBody(work, 'louailink', openAiBody('gpt-n1-d0', false));
    // The V8 flags a worker of this config would get (its semi-space from basic.semi_space_size and the default).
    const loaded = await loadConfig(configDir);
    if (!loaded.ok) throw new Error(`bench config rejected: ${JSON.stringify(loaded.issues)}`);
    const ll = spawnGroup('valgrind', [...callgrind('louailink'), process.execPath, ...workerExecArgv(loaded.loaded.config.basic, []),
      join(ROOT, 'bin/louailink'), '-c', configDir, '--workers', '0'], { output: join(work, 'louailink.log'), env: { ...process.env, NODE_ENV: 'production' } });
    targets.push({ name: 'louailink', port: llPort, bodyFile: llBody, proc: ll });
    for (const t of targets) {
      let alive = true;
      void t.proc.exited.then(() => { alive = false; });
      const failure = await waitUntilServing(t.port, 600_000, () => alive);
      if (failure !== undefined) throw new Error(`${t.name} under valgrind: ${failure} (log in ${work})`);
    }
    log(`both proxies serve under callgrind; warming each with ${WARM_REQUESTS} requests`);
    const warmed = targets.map(() => 0);
    while (warmed.some((n) => n < WARM_REQUESTS)) {
      const counts = await wrkAll(targets, 30);
      counts.forEach((n, i) => { warmed[i] = (warmed[i] ?? 0) + n; });
      log(`warm-up: ${targets.map((t, i) => `${t.name} ${warmed[i]}`).join(', ')}`);
    }
    const idle = await window(work, targets, 'idle', false);
    log(`idle ${WINDOW_S} s: ${targets.map((t, i) => `${t.name} ${idle[i]?.[0]} instructions`).join(', ')}`);
    const perRequest: number[][] = targets.map(() => []);
    for (let w = 1; w <= WINDOWS; w++) {
      const counted = await window(work, targets, `w${w}`, true);
      counted.forEach(([instructions = 0, requests = 0], i) => {
        perRequest[i]?.push((instructions - (idle[i]?.[0] ?? 0)) / requests);
      });
      log(`window ${w}: ${targets.map((t, i) => `${t.name} ${Math.round(perRequest[i]?.at(-1) ?? 0)} per request (${counted[i]?.[1]} requests)`).join(', ')}`);
    }
    const [nmCounts = [], llCounts = []] = perRequest;
    const ratios = llCounts.map((v, i) => v / (nmCounts[i] ?? Number.NaN));
    const rows = [
      '| proxy | instructions per request (fewest of any window) | per window |',
      '|---|---|---|',
      ...targets.map((t, i) => `| ${t.name} | ${Math.round(Math.min(...(perRequest[i] ?? [])))} | ${(perRequest[i] ?? []).map((v) => Math.round(v)).join(', ')} |`),
    ];
    const ratio = Math.min(...llCounts) / Math.min(...nmCounts);
    process.stdout.write(`${rows.join('\n')}\n\nlouailink ÷ node-minimal: ${(ratio * 100).toFixed(0)} % (fewest ÷ fewest; window by window: ${ratios.map((r) => (r * 100).toFixed(0)).join(', ')} %)\n` +
      `Callgrind files and logs: ${work}\n`);
  } finally {
    for (const t of targets) await stopGroup(t.proc);
    await stopGroup(mock);
  }
}

await main();
