/**
 * A/B comparison of the CPU per request of two servers that are already running, for checking whether a code
 * change moved the cost of a request by a few percent:
 *   npm run bench:ab -- --a http://127.0.0.1:19110/v1/chat/completions --b http://127.0.0.1:19102/v1/chat/completions \
 *     --body body.json [--pairs 30] [--window-s 1] [--warm-s 30] [--connections 25]
 *
 * Why: on this shared VM the CPU time of one request drifts by up to 2× within minutes (docs/benchmarks.md), so
 * two windows taken a few seconds apart disagree by more than the change being measured. Here A and B take turns
 * in short wrk windows (the order flips every pair, so neither always runs on the warmer machine), each pair
 * gives one ratio A ÷ B, and the result is the median ratio with a bootstrap 95 % interval. An A/A run (two
 * processes of one build, started together) read 102.9 % [95.5, 106.7] with 24 pairs of 1 s. Two processes of one
 * build can also stay 10 % apart (V8 decides differently in each): confirm a result with a second pair.
 *
 * CPU time is the on-CPU time of every thread of every process listening on the URL's port (a louailink master
 * and its workers; node's helper threads), read from /proc/<pid>/task/<tid>/schedstat in nanoseconds. The load
 * generator runs on CPU 0; the servers should be pinned to another CPU (taskset) and have served for a minute
 * before, so their JIT has settled (`--warm-s` loads each of them first).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { wrkPost } from './lib/load-tests.ts';
import { bootstrapMedianInterval, median } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    a: { type: 'string' }, b: { type: 'string' }, body: { type: 'string' },
    pairs: { type: 'string', default: '30' }, 'window-s': { type: 'string', default: '1' },
    'warm-s': { type: 'string', default: '30' }, connections: { type: 'string', default: '25' },
  },
});
const ROOT = join(import.meta.dirname, '..');

interface Side {
  readonly name: 'A' | 'B';
  readonly url: string;
  readonly pids: readonly number[];
}

/** Every process with a listening socket on `port` (ss names the master and the workers that share it). */
function listeningPids(port: number): number[] {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const pids = new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])));
  if (pids.size === 0) throw new Error(`nothing listens on port ${port}`);
  return [...pids];
}

/** On-CPU nanoseconds of every thread of `pids` (a thread that exited meanwhile no longer counts: compare short windows). */
function cpuNs(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  return total;
}

/** One wrk window against `side`; returns on-CPU ns per request. */
async function window(side: Side, seconds: number, bodyFile: string): Promise<number> {
  const before = cpuNs(side.pids);
  const wrk = await wrkPost(ROOT, side.url, Number(values.connections), seconds, bodyFile);
  const spent = cpuNs(side.pids) - before;
  if (wrk.errors + wrk.non2xx > 0) throw new Error(`${side.url}: ${wrk.errors} errors, ${wrk.non2xx} non-2xx answers`);
  return spent / wrk.requests;
}

function side(name: 'A' | 'B', url: string | undefined): Side {
  if (url === undefined) throw new Error(`--${name.toLowerCase()} URL is required`);
  return { name, url, pids: listeningPids(Number(new URL(url).port)) };
}

async function main(): Promise<void> {
  const a = side('A', values.a);
  const b = side('B', values.b);
  const bodyFile = values.body;
  if (bodyFile === undefined) throw new Error('--body FILE is required (the JSON body every request sends)');
  const pairs = Number(values.pairs);
  const seconds = Number(values['window-s']);
  const warm = Number(values['warm-s']);
  if (warm > 0) for (const s of [a, b]) await window(s, warm, bodyFile);
  const ratios: number[] = [];
  const costs = { A: [] as number[], B: [] as number[] };
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? [a, b] : [b, a];
    for (const s of order) costs[s.name].push(await window(s, seconds, bodyFile));
    ratios.push((costs.A[i] ?? 0) / (costs.B[i] ?? 1));
  }
  const [low, high] = bootstrapMedianInterval(ratios, 0.95);
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  process.stdout.write([
    `A ${a.url} (pids ${a.pids.join(',')}): median ${(median(costs.A) / 1000).toFixed(1)} µs CPU per request`,
    `B ${b.url} (pids ${b.pids.join(',')}): median ${(median(costs.B) / 1000).toFixed(1)} µs CPU per request`,
    `A ÷ B over ${pairs} pairs of ${seconds} s: median ${pct(median(ratios))}, 95 % interval [${pct(low)}, ${pct(high)}]`,
    '',
  ].join('\n'));
}

await main();
