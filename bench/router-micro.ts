/**
 * Router micro benchmark: ns per match() for 100 locations, static (exact hosts + prefixes) versus regex
 * paths, on a mix of hits and misses. Not in CI. Run: node bench/router-micro.ts [iterations]
 * Compare the two lines of one run only: absolute numbers move with machine load.
 */
import { compileRouteTable, normalizeHost } from '../src/proxy/router.ts';
import type { RouteSpec, RouteTable } from '../src/proxy/router.ts';

const LOCATIONS = 100;
const iterations = Number(process.argv[2] ?? 2_000_000);

function staticSpecs(): RouteSpec[] {
  const specs: RouteSpec[] = [];
  for (let i = 0; i < LOCATIONS; i++) {
    const kind = i % 4;
    const hosts = kind === 1 ? [`h${i}.example.com`] : kind === 2 ? [`*.t${i}.example.com`] : undefined;
    const path = i % 3 === 0 ? `=/svc${i}/health` : `/svc${i}/v1`;
    specs.push({ name: `loc${i}`, hosts, path, priority: undefined });
  }
  specs.push({ name: 'root', hosts: undefined, path: '/', priority: undefined });
  return specs;
}

function regexSpecs(): RouteSpec[] {
  const specs: RouteSpec[] = [];
  for (let i = 0; i < LOCATIONS; i++) {
    specs.push({ name: `re${i}`, hosts: undefined, path: `~^/svc${i}/v\\d+/`, priority: undefined });
  }
  return specs;
}

const requests: Array<[string, string]> = [
  ['H1.example.com:443', '/svc1/v1/chat/completions'],
  ['a.t2.example.com', '/svc2/v1/models'],
  ['other.test', '/svc4/v1/x'],
  ['other.test', '/svc99/v1/deep/path/with/many/segments'],
  ['other.test', '/svc0/health'],
  ['other.test', '/nothing/here'],
  ['h5.example.com', '/svc5/v2/x'],
  ['[::1]:8080', '/svc50/v1'],
];

function measure(label: string, table: RouteTable): void {
  let sink = 0;
  const run = (count: number): void => {
    for (let i = 0; i < count; i++) {
      const [host, path] = requests[i % requests.length] as [string, string];
      sink += table.match(normalizeHost(host), path)?.length ?? 0;
    }
  };
  run(Math.min(200_000, iterations)); // warm-up: let the JIT settle
  const start = process.hrtime.bigint();
  run(iterations);
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  console.log(`${label.padEnd(28)} ${ns.toFixed(1).padStart(7)} ns/match (normalizeHost included)  [${sink}]`);
}

measure(`static, ${LOCATIONS} locations`, compileRouteTable(staticSpecs()));
measure(`regex, ${LOCATIONS} locations`, compileRouteTable(regexSpecs()));
