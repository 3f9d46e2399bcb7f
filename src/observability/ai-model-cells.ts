/**
 * The AI metric cells of one (provider, model), resolved on first use and kept: a finished AI request adds
 * its tokens and timings through two map lookups instead of joining label values for every cell (the
 * families' `cell()`), which cost a few µs per request. A cell is created only when first used, so a series
 * appears in /metrics once it has something to count, as before.
 */
import type { GatewayMetrics } from './gateway-metrics.ts';
import type { HistogramCell, ValueCell } from './metric-family.ts';

export type AiTokenType = 'input' | 'output' | 'cache_read' | 'cache_write';

export class AiModelCells {
  readonly #metrics: GatewayMetrics;
  readonly #provider: string;
  readonly #model: string;
  readonly #tokens = new Map<AiTokenType, ValueCell>();
  #ttft: HistogramCell | null = null;
  #perOutputToken: HistogramCell | null = null;

  constructor(metrics: GatewayMetrics, provider: string, model: string) {
    this.#metrics = metrics;
    this.#provider = provider;
    this.#model = model;
  }

  tokens(type: AiTokenType): ValueCell {
    let cell = this.#tokens.get(type);
    if (cell === undefined) {
      cell = this.#metrics.aiTokens.cell(this.#provider, this.#model, type);
      this.#tokens.set(type, cell);
    }
    return cell;
  }

  get timeToFirstToken(): HistogramCell {
    return (this.#ttft ??= this.#metrics.aiTimeToFirstToken.cell(this.#provider, this.#model));
  }

  get timePerOutputToken(): HistogramCell {
    return (this.#perOutputToken ??= this.#metrics.aiTimePerOutputToken.cell(this.#provider, this.#model));
  }
}
