/**
 * The model catalogue: every name a client may send (model names and their aliases) mapped, once per
 * config, to the model and its ordered provider targets. The request path does one Map lookup.
 * Targets keep the order of `models.<name>.providers` in the config (the first one is preferred); a
 * target whose provider is not configured is left out (config validation reports it).
 */
import type { Config, ProviderConfig } from '../config/schema.ts';

/** One way to serve a model: a configured provider and the model id that provider knows it as. */
export interface ModelTarget {
  readonly providerName: string;
  readonly provider: ProviderConfig;
  readonly upstreamModel: string;
}

export interface CatalogModel {
  /** The model's name in the config (its canonical id in `GET /models`). */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly targets: readonly ModelTarget[];
}

export class ModelCatalog {
  /** Canonical models in config order. */
  readonly models: readonly CatalogModel[];
  readonly #byName: ReadonlyMap<string, CatalogModel>;

  constructor(config: Pick<Config, 'models' | 'providers'>) {
    const models: CatalogModel[] = [];
    const byName = new Map<string, CatalogModel>();
    for (const [name, modelConfig] of Object.entries(config.models)) {
      const targets: ModelTarget[] = [];
      for (const [providerName, upstreamModel] of Object.entries(modelConfig.providers)) {
        const provider = Object.hasOwn(config.providers, providerName) ? config.providers[providerName] : undefined;
        if (provider !== undefined) targets.push({ providerName, provider, upstreamModel });
      }
      const model: CatalogModel = { name, aliases: modelConfig.aliases ?? [], targets };
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
