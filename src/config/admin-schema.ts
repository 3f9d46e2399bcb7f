/**
 * The `admin` section: a listener of its own for the management API (docs/admin-api.md), the metrics and
 * health endpoints, guarded by bearer tokens. The master binds it like a server's address, so it survives
 * reloads and upgrades. Its address may not be one of a server's (`checkAdminListen`, run on the whole
 * config once the schema passes).
 */
import { z } from 'zod';
import { parseListenAddress } from './listen-address.ts';

const TOKEN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The id `admin.token` is known by in the audit log. */
export const DEFAULT_ADMIN_TOKEN_ID = 'admin';

const adminToken = z
  .string()
  .min(16)
  .describe('A bearer token of at least 16 characters; write `${ENV_NAME}` to read it from the environment (e.g. `openssl rand -hex 32`).');

const adminListen = z
  .union([z.string(), z.number().int()])
  .transform(String)
  .superRefine((value, ctx) => {
    const parsed = parseListenAddress(value);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  });

export const adminSchema = z
  .strictObject({
    listen: adminListen.describe('Address of the admin listener, e.g. "127.0.0.1:9180" (keep it private). No server may use it.'),
    token: adminToken.optional().describe(`Bearer token required on every admin request (\`authorization: Bearer <token>\`); known as "${DEFAULT_ADMIN_TOKEN_ID}" in the audit log.`),
    tokens: z
      .record(z.string().regex(TOKEN_ID_RE, 'token ids use letters, digits, "_", "-" and "." and start with a letter or digit'), adminToken)
      .optional()
      .describe('More tokens by id (the id is what the audit log records), e.g. one per operator or automation.'),
    metrics: z
      .boolean()
      .default(true)
      .describe(
        'Also answer the metrics endpoints (`observability.metrics.path`, its `/summary` and `/ui`) and `/health`, `/healthz` here. The metrics token, when set, is accepted for them too. `observability.metrics.servers: []` keeps them off the main listeners.',
      ),
    audit_denied_requests: z
      .boolean()
      .default(true)
      .describe('Write an audit line for every request an access plugin refuses (authentication failures, limits), besides the management changes.'),
  })
  .refine((admin) => admin.token !== undefined || admin.tokens !== undefined, { message: 'give `token`, `tokens` or both' })
  .refine((admin) => admin.token === undefined || admin.tokens?.[DEFAULT_ADMIN_TOKEN_ID] === undefined, {
    message: `\`tokens.${DEFAULT_ADMIN_TOKEN_ID}\` clashes with the id of \`token\``,
  })
  .describe('The admin listener: management API, provider key states, metrics (docs/admin-api.md).');

export type AdminConfig = z.output<typeof adminSchema>;

interface ListenersOfConfig {
  readonly admin?: { readonly listen: string } | undefined;
  readonly servers: Readonly<Record<string, { readonly listen: readonly string[] }>>;
}

/** The admin address may not be a server's: both would accept on one socket. */
export function checkAdminListen(config: ListenersOfConfig, ctx: z.RefinementCtx): void {
  if (config.admin === undefined) return;
  const admin = parseListenAddress(config.admin.listen);
  if (typeof admin === 'string') return;
  for (const [name, server] of Object.entries(config.servers)) {
    for (const text of server.listen) {
      const address = parseListenAddress(text);
      if (typeof address !== 'string' && address.key === admin.key) {
        ctx.addIssue({ code: 'custom', path: ['admin', 'listen'], message: `${admin.key} is also a listen address of server "${name}"` });
      }
    }
  }
}
