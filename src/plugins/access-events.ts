/**
 * Access decisions published on node:diagnostics_channel, for metrics (`auth_requests_total{result}`,
 * `rate_limit_exceeded_total{key_name}`) and the audit log, without the plugins knowing who listens.
 * Subscribers use the channel names below; a publish without subscribers costs one boolean check.
 * Payloads never carry a key or a secret.
 */
import { channel } from 'node:diagnostics_channel';
import { clientAddressOf } from './client-address.ts';
import type { PluginRequestContext } from './plugin.ts';

export const AUTH_CHANNEL = 'louailink:access:auth';
export const LIMIT_CHANNEL = 'louailink:access:limit';

export type AuthResult = 'ok' | 'missing' | 'invalid' | 'expired' | 'inactive' | 'forbidden';

export interface AuthEvent {
  readonly requestId: string;
  readonly location: string;
  readonly result: AuthResult;
  /** The client's IP address (the socket peer). */
  readonly client: string;
  /** Consumer and key names when a key matched (also for expired/inactive/forbidden). */
  readonly consumer: string | undefined;
  readonly keyName: string | undefined;
}

export interface LimitExceededEvent {
  readonly requestId: string;
  readonly location: string;
  /** The limit plugin instance's name. */
  readonly plugin: string;
  readonly kind: 'rate' | 'quota' | 'concurrency';
  /** The client's IP address (the socket peer). */
  readonly client: string;
  /** What was counted: the consumer name, client address or location (per the plugin's `by`). */
  readonly subject: string;
  readonly consumer: string | undefined;
  readonly keyName: string | undefined;
}

const authChannel = channel(AUTH_CHANNEL);
const limitChannel = channel(LIMIT_CHANNEL);

export function publishAuth(ctx: PluginRequestContext, result: AuthResult, consumer?: string, keyName?: string): void {
  if (!authChannel.hasSubscribers) return;
  const event: AuthEvent = { requestId: ctx.requestId, location: ctx.locationName, result, client: clientAddressOf(ctx.req), consumer, keyName };
  authChannel.publish(event);
}

export function publishLimitExceeded(ctx: PluginRequestContext, plugin: string, kind: LimitExceededEvent['kind'], subject: string): void {
  if (!limitChannel.hasSubscribers) return;
  const event: LimitExceededEvent = {
    requestId: ctx.requestId,
    location: ctx.locationName,
    plugin,
    kind,
    client: clientAddressOf(ctx.req),
    subject,
    consumer: ctx.consumer?.name,
    keyName: ctx.consumer?.keyName,
  };
  limitChannel.publish(event);
}
