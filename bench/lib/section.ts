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
  /**
   * How long the quiet check before each measurement samples the foreign load (ms). The core section keeps
   * 500; sections with many short measurements use less.
   */
  quietSampleMs: number;
  /** Seconds of the run's noise budget (`--noise-budget`) this section adds when selected (full runs only). */
  noiseBudgetS: number;
  run(env: SectionEnv): Promise<SectionOutcome>;
}

/** Seconds a whole run may spend waiting for quiet and re-running (`--noise-budget`), shared by its sections. */
export class NoiseBudget {
  readonly budgetMs: number;
  spentMs = 0;

  constructor(budgetS: number) {
    this.budgetMs = budgetS * 1000;
  }

  get isLeft(): boolean {
    return this.spentMs < this.budgetMs;
  }
}

/**
 * Waits for a quiet machine before each measurement (sampling `sampleMs`) and re-runs a disturbed one once,
 * out of the run's budget (0 in quick runs).
 */
export class NoiseGuard {
  readonly #budget: NoiseBudget;
  readonly #sampleMs: number;
  readonly #log: (message: string) => void;

  constructor(budget: NoiseBudget, sampleMs: number, log: (message: string) => void) {
    this.#budget = budget;
    this.#sampleMs = sampleMs;
    this.#log = log;
  }

  async measured<T extends { foreignCores: number }>(what: string, fn: () => Promise<T>): Promise<T> {
    const budget = this.#budget;
    if (budget.isLeft) {
      const t0 = performance.now();
      await waitForQuiet(Math.min(5000, budget.budgetMs - budget.spentMs), 0.15, this.#sampleMs);
      budget.spentMs += Math.max(0, performance.now() - t0 - this.#sampleMs);
    }
    let result = await fn();
    if (result.foreignCores > 0.3 && budget.isLeft) {
      const t0 = performance.now();
      this.#log(`  ${what}: ${result.foreignCores.toFixed(2)} foreign cores, measuring again`);
      const again = await fn();
      budget.spentMs += performance.now() - t0;
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

/**
 * A coding agent's request (~300 KB): a long conversation of messages with code-like text (quotes, backslashes,
 * line breaks), streamed, usage asked for. The model member comes first, as the SDKs send it.
 */
export function largeOpenAiBody(model: string): string {
  const text = (i: number): string => `Step ${i}: in src/module-${i}.ts the function "parse" reads C:\\work\\file and returns {"ok": true}.\n`.repeat(24);
  const messages = Array.from({ length: 120 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: text(i) }));
  return JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages });
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
