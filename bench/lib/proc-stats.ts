/**
 * CPU time and memory of process groups, read from /proc (Linux only). Every benchmark process is started as
 * the leader of its own process group (setsid), so summing over a group counts an nginx master and worker or a
 * Node master and its workers together. Times are in clock ticks of USER_HZ = 100 (10 ms), see `TICK_US`.
 */
import { readdirSync, readFileSync } from 'node:fs';

export const TICK_US = 10_000;
const PAGE_BYTES = 4096;

interface ProcStat {
  pgid: number;
  ticks: number;
  rssBytes: number;
}

function readProcStat(pid: string): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined; // the process exited while we were scanning
  }
  // Fields after the command name, which may contain spaces: [0] state (field 3), [2] pgrp (5),
  // [11] utime (14), [12] stime (15), [13] cutime (16), [14] cstime (17), [21] rss in pages (24).
  // Children's times count once they are reaped: a louailink master adds the workers a reload retired.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pgid: Number(fields[2]),
    ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
    rssBytes: Number(fields[21]) * PAGE_BYTES,
  };
}

function listPids(): string[] {
  return readdirSync('/proc').filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57);
}

export interface GroupSample {
  ticks: number;
  rssBytes: number;
  processes: number;
}

/**
 * user + system ticks (including reaped children) and RSS summed over every live process of the given process
 * groups.
 */
export function sampleGroups(pgids: readonly number[]): GroupSample {
  const sample = { ticks: 0, rssBytes: 0, processes: 0 };
  for (const pid of listPids()) {
    const stat = readProcStat(pid);
    if (stat === undefined || !pgids.includes(stat.pgid)) continue;
    sample.ticks += stat.ticks;
    sample.rssBytes += stat.rssBytes;
    sample.processes += 1;
  }
  return sample;
}

/** Sum of VmHWM (peak RSS of each process) over the given process groups, in bytes. */
export function readGroupPeakRss(pgids: readonly number[]): number {
  let total = 0;
  for (const pid of listPids()) {
    const stat = readProcStat(pid);
    if (stat === undefined || !pgids.includes(stat.pgid)) continue;
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
      if (match?.[1] !== undefined) total += Number(match[1]) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** Busy ticks of the whole machine (all CPUs): everything but idle and iowait. */
export function readMachineBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already inside user.
  let busy = 0;
  for (let i = 0; i < Math.min(values.length, 8); i++) if (i !== 3 && i !== 4) busy += values[i] ?? 0;
  return busy;
}

/** Ticks of this process plus its reaped children (the load generators once they have exited). */
export function readSelfAndChildrenTicks(): number {
  const text = readFileSync('/proc/self/stat', 'latin1');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
}
