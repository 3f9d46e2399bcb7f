/**
 * The management API's messages between a worker and the master, on the node:cluster IPC channel next to
 * the lifecycle union of src/core/ipc.ts (whose guards ignore these types, as these guards ignore theirs;
 * the observability channel does the same). All types start with "admin:".
 *
 *   worker → master  admin:request  an operation of the management API, with who asked
 *   master → worker  admin:reply    its HTTP status and JSON body, sent once the change serves (or failed)
 *
 * The master runs every change (serialized), so two workers never write the managed file at once.
 * Generated gateway keys never cross the channel: the worker sends their hashes and adds the clear keys
 * to its own HTTP answer.
 */

export interface KeySpec {
  readonly name: string;
  /** `sha256:<64 hex>` of the generated key. */
  readonly key_hash: string;
  /** ISO 8601 instant, as the client gave it. */
  readonly expires_at?: string | undefined;
}

export interface ConsumerSpec {
  readonly name: string;
  readonly active?: boolean | undefined;
  readonly expires_at?: string | undefined;
  readonly allowed_models?: readonly string[] | undefined;
  readonly allowed_locations?: readonly string[] | undefined;
  readonly keys: readonly KeySpec[];
}

/** Absent: unchanged; null: removed (back to the default). */
export interface ConsumerPatch {
  readonly active?: boolean | undefined;
  readonly expires_at?: string | null | undefined;
  readonly allowed_models?: readonly string[] | null | undefined;
  readonly allowed_locations?: readonly string[] | null | undefined;
}

export interface KeyPatch {
  readonly expires_at: string | null;
}

export type ManagementOp =
  | { readonly kind: 'list'; readonly plugin?: string | undefined }
  | { readonly kind: 'get-consumer'; readonly plugin: string; readonly consumer: string }
  | { readonly kind: 'create-consumer'; readonly plugin: string; readonly consumer: ConsumerSpec }
  | { readonly kind: 'update-consumer'; readonly plugin: string; readonly consumer: string; readonly patch: ConsumerPatch }
  | { readonly kind: 'delete-consumer'; readonly plugin: string; readonly consumer: string }
  | { readonly kind: 'create-key'; readonly plugin: string; readonly consumer: string; readonly key: KeySpec }
  | { readonly kind: 'update-key'; readonly plugin: string; readonly consumer: string; readonly key: string; readonly patch: KeyPatch }
  | { readonly kind: 'delete-key'; readonly plugin: string; readonly consumer: string; readonly key: string };

export type ManagementOpKind = ManagementOp['kind'];

/** Who asked: the admin token's id (never the token) and the client address. */
export interface Actor {
  readonly token: string;
  readonly address: string;
}

export interface ManagementReply {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface AdminRequestMessage {
  readonly type: 'admin:request';
  readonly id: number;
  readonly op: ManagementOp;
  readonly actor: Actor;
}

export interface AdminReplyMessage extends ManagementReply {
  readonly type: 'admin:reply';
  readonly id: number;
}

const OP_KINDS: ReadonlySet<string> = new Set<ManagementOpKind>([
  'list',
  'get-consumer',
  'create-consumer',
  'update-consumer',
  'delete-consumer',
  'create-key',
  'update-key',
  'delete-key',
]);

function fieldsOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Narrows a message received by the master. The op's details were checked by the worker that built it. */
export function isAdminRequestMessage(value: unknown): value is AdminRequestMessage {
  const fields = fieldsOf(value);
  if (fields?.['type'] !== 'admin:request' || typeof fields['id'] !== 'number') return false;
  const op = fieldsOf(fields['op']);
  const actor = fieldsOf(fields['actor']);
  return typeof op?.['kind'] === 'string' && OP_KINDS.has(op['kind']) && typeof actor?.['token'] === 'string' && typeof actor['address'] === 'string';
}

export function isAdminReplyMessage(value: unknown): value is AdminReplyMessage {
  const fields = fieldsOf(value);
  return fields?.['type'] === 'admin:reply' && typeof fields['id'] === 'number' && typeof fields['status'] === 'number' && fieldsOf(fields['body']) !== undefined;
}
