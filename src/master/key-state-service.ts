/**
 * The master's authoritative map of provider key cooldowns (issue 4 §4), shared by every worker of every
 * generation. Protocol in src/core/provider-state.ts; the worker's end is src/ai/routing/key-state-link.ts.
 *
 * A worker whose request saw a key fail (401/402/403/429, a quota-worded 400) cools it in its own store at
 * once and reports it; the hub keeps the longer of two cooldowns and sends what changed to every other
 * subscribed worker (a worker whose report is older than the hub's entry gets the hub's entry back). A
 * worker that starts subscribes and receives the whole map before it reports ready, so a reload keeps the
 * cooldowns of the generation it replaces. Only changes travel: no key failing means no message.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import type { Config } from '../config/schema.ts';
import { isKeyStateWorkerMessage, keyIdFor, keyStateView } from '../core/provider-state.ts';
import type { KeyCooldown, KeyStateMasterMessage, KeyStateView } from '../core/provider-state.ts';

export type { KeyStateView };

/** One worker as the hub sees it. */
export interface KeyStatePeer {
  send(message: KeyStateMasterMessage): void;
}

/** The key ids of a config's network providers, in config order. */
function configuredKeyIds(providers: Config['providers']): string[] {
  const ids: string[] = [];
  for (const [name, provider] of Object.entries(providers)) {
    if (provider.type === 'mock') continue;
    for (const secret of provider.keys) ids.push(keyIdFor(name, secret));
  }
  return ids;
}

/** The map and its subscribers, independent of the transport (node:cluster here, a pipe in tests). */
export class KeyStateHub {
  readonly #cooldowns = new Map<string, KeyCooldown>();
  readonly #peers = new Set<KeyStatePeer>();
  readonly #now: () => number;
  #keyIds: readonly string[] = [];

  constructor(providers: Config['providers'] = {}, now: () => number = Date.now) {
    this.#now = now;
    this.configure(providers);
  }

  /** The provider keys of the config being served: `snapshot()` lists them, cooling or not. */
  configure(providers: Config['providers']): void {
    this.#keyIds = configuredKeyIds(providers);
  }

  /** Handles a message from `peer`; anything but the key-state protocol is ignored. */
  receive(peer: KeyStatePeer, message: unknown): void {
    if (!isKeyStateWorkerMessage(message)) return;
    if (message.type === 'keys:subscribe') {
      this.#peers.add(peer);
      peer.send({ type: 'keys:cooldowns', isFull: true, cooldowns: this.cooldowns() });
      return;
    }
    const changed: KeyCooldown[] = [];
    const longer: KeyCooldown[] = [];
    for (const cooldown of message.cooldowns) {
      const current = this.#cooldowns.get(cooldown.keyId);
      if (current !== undefined && current.untilMs >= cooldown.untilMs) {
        if (current.untilMs > cooldown.untilMs) longer.push(current);
        continue;
      }
      const entry = { keyId: cooldown.keyId, untilMs: cooldown.untilMs, reason: cooldown.reason };
      this.#cooldowns.set(entry.keyId, entry);
      changed.push(entry);
    }
    if (changed.length > 0) {
      const update: KeyStateMasterMessage = { type: 'keys:cooldowns', isFull: false, cooldowns: changed };
      for (const other of this.#peers) if (other !== peer) other.send(update);
    }
    if (longer.length > 0) peer.send({ type: 'keys:cooldowns', isFull: false, cooldowns: longer });
  }

  /** The peer's channel closed. */
  remove(peer: KeyStatePeer): void {
    this.#peers.delete(peer);
  }

  /** Keys still cooling at `nowMs` (expired entries are dropped). */
  cooldowns(nowMs: number = this.#now()): KeyCooldown[] {
    const out: KeyCooldown[] = [];
    for (const [keyId, cooldown] of this.#cooldowns) {
      if (cooldown.untilMs > nowMs) out.push(cooldown);
      else this.#cooldowns.delete(keyId);
    }
    return out;
  }

  /**
   * Every key of the configured providers (healthy or cooling down), then keys still cooling that the
   * config no longer names (a retiring generation may still use them).
   */
  snapshot(nowMs: number = this.#now()): KeyStateView[] {
    const cooling = new Map(this.cooldowns(nowMs).map((cooldown) => [cooldown.keyId, cooldown]));
    const views = this.#keyIds.map((keyId) => {
      const view = keyStateView(keyId, cooling.get(keyId), nowMs);
      cooling.delete(keyId);
      return view;
    });
    for (const cooldown of cooling.values()) views.push(keyStateView(cooldown.keyId, cooldown, nowMs));
    return views;
  }
}

/** The hub attached to node:cluster: every worker of every generation is a peer once it subscribes. */
export class KeyStateService {
  readonly hub: KeyStateHub;
  readonly #peers = new Map<number, KeyStatePeer>();

  constructor(providers: Config['providers'], now: () => number = Date.now) {
    this.hub = new KeyStateHub(providers, now);
    cluster.on('message', this.#onMessage);
    cluster.on('disconnect', this.#onGone);
    current = this;
  }

  /** Call with each config that becomes the served one. */
  configure(providers: Config['providers']): void {
    this.hub.configure(providers);
  }

  snapshot(nowMs?: number): KeyStateView[] {
    return this.hub.snapshot(nowMs);
  }

  close(): void {
    cluster.off('message', this.#onMessage);
    cluster.off('disconnect', this.#onGone);
    if (current === this) current = undefined;
  }

  #peerOf(worker: Worker): KeyStatePeer {
    let peer = this.#peers.get(worker.id);
    if (peer === undefined) {
      peer = {
        send: (message) => {
          if (worker.isConnected()) worker.send(message, undefined, {}, () => undefined);
        },
      };
      this.#peers.set(worker.id, peer);
    }
    return peer;
  }

  #onMessage = (worker: Worker, message: unknown): void => {
    if (isKeyStateWorkerMessage(message)) this.hub.receive(this.#peerOf(worker), message);
  };

  #onGone = (worker: Worker): void => {
    const peer = this.#peers.get(worker.id);
    if (peer === undefined) return;
    this.#peers.delete(worker.id);
    this.hub.remove(peer);
  };
}

let current: KeyStateService | undefined;

/**
 * The master's view of every provider key (the read API of the admin listener's `GET /admin/keys`):
 * configured keys in config order with `state` healthy or cooling_down, then keys still cooling that the
 * served config no longer names. Empty when this process runs no KeyStateService (not the master).
 */
export function snapshotKeyStates(nowMs: number = Date.now()): KeyStateView[] {
  return current?.snapshot(nowMs) ?? [];
}
