/**
 * Config shapes of the access-control and limit plugins (key-auth, request-restriction, ip-restriction,
 * cors, limit), members of `pluginSchema` in ./schema.ts. Expiry dates are normalized to epoch
 * milliseconds and plain keys are kept only until the plugin hashes them at load (docs/access-control.md).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { duration, sizeWithDefault } from './schema-units.ts';

const SHA256_RE = /^sha256:[0-9a-f]{64}$/;

const instant = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), { message: 'expected an ISO 8601 date such as "2027-01-31" or "2027-01-31T12:00:00Z"' })
  .transform((v) => Date.parse(v));

const gatewayKeySchema = z
  .strictObject({
    name: z.string().optional().describe('Key id shown in logs and metrics (default: its index in `keys`). Never the key.'),
    key_hash: z
      .string()
      .regex(SHA256_RE, 'expected "sha256:" followed by 64 lower-case hex digits (sha256 of the key)')
      .optional()
      .describe('The key as `sha256:<hex>` of its UTF-8 bytes (`printf %s "$KEY" | sha256sum`).'),
    key: z.string().min(16).optional().describe('The key in clear (or `${ENV}`), hashed at load; prefer `key_hash`.'),
    expires_at: instant.optional().describe('The key stops working at this instant (401 key_expired).'),
  })
  .refine((k) => (k.key === undefined) !== (k.key_hash === undefined), { message: 'give exactly one of `key` and `key_hash`' })
  .describe('A gateway key of a consumer.');

const consumerSchema = z
  .strictObject({
    keys: z.array(gatewayKeySchema).min(1).describe('Gateway keys of this consumer.'),
    active: z.boolean().default(true).describe('false: every key of the consumer answers 403 project_inactive.'),
    expires_at: instant.optional().describe('All keys of the consumer stop working at this instant (401 key_expired).'),
    allowed_models: z.array(z.string()).optional().describe('Models this consumer may call (default: all).'),
    allowed_locations: z.array(z.string()).optional().describe('Locations this consumer may use (default: every location running the plugin).'),
  })
  .describe('A consumer (project) and its gateway keys.');

export const keyAuthPluginSchema = z.strictObject({
  type: z.literal('key-auth'),
  headers: z
    .array(z.string().transform((v) => v.toLowerCase()))
    .min(1)
    .default(['authorization', 'x-api-key'])
    .describe('Request headers carrying the gateway key, tried in order; `authorization` expects `Bearer <key>`. All are removed before the request goes upstream.'),
  consumers: z.record(z.string(), consumerSchema).describe('Consumers (projects) by name.'),
});

const cidr = z.string().refine((v) => {
  const slash = v.indexOf('/');
  const ip = slash < 0 ? v : v.slice(0, slash);
  const family = isIP(ip);
  if (family === 0) return false;
  if (slash < 0) return true;
  const bits = Number(v.slice(slash + 1));
  return Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
}, { message: 'expected an IP address or CIDR such as "10.0.0.0/8" or "2001:db8::/32"' });

export const ipRestrictionPluginSchema = z
  .strictObject({
    type: z.literal('ip-restriction'),
    allow: z.array(cidr).optional().describe('Only these addresses/CIDRs may connect (default: any).'),
    deny: z.array(cidr).optional().describe('These addresses/CIDRs are refused (checked before `allow`).'),
  })
  .refine((c) => c.allow !== undefined || c.deny !== undefined, { message: 'give `allow`, `deny` or both' });

export const requestRestrictionPluginSchema = z.strictObject({
  type: z.literal('request-restriction'),
  methods: z
    .array(z.string().transform((v) => v.toUpperCase()))
    .optional()
    .describe('Allowed methods (405 method_not_allowed otherwise).'),
  paths: z
    .array(z.string())
    .optional()
    .describe('Allowed paths: exact ("/v1/chat/completions"), prefix ending in "/*" ("/v1/models/*") or regex ("~^/v1/"). 403 forbidden otherwise.'),
  required_headers: z
    .record(z.string(), z.union([z.literal(true), z.array(z.string())]))
    .optional()
    .describe('Headers that must be present (`true`) or have one of the listed values; 403 forbidden otherwise.'),
  params: z
    .record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).min(1))
    .optional()
    .describe(
      'Allowed values of JSON body parameters, by name (`model`) or dotted path (`reasoning.effort`), checked on requests with a body: an absent parameter or another value gets 403 forbidden naming the parameter; list `null` to allow it absent.',
    ),
  max_body_size: sizeWithDefault('10mb').describe('Largest body read to check `params` on a proxied location (413 above it); AI locations use their own limit.'),
});

export const corsPluginSchema = z.strictObject({
  type: z.literal('cors'),
  allow_origins: z.array(z.string()).min(1).describe('Allowed origins ("https://app.example.com") or "*".'),
  allow_methods: z
    .array(z.string().transform((v) => v.toUpperCase()))
    .default(['GET', 'POST', 'OPTIONS'])
    .describe('Methods allowed in preflight answers.'),
  allow_headers: z
    .array(z.string())
    .default(['authorization', 'content-type', 'x-api-key', 'anthropic-version'])
    .describe('Request headers allowed in preflight answers.'),
  expose_headers: z.array(z.string()).optional().describe('Response headers scripts may read.'),
  allow_credentials: z.boolean().default(false).describe('Send `access-control-allow-credentials: true` (not with "*").'),
  max_age: duration('1h').describe('How long browsers cache a preflight answer.'),
});

const tokenBucketSchema = z.strictObject({
  capacity: z.number().int().min(1).describe('Largest burst (tokens; one request takes one).'),
  refill_per_second: z.number().positive().describe('Tokens added per second.'),
});

const limitFields = {
  rpm: z.number().int().min(1).optional().describe('Requests per minute (fixed window); shorthand for `requests` with `window: 1m`.'),
  requests: z.number().int().min(1).optional().describe('Requests per `window` (fixed window).'),
  tpm: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Tokens per minute (fixed window): input + output tokens of AI responses, counted when each response ends; requests are refused once the window has reached it. Shorthand for `tokens` with `window: 1m`.'),
  tokens: z.number().int().min(1).optional().describe('Tokens per `window` (fixed window), like `tpm`.'),
  window: duration('1m').describe('Fixed-window length for `requests` and `tokens`.'),
  token_bucket: tokenBucketSchema.optional().describe('Token bucket: bursts up to `capacity`, refilled continuously.'),
  concurrency: z.number().int().min(1).optional().describe('Requests in flight at once (503 concurrency_exceeded above).'),
  quota: z
    .strictObject({
      requests: z.number().int().min(1).optional().describe('Requests per period.'),
      tokens: z.number().int().min(1).optional().describe('Tokens (input + output of AI responses) per period; requests are refused once it is reached.'),
      period: z.enum(['day', 'month']).describe('UTC calendar day or month.'),
    })
    .refine((q) => q.requests !== undefined || q.tokens !== undefined, { message: 'give `requests`, `tokens` or both' })
    .optional()
    .describe('Requests and/or tokens per UTC day or month (429 quota_exceeded with Retry-After until the period ends).'),
};

const hasOneRate = (c: { rpm?: number | undefined; requests?: number | undefined; tpm?: number | undefined; tokens?: number | undefined }) =>
  !(c.rpm !== undefined && c.requests !== undefined) && !(c.tpm !== undefined && c.tokens !== undefined);
const ONE_RATE = { message: 'give `rpm` or `requests`, not both (and `tpm` or `tokens`, not both)' };

const consumerLimitSchema = z
  .strictObject(limitFields)
  .refine(hasOneRate, ONE_RATE)
  .describe('Limits of one consumer; each field given replaces the instance value (`rpm` or `requests`, and `tpm` or `tokens`, with `window`; `quota` as a whole).');

export const limitPluginSchema = z
  .strictObject({
    type: z.literal('limit'),
    by: z
      .enum(['consumer', 'ip', 'location', 'global'])
      .default('consumer')
      .describe('What is counted separately: the key-auth consumer (requests without one share the key "-"), the client address, the location, or `global`: every request of every location that lists this instance together (a gateway-wide cap).'),
    ...limitFields,
    consumers: z.record(z.string(), consumerLimitSchema).optional().describe('Per-consumer limits (only with `by: consumer`).'),
  })
  .refine(hasOneRate, ONE_RATE)
  .refine((c) => c.consumers === undefined || c.by === 'consumer', { message: '`consumers` needs `by: consumer`' })
  .refine(
    (c) =>
      c.rpm !== undefined ||
      c.requests !== undefined ||
      c.tpm !== undefined ||
      c.tokens !== undefined ||
      c.token_bucket !== undefined ||
      c.concurrency !== undefined ||
      c.quota !== undefined ||
      c.consumers !== undefined,
    { message: 'give at least one of `rpm`, `requests`, `tpm`, `tokens`, `token_bucket`, `concurrency`, `quota`, `consumers`' },
  );
