/**
 * `louailink -s reopen` after logrotate moved the files: the master and both workers open every log file
 * again (`--log`, the access log, the upstream log) — the same path as SIGUSR1. Requests served after a
 * worker reopened land in the new files, and every request is in exactly one access-log file.
 */
import { readFile, rename } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, httpGet } from './helpers/http.ts';
import { runBin, startLouailink } from './helpers/louailink-process.ts';
import type { LouailinkProcess } from './helpers/louailink-process.ts';
import { cleanupMasters, prepareConfig } from './helpers/master-fixture.ts';

let upstream: Server;
let master: LouailinkProcess;
let dirPath: string;
let port: number;

beforeAll(async () => {
  upstream = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('hello'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const prepared = await prepareConfig((p) => `basic: { workers: 2, log_level: info }
servers:
  main: { listen: 127.0.0.1:${p}, locations: [api] }
locations:
  api: { path: /, upstream: backend }
upstreams:
  backend: { targets: ["127.0.0.1:${upstreamPort}"] }
observability:
  access_log: { format: '$pid $request_id $uri', file: logs/access.log }
  upstream_log: { file: logs/upstream.log }
`);
  dirPath = prepared.dir.path;
  port = prepared.port;
  master = startLouailink(['-c', dirPath, '--log', join(dirPath, 'louailink.log')]);
  const started = async (): Promise<boolean> => (await jsonLines('louailink.log')).some((l) => l['msg'] === 'louailink started');
  expect(await eventually(started, 60_000)).toBe(true);
}, 90_000);

afterAll(async () => {
  await cleanupMasters();
  await new Promise((r) => upstream.close(r));
});

async function textLines(file: string): Promise<string[]> {
  return (await readFile(join(dirPath, file), 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

async function jsonLines(file: string): Promise<Record<string, unknown>[]> {
  return (await textLines(file)).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Sends a request on a fresh connection; returns the request id the gateway answered with. */
async function get(path: string): Promise<string> {
  const res = await httpGet(port, path);
  expect(res.status).toBe(200);
  return String(res.headers['x-request-id']);
}

describe('louailink -s reopen', () => {
  it('reopens the app, access and upstream logs of the master and every worker', async () => {
    const before = [await get('/a'), await get('/b')];
    expect(await eventually(async () => (await textLines('logs/access.log')).length === 2)).toBe(true);
    expect(await eventually(async () => (await textLines('logs/upstream.log')).length === 4)).toBe(true); // request + response each

    for (const file of ['louailink.log', 'logs/access.log', 'logs/upstream.log']) await rename(join(dirPath, file), join(dirPath, `${file}.1`));
    const reopen = await runBin(['-c', dirPath, '-s', 'reopen']);
    expect(reopen.code).toBe(0);

    // The command reaches the workers over IPC: probe until both workers (by $pid) wrote to the new file.
    const workerPids = async (): Promise<Set<string>> => new Set((await textLines('logs/access.log')).map((l) => l.split(' ')[0] ?? ''));
    let probes = 0;
    const hasBoth = await eventually(async () => {
      await get(`/probe${probes++}`);
      return (await workerPids()).size === 2;
    }, 20_000, 20);
    expect(hasBoth).toBe(true);

    // Both workers reopened: everything from now on lands in the new files.
    const after = [await get('/c'), await get('/d'), await get('/e'), await get('/f')];
    // Access lines are written asynchronously: wait until every request so far has its line (probes sent before a
    // worker reopened are in the moved file), so the checks below do not read a file a line short.
    const logged = async (): Promise<number> => (await textLines('logs/access.log')).length + (await textLines('logs/access.log.1')).length;
    expect(await eventually(async () => (await logged()) >= before.length + probes + after.length)).toBe(true);
    const freshAccess = await textLines('logs/access.log');
    const movedAccess = await textLines('logs/access.log.1');
    for (const id of after) expect(freshAccess.some((l) => l.split(' ')[1] === id), id).toBe(true);
    for (const id of before) expect(movedAccess.some((l) => l.split(' ')[1] === id), id).toBe(true);
    // Every request is in exactly one of the two access-log files.
    expect(freshAccess.length + movedAccess.length).toBe(before.length + probes + after.length);

    // The upstream log is written asynchronously as well: wait for both lines of every request after.
    const directionsOf = async (id: string): Promise<unknown[]> => (await jsonLines('logs/upstream.log')).filter((l) => l['request_id'] === id).map((l) => l['direction']).sort();
    await eventually(async () => (await Promise.all(after.map(directionsOf))).every((d) => d.length >= 2));
    for (const id of after) expect(await directionsOf(id), id).toEqual(['request', 'response']);
    expect((await jsonLines('logs/upstream.log.1')).some((l) => l['request_id'] === before[0])).toBe(true);

    const reopened = (await jsonLines('louailink.log')).filter((l) => l['msg'] === 'log file reopened');
    expect(reopened.map((l) => l['role']).sort()).toEqual(['master', 'worker', 'worker']);
    expect((await jsonLines('louailink.log.1')).some((l) => l['msg'] === 'louailink started')).toBe(true);
    expect(master.child.exitCode).toBeNull();
  }, 90_000);
});
