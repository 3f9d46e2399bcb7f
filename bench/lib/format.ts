/** Number formatting and the goal table shared by the sections' reports. */
import { median } from './stats.ts';

export function fmt(v: number, digits = 0): string {
  if (!Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Median with the min–max range in brackets when there are several values. */
export function withRange(vs: readonly number[], digits = 0): string {
  if (vs.length === 0) return '–';
  const m = fmt(median(vs), digits);
  return vs.length < 2 ? m : `${m} (${fmt(Math.min(...vs), digits)}–${fmt(Math.max(...vs), digits)})`;
}

export const pct = (v: number): string => (Number.isFinite(v) ? `${fmt(v * 100)} %` : '–');

export interface Goal {
  name: string;
  target: string;
  value: number;
  shown: string;
  /** undefined: reported without a verdict (the issue sets no number). */
  pass: boolean | undefined;
}

export function renderGoalTable(goals: readonly Goal[], heading = 'goal (louailink, same run)'): string {
  const lines = [`| ${heading} | target | measured | |`, '|---|---|---|---|'];
  for (const g of goals) {
    const verdict = !Number.isFinite(g.value) ? 'n/a' : g.pass === undefined ? 'report' : g.pass ? 'pass' : '**FAIL**';
    lines.push(`| ${g.name} | ${g.target} | ${g.shown} | ${verdict} |`);
  }
  return lines.join('\n');
}

/** Median and maximum of the foreign load over measurements, and how many saw more than 0.2 cores. */
export function foreignSummary(all: readonly number[]): { median: number; max: number; count: number; noisy: number } {
  return { median: median(all), max: Math.max(0, ...all), count: all.length, noisy: all.filter((f) => f > 0.2).length };
}
