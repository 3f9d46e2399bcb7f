/**
 * Access rules that need an AI request's body: a consumer's `allowed_models` (key-auth) and parameter
 * allow-lists (request-restriction). The plugins run before the body is read, so they attach the rules
 * to the request here; the AI handler applies them once it has parsed the body and resolved the model,
 * so the body is parsed once. Rules are kept in a WeakMap keyed by the request: a request without rules
 * costs one lookup, and nothing has to be cleaned up.
 */
import { GatewayError } from '../../core/errors.ts';
import type { CatalogModel, ModelCatalog } from '../model-catalog.ts';

/** A check of the parsed JSON body (compiled once per config by the plugin that attaches it). */
export interface AiBodyRule {
  /** The refusal for this body, or undefined to let it through. */
  check(body: Readonly<Record<string, unknown>>): GatewayError | undefined;
}

interface RequestAccess {
  allowedModels: ReadonlySet<string> | null;
  bodyRules: AiBodyRule[];
}

const accessByRequest = new WeakMap<object, RequestAccess>();

function accessOf(req: object): RequestAccess {
  let access = accessByRequest.get(req);
  if (access === undefined) {
    access = { allowedModels: null, bodyRules: [] };
    accessByRequest.set(req, access);
  }
  return access;
}

/** Only these models (names or aliases, as in config) may be used by this request. */
export function restrictModels(req: object, allowed: ReadonlySet<string>): void {
  accessOf(req).allowedModels = allowed;
}

/** The body of this request must pass `rule`. */
export function addBodyRule(req: object, rule: AiBodyRule): void {
  accessOf(req).bodyRules.push(rule);
}

/**
 * Is `model` allowed by `allowed`? A model is allowed when its name or any of its aliases is listed, so
 * listing a model allows its aliases and listing an alias allows the model it names.
 */
export function isModelAllowed(allowed: ReadonlySet<string>, model: CatalogModel): boolean {
  if (allowed.has(model.name)) return true;
  for (const alias of model.aliases) if (allowed.has(alias)) return true;
  return false;
}

/**
 * The refusal for this request once its body is parsed and its model resolved, or undefined.
 * Parameter rules first (403 forbidden), then the model (403 model_not_allowed).
 */
export function checkAiAccess(req: object, body: unknown, model: CatalogModel): GatewayError | undefined {
  const access = accessByRequest.get(req);
  if (access === undefined) return undefined;
  if (access.bodyRules.length > 0 && typeof body === 'object' && body !== null) {
    for (const rule of access.bodyRules) {
      const refusal = rule.check(body as Readonly<Record<string, unknown>>);
      if (refusal !== undefined) return refusal;
    }
  }
  const allowed = access.allowedModels;
  if (allowed !== null && !isModelAllowed(allowed, model)) {
    return new GatewayError('model_not_allowed', `this gateway key may not use the model '${model.name}'`);
  }
  return undefined;
}

/** May this request see `model` in `GET …/models/{id}`? */
export function isModelVisible(req: object, model: CatalogModel | undefined): boolean {
  if (model === undefined) return false;
  const allowed = accessByRequest.get(req)?.allowedModels ?? null;
  return allowed === null || isModelAllowed(allowed, model);
}

interface ListBody {
  readonly data: readonly { readonly id: string }[];
}

/** Filtered list bodies by allowed set, each for the catalogue it was cut from (one per config). */
const filteredLists = new WeakMap<ReadonlySet<string>, { readonly catalog: ModelCatalog; readonly body: string }>();

/**
 * The `GET …/models` body this request may see: the full list, or only the allowed models (built once
 * per consumer and config, then reused).
 */
export function modelsListFor(req: object, listBody: string, catalog: ModelCatalog): string {
  const allowed = accessByRequest.get(req)?.allowedModels ?? null;
  if (allowed === null) return listBody;
  const cached = filteredLists.get(allowed);
  if (cached !== undefined && cached.catalog === catalog) return cached.body;
  const list = JSON.parse(listBody) as ListBody & Record<string, unknown>;
  const data = list.data.filter((entry) => {
    const model = catalog.resolve(entry.id);
    return model !== undefined && isModelAllowed(allowed, model);
  });
  const body = JSON.stringify({ ...list, data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  filteredLists.set(allowed, { catalog, body });
  return body;
}
