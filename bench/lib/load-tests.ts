/**
 * One measurement each: wrk for non-streaming load, bench/sse-client.ts for streams, and the idle-streams test
 * (RSS per open stream, upstream cancellation). Every load generator runs on CPU 0 with a hard deadline, and
 * every measurement records the "foreign" CPU load: machine busy time minus the time of this run's processes.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { liveGroupIds, spawnGroup, stopGroup } from './processes.ts';
import type { GroupProcess } from './processes.ts';
import { readMachineBusyTicks, readSelfAndChildrenTicks, sampleGroups, TICK_US } from './proc-stats.ts';
import { readOpenStreams } from './http-probe.ts';
import { median } from './stats.ts';
import { LOAD_CPU } from './targets.ts';
import type { BenchContext, RunningTarget } from './targets.ts';

/** CPU accounting over one window: how many cores something outside the benchmark used meanwhile. */
class ForeignLoad {
  private readonly busy = readMachineBusyTicks();
  private readonly own = readSelfAndChildrenTicks();
  private readonly groups = sampleGroups(liveGroupIds()).ticks;
  private readonly startedAt = performance.now();

  /** Foreign cores since construction. Load generators must have exited (reaped) before this is called. */
  cores(): number {
    const wallTicks = ((performance.now() - this.startedAt) * 1000) / TICK_US;
    const busy = readMachineBusyTicks() - this.busy;
    const ours = readSelfAndChildrenTicks() - this.own + sampleGroups(liveGroupIds()).ticks - this.groups;
    return Math.max(0, (busy - ours) / wallTicks);
  }
}

/** Waits until the machine is quiet (foreign load < `threshold` cores over `sampleMs`) or `maxMs` passed. */
export async function waitForQuiet(maxMs: number, threshold = 0.15, sampleMs = 500): Promise<number> {
  const deadline = performance.now() + maxMs;
  let foreign = 0;
  do {
    const load = new ForeignLoad();
    await sleep(sampleMs);
    foreign = load.cores();
  } while (foreign > threshold && performance.now() < deadline);
  return foreign;
}

async function runToEnd(proc: GroupProcess, deadlineMs: number): Promise<string> {
  let out = '';
  proc.child.stdout?.setEncoding('utf8');
  proc.child.stdout?.on('data', (chunk: string) => { out += chunk; });
  const timer = setTimeout(() => { void stopGroup(proc, 500); }, deadlineMs);
  await proc.exited;
  clearTimeout(timer);
  return out;
}

function parseTagged<T>(out: string, tag: string): T {
  const line = out.split('\n').find((l) => l.startsWith(`${tag} `));
  if (line === undefined) throw new Error(`no ${tag} line in output:\n${out.slice(-800)}`);
  return JSON.parse(line.slice(tag.length + 1)) as T;
}

function proxyTicks(target: RunningTarget): number {
  return target.proc === undefined ? 0 : sampleGroups([target.proc.pid]).ticks;
}

export interface WrkResult {
  rps: number;
  requests: number;
  p50Us: number;
  p99Us: number;
  errors: number;
  /** Proxy CPU µs per request over the run (0 for direct). */
  cpuUsPerReq: number;
  foreignCores: number;
}

/** The summary line bench/post.lua prints when wrk ends. */
export interface WrkJson {
  requests: number;
  duration_us: number;
  errors: number;
  non2xx: number;
  p50_us: number;
  p99_us: number;
}

export interface WrkOptions {
  /** Request path (default /v1/chat/completions). */
  path?: string;
  /** One extra request header, "name: value". */
  header?: string;
}

/**
 * One wrk run on the load CPU: POSTs `bodyFile` (plus the optional `header`, "name: value") to `url` for `durationS`
 * whole seconds over `conns` connections, and returns bench/post.lua's summary.
 */
export async function wrkPost(root: string, url: string, conns: number, durationS: number, bodyFile: string, header = ''): Promise<WrkJson> {
  const proc = spawnGroup('wrk', ['-t1', `-c${conns}`, `-d${durationS}s`, '--timeout', '10s', '-s', join(root, 'bench/post.lua'), url],
    { cpus: LOAD_CPU, output: 'pipe', env: { ...process.env, BODY_FILE: bodyFile, HEADER: header } });
  return parseTagged<WrkJson>(await runToEnd(proc, durationS * 1000 + 15_000), 'WRK_JSON');
}

/** `durationS` is rounded to whole seconds (wrk's -d takes no fractions). */
export async function runWrk(ctx: BenchContext, target: RunningTarget, conns: number, durationS: number, bodyFile: string,
  options: WrkOptions = {}): Promise<WrkResult> {
  durationS = Math.max(1, Math.round(durationS));
  const load = new ForeignLoad();
  const ticks0 = proxyTicks(target);
  const wrk = await wrkPost(ctx.root, `http://127.0.0.1:${target.port}${options.path ?? '/v1/chat/completions'}`, conns, durationS, bodyFile, options.header);
  const ticks = proxyTicks(target) - ticks0;
  const foreignCores = load.cores();
  return {
    rps: wrk.requests / (wrk.duration_us / 1e6),
    requests: wrk.requests,
    p50Us: wrk.p50_us,
    p99Us: wrk.p99_us,
    errors: wrk.errors + wrk.non2xx,
    cpuUsPerReq: wrk.requests > 0 ? (ticks * TICK_US) / wrk.requests : 0,
    foreignCores,
  };
}

/**
 * One result from windows of the same test taken at different moments: requests and time summed, CPU per
 * request weighted by requests, the median p50 and the worst p99, the most foreign load seen.
 */
export function combineWrkResults(parts: readonly WrkResult[]): WrkResult {
  let requests = 0;
  let seconds = 0;
  let cpuUs = 0;
  for (const part of parts) {
    requests += part.requests;
    seconds += part.rps > 0 ? part.requests / part.rps : 0;
    cpuUs += part.cpuUsPerReq * part.requests;
  }
  return {
    rps: seconds > 0 ? requests / seconds : 0,
    requests,
    p50Us: median(parts.map((part) => part.p50Us)),
    p99Us: Math.max(...parts.map((part) => part.p99Us)),
    errors: parts.reduce((n, part) => n + part.errors, 0),
    cpuUsPerReq: requests > 0 ? cpuUs / requests : 0,
    foreignCores: Math.max(...parts.map((part) => part.foreignCores)),
  };
}

export interface SseOptions {
  conns: number;
  durationS: number;
  warmupS: number;
  rampS: number;
  bodyFile: string;
  /** Request path (default /v1/chat/completions). */
  path?: string;
  /** Extra request headers, "name: value". */
  headers?: readonly string[];
  /** Text of the first token: TTFT is measured to the first bytes containing it. */
  ttftMarker?: string;
}

export interface SseResult {
  eventsPerS: number;
  events: number;
  streams: number;
  ttfcP50Ms: number;
  ttfcP99Ms: number;
  /** Time to the first token (0 without `ttftMarker`). */
  ttftP50Ms: number;
  ttftP99Ms: number;
  /** Mean SSE events of the streams that ended inside the window. */
  eventsPerStream: number;
  streamP50Ms: number;
  streamP99Ms: number;
  errors: number;
  /** Proxy CPU µs per SSE event (chunk) inside the measuring window (0 for direct). */
  cpuUsPerChunk: number;
  foreignCores: number;
}

interface SseJson {
  events: number;
  eventsPerS: number;
  streams: number;
  proxyTicks: number;
  ttfcP50Ms: number;
  ttfcP99Ms: number;
  ttftP50Ms: number;
  ttftP99Ms: number;
  eventsPerStream: number;
  streamP50Ms: number;
  streamP99Ms: number;
  errors: number;
  non200: number;
}

export async function runSse(ctx: BenchContext, target: RunningTarget, options: SseOptions): Promise<SseResult> {
  const load = new ForeignLoad();
  const args = [join(ctx.root, 'bench/sse-client.ts'), '--port', String(target.port), '--body', options.bodyFile,
    '--conns', String(options.conns), '--duration', String(options.durationS), '--warmup', String(options.warmupS),
    '--ramp', String(options.rampS), '--pgid', target.proc === undefined ? '' : String(target.proc.pid),
    '--path', options.path ?? '/v1/chat/completions', `--ttft-marker=${options.ttftMarker ?? ''}`,
    ...(options.headers ?? []).map((h) => `--header=${h}`)];
  const proc = spawnGroup(ctx.node, args, { cpus: LOAD_CPU, output: 'pipe' });
  const out = await runToEnd(proc, (options.warmupS + options.durationS) * 1000 + 15_000);
  const foreignCores = load.cores();
  const sse = parseTagged<SseJson>(out, 'SSE_JSON');
  return {
    eventsPerS: sse.eventsPerS,
    events: sse.events,
    streams: sse.streams,
    ttfcP50Ms: sse.ttfcP50Ms,
    ttfcP99Ms: sse.ttfcP99Ms,
    ttftP50Ms: sse.ttftP50Ms,
    ttftP99Ms: sse.ttftP99Ms,
    eventsPerStream: sse.eventsPerStream,
    streamP50Ms: sse.streamP50Ms,
    streamP99Ms: sse.streamP99Ms,
    errors: sse.errors + sse.non200,
    cpuUsPerChunk: sse.events > 0 ? (sse.proxyTicks * TICK_US) / sse.events : 0,
    foreignCores,
  };
}

export interface IdleResult {
  ready: number;
  /** RSS growth of the proxy group per open stream, KB. */
  kbPerStream: number;
  /** Streams the mock had open, beyond those open before the test. */
  upstreamOpen: number;
  /** Upstream streams still open 2 s after the clients disconnected. */
  upstreamLeft: number;
  /** Time until the mock had no test stream left (ms; undefined if not within 2 s). */
  cancelMs: number | undefined;
  foreignCores: number;
}

/**
 * Opens `conns` idle streams (model mock-n2-d120000: one chunk, then a 120 s pause) through the target,
 * measures the RSS growth, then disconnects every client at once and polls the mock for 2 s.
 */
export async function runIdle(ctx: BenchContext, target: RunningTarget, conns: number, bodyFile: string): Promise<IdleResult> {
  if (target.proc === undefined) throw new Error('idle test needs a proxy');
  const pgids = [target.proc.pid];
  const load = new ForeignLoad();
  const openBefore = await readOpenStreams(ctx.mockPort);
  const rssBefore = sampleGroups(pgids).rssBytes;
  const proc = spawnGroup(ctx.node, [join(ctx.root, 'bench/sse-client.ts'), '--mode', 'idle', '--port', String(target.port),
    '--body', bodyFile, '--conns', String(conns), '--ramp', '1', '--hold', '30'], { cpus: LOAD_CPU, output: 'pipe', stdin: 'pipe' });
  let out = '';
  proc.child.stdout?.setEncoding('utf8');
  proc.child.stdout?.on('data', (chunk: string) => { out += chunk; });
  const hardStop = setTimeout(() => { void stopGroup(proc, 500); }, 40_000);
  try {
    const deadline = performance.now() + 15_000;
    while (!out.includes('SSE_IDLE_READY') && performance.now() < deadline) await sleep(50);
    const ready = out.includes('SSE_IDLE_READY') ? parseTagged<{ ready: number }>(out, 'SSE_IDLE_READY').ready : 0;
    await sleep(1000); // let the proxy settle (allocations after the first chunk, lazy buffers)
    const rssOpen = sampleGroups(pgids).rssBytes;
    const upstreamOpen = (await readOpenStreams(ctx.mockPort)) - openBefore;
    proc.child.stdin?.write('close\n');
    const closedAt = performance.now();
    let left = upstreamOpen;
    let cancelMs: number | undefined;
    while (performance.now() - closedAt < 2000) {
      left = (await readOpenStreams(ctx.mockPort)) - openBefore;
      if (left <= 0) {
        cancelMs = performance.now() - closedAt;
        break;
      }
      await sleep(50);
    }
    await Promise.race([proc.exited, sleep(2000)]);
    return {
      ready,
      kbPerStream: ready > 0 ? (rssOpen - rssBefore) / 1024 / ready : 0,
      upstreamOpen,
      upstreamLeft: Math.max(0, left),
      cancelMs,
      foreignCores: load.cores(),
    };
  } finally {
    clearTimeout(hardStop);
    await stopGroup(proc, 500);
  }
}
