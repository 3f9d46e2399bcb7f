/**
 * The plugin contract. A plugin type compiles its instance config once in `create`; the returned hooks
 * run per request. Only `onRequest` exists so far (what `mock` needs); later phases (request body,
 * response head, chunk, log) extend `PluginHooks` with optional members, so a plugin implements only
 * the hooks it uses and a location's chain is `null` when it has no plugins.
 */
import type { GatewayRequest, GatewayResponse } from '../core/http-types.ts';

/** An early answer: the request goes no further (no upstream, no later plugin). */
export interface Reply {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

/** A plugin's answer: undefined = continue, a Reply = answer now. */
export type RequestVerdict = Reply | undefined;

/** What a plugin sees of a request. */
export interface PluginRequestContext {
  readonly req: GatewayRequest;
  readonly requestId: string;
  readonly locationName: string;
  /** Host used for routing: lower-case, no port. */
  readonly host: string;
  /** Request path without the query string, as received. */
  readonly path: string;
  /**
   * The response, for plugins that add headers to whatever answers (CORS) or need its end (concurrency
   * release on 'close'). Optional until every caller passes it; such plugins fail closed without it.
   */
  readonly res?: GatewayResponse;
  /** The location is an AI location: answers go out in the client's dialect (see ./plugin-reply.ts). */
  readonly isAiRoute?: boolean;
  /** Set by `key-auth` once a gateway key matched; read by later plugins (per-consumer limits). */
  consumer?: AuthenticatedConsumer;
}

/** Who a gateway key belongs to, as later plugins and the access log see it (never the key itself). */
export interface AuthenticatedConsumer {
  /** The consumer (project) name in config. */
  readonly name: string;
  /** The key's name in config, or its index ("0", "1", …). */
  readonly keyName: string;
  /** Models this consumer may use; null = any. */
  readonly allowedModels: ReadonlySet<string> | null;
}

export interface PluginHooks {
  /**
   * Called after routing, before the request is proxied or handed to the AI layer, in the location's
   * plugin order. Return undefined to continue with the next plugin, or a Reply to answer now. A plugin
   * that must wait (a cluster-wide limit waiting for the master's lease) returns a promise of either;
   * the chain stays synchronous for every plugin that does not.
   */
  onRequest?(ctx: PluginRequestContext): RequestVerdict | Promise<RequestVerdict>;
}

/** Hooks that never wait: what most plugins return (their tests read the Reply directly). */
export interface SyncPluginHooks extends PluginHooks {
  onRequest?(ctx: PluginRequestContext): RequestVerdict;
}

export interface PluginType<C, H extends PluginHooks = SyncPluginHooks> {
  /** The `type` value in config (`plugins.<name>.type`). */
  readonly type: string;
  /** Compiles one configured instance (`name`: its name in config); throws on a config it cannot use. */
  create(config: C, name?: string): H;
}
