/**
 * What every section of the benchmark gets from the driver and gives back. A section starts the targets it
 * needs (the mock runs for the whole run), measures them in `reps` repetitions, stops them, and returns its
 * markdown (tables and goal lines), the foreign load of each measurement and what it could not measure.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForQuiet } from './load-tests.ts';
import type { BenchContext } from './targets.ts';

export interface SectionEnv {
  ctx: BenchContext;
  quick: boolean;
  reps: number;
  guard: NoiseGuard;
  log(message: string): void;
  /** Appends one record to <work>/raw.jsonl (the section's name is added). */
  raw(record: object): void;
}

export interface SectionOutcome {
  /** Tables and goal lines, without the section's heading. */
  markdown: string;
  /** Foreign cores seen by each measurement. */
  foreign: number[];
  /** Targets or measurements left out, with the reason. */
  skipped: string[];
}

export interface Section {
  /** Name for `--only`. */
  name: string;
  title: string;
  /** Whether it starts louailink (then the run snapshots the checkout). */
  usesLouailink: boolean;
  run(env: SectionEnv): Promise<SectionOutcome>;
}

/**
 * Waits for a quiet machine before each measurement and re-runs a disturbed one once, out of one time budget
 * for the whole run (`budgetS`; 0 in quick runs).
 */
export class NoiseGuard {
  readonly #budgetMs: number;
  readonly #log: (message: string) => void;
  #spentMs = 0;

  constructor(budgetS: number, log: (message: string) => void) {
    this.#budgetMs = budgetS * 1000;
    this.#log = log;
  }

  async measured<T extends { foreignCores: number }>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.#spentMs < this.#budgetMs) {
      const t0 = performance.now();
      await waitForQuiet(Math.min(5000, this.#budgetMs - this.#spentMs));
      this.#spentMs += Math.max(0, performance.now() - t0 - 500);
    }
    let result = await fn();
    if (result.foreignCores > 0.3 && this.#spentMs < this.#budgetMs) {
      const t0 = performance.now();
      this.#log(`  ${what}: ${result.foreignCores.toFixed(2)} foreign cores, measuring again`);
      const again = await fn();
      this.#spentMs += performance.now() - t0;
      if (again.foreignCores < result.foreignCores) result = again;
    }
    return result;
  }
}

/** Writes a request body into the run's work dir and returns its path. */
export function writeBody(work: string, name: string, text: string): string {
  const path = join(work, `req-${name}.json`);
  writeFileSync(path, text);
  return path;
}

export const CHAT_MESSAGES = '[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Say hello in one short sentence."}]';

/** The OpenAI chat request of the benchmark; `stream` adds include_usage like the SDKs' usage option. */
export function openAiBody(model: string, stream: boolean): string {
  return stream
    ? `{"model":"${model}","stream":true,"stream_options":{"include_usage":true},"messages":${CHAT_MESSAGES}}`
    : `{"model":"${model}","messages":${CHAT_MESSAGES}}`;
}

/** The same conversation as an Anthropic Messages request. */
export function anthropicBody(model: string, stream: boolean): string {
  return `{"model":"${model}","max_tokens":1024,"system":"You are a helpful assistant.",${stream ? '"stream":true,' : ''}` +
    '"messages":[{"role":"user","content":"Say hello in one short sentence."}]}';
}

/** Rotates `items` by `rep` (each repetition measures the targets in another order). */
export function rotate<T>(items: readonly T[], rep: number): T[] {
  return items.map((_, i) => items[(i + rep) % items.length] as T);
}
