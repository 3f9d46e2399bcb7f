/**
 * The model catalogue: every name a client may send (model names and their aliases) mapped, once per
 * config, to the model and its provider targets. The request path does one Map lookup.
 * Targets keep the order of `models.<name>.providers` in the config; a target whose provider is not
 * configured is left out (config validation reports it).
 */
import type { Config } from '../config/schema.ts';
import type { Provider } from './providers/provider.ts';

/** One way to serve a model: a compiled provider and the model id that provider knows it as. */
export interface ModelTarget {
  readonly providerName: string;
  readonly provider: Provider;
  readonly upstreamModel: string;
  /** Output-token limit for this target (target's, else the model's); undefined when not configured. */
  readonly maxOutputTokens: number | undefined;
}

export interface CatalogModel {
  /** The model's name in the config (its canonical id in `GET /models`). */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly targets: readonly ModelTarget[];
  /** Provider tried first while it has a usable key. */
  readonly defaultProvider: string | undefined;
}

export class ModelCatalog {
  /** Canonical models in config order. */
  readonly models: readonly CatalogModel[];
  readonly #byName: ReadonlyMap<string, CatalogModel>;

  constructor(config: Pick<Config, 'models'>, providers: ReadonlyMap<string, Provider>) {
    const models: CatalogModel[] = [];
    const byName = new Map<string, CatalogModel>();
    for (const [name, modelConfig] of Object.entries(config.models)) {
      const targets: ModelTarget[] = [];
      for (const [providerName, target] of Object.entries(modelConfig.providers)) {
        const provider = providers.get(providerName);
        if (provider === undefined) continue;
        const upstreamModel = typeof target === 'string' ? target : target.model;
        const maxOutputTokens = (typeof target === 'string' ? undefined : target.max_output_tokens) ?? modelConfig.max_output_tokens;
        targets.push({ providerName, provider, upstreamModel, maxOutputTokens });
      }
      const model: CatalogModel = { name, aliases: modelConfig.aliases ?? [], targets, defaultProvider: modelConfig.default_provider };
      models.push(model);
      byName.set(name, model);
    }
    // Aliases never shadow a model name; between aliases the first model in config order wins.
    for (const model of models) {
      for (const alias of model.aliases) {
        if (!byName.has(alias)) byName.set(alias, model);
      }
    }
    this.models = models;
    this.#byName = byName;
  }

  /** The model a client-sent name (model name or alias) refers to, or undefined. */
  resolve(name: string): CatalogModel | undefined {
    return this.#byName.get(name);
  }
}
